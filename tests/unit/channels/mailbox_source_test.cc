#include "channels/mailbox_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "channels/mbox_reader.h"

namespace replydesk::channels {
namespace {

namespace fs = std::filesystem;

class MailboxSourceTest : public ::testing::Test {
 protected:
  MailboxSourceTest() {
    char tmpl[] = "/tmp/replydesk-mailbox-XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  ~MailboxSourceTest() override { fs::remove_all(root_); }

  std::string Write(const std::string& rel, const std::string& data) {
    fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
  }
  std::string Mkdir(const std::string& rel) {
    fs::create_directories(fs::path(root_) / rel);
    return root_ + "/" + rel;
  }

  std::vector<MailboxMessage> All(const std::string& path) {
    std::vector<MailboxMessage> out;
    util::Status st = ForEachMessage(path, [&](const MailboxMessage& m) {
      out.push_back(m);
      return util::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().ToString());
    auto count = CountMessages(path);
    EXPECT_TRUE(count.ok());
    if (count.ok()) {
      EXPECT_EQ(*count, out.size());
    }
    return out;
  }

  std::string root_;
};

TEST_F(MailboxSourceTest, MaildirWithSubfolders) {
  Write("md/new/1700000002.M1.host", "Subject: new\n\nn\n");
  Write("md/cur/1700000001.M1.host:2,S", "Subject: cur\r\n\r\nc\r\n");
  Write("md/cur/.hidden", "junk");
  Write("md/cur/1700000003.empty:2,", "");
  Write("md/tmp/1700000004.M1.host", "Subject: half-written\n\n");
  Write("md/dovecot-uidlist", "3 V1 N4\n");
  Write("md/.Sent/cur/1700000005.M1.host:2,S", "Subject: sent\n\ns\n");
  Mkdir("md/.Sent/new");
  Mkdir("md/.Sent/tmp");
  Write("md/.NotAMaildir/cur/x", "ignored: no new/\n");
  auto messages = All(root_ + "/md");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].origin, root_ + "/md/new/1700000002.M1.host");
  EXPECT_EQ(messages[0].data, "Subject: new\n\nn\n");
  EXPECT_EQ(messages[1].origin, root_ + "/md/cur/1700000001.M1.host:2,S");
  EXPECT_EQ(messages[1].data, "Subject: cur\r\n\r\nc\r\n");  // Maildir files are byte-exact
  EXPECT_EQ(messages[2].origin, root_ + "/md/.Sent/cur/1700000005.M1.host:2,S");
  EXPECT_EQ(messages[2].data, "Subject: sent\n\ns\n");
}

const char kMbox[] =
    "From alice@example.org Mon Jan  1 10:00:00 2024\n"
    "Subject: one\n"
    "\n"
    ">From quoted by the writer\n"
    ">>From quoted twice (mboxrd)\n"
    "body\n"
    "\n"
    "From bob@example.org Tue Jan  2 11:30:00 2024\n"
    "Subject: two\n"
    "\n"
    "From here on, no timestamp: not a separator\n"
    "last\n"
    "\n";
const char kFirst[] =
    "Subject: one\n\nFrom quoted by the writer\n>From quoted twice (mboxrd)\nbody\n";
const char kSecond[] = "Subject: two\n\nFrom here on, no timestamp: not a separator\nlast\n";

TEST_F(MailboxSourceTest, MboxWithFromQuoting) {
  std::string path = Write("box.mbox", kMbox);
  auto messages = All(path);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].origin, path + "#1");
  EXPECT_EQ(messages[0].data, kFirst);
  EXPECT_EQ(messages[1].origin, path + "#2");
  EXPECT_EQ(messages[1].data, kSecond);
}

TEST_F(MailboxSourceTest, MboxWithCrlfLineEnds) {
  std::string crlf;
  for (char c : std::string(kMbox)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  std::string path = Write("windows.mbox", crlf);
  auto messages = All(path);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].data, kFirst);
  EXPECT_EQ(messages[1].data, kSecond);
}

TEST_F(MailboxSourceTest, MboxWithoutTrailingNewlineAndEmptyMbox) {
  std::string path = Write("a", "From x Mon Jan  1 10:00:00 2024\nSubject: s\n\nno newline");
  auto messages = All(path);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].data, "Subject: s\n\nno newline");
  EXPECT_TRUE(All(Write("empty", "")).empty());
}

TEST_F(MailboxSourceTest, FileNotStartingWithFromIsOneMessage) {
  std::string data = "Received: by mx\r\nSubject: x\r\n\r\nFrom me\r\n\r\nFrom a Mon 10:00:00\r\n";
  std::string path = Write("message.eml", data);
  auto messages = All(path);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].origin, path);
  EXPECT_EQ(messages[0].data, data);  // byte-exact, no mbox processing
}

TEST_F(MailboxSourceTest, NestedFolderOfEverything) {
  Write("tree/a.eml", "Subject: a\n\na\n");
  Write("tree/b.EML", "Subject: b\n\nb\n");
  Write("tree/empty.eml", "");
  Write("tree/.DS_Store", "Subject: hidden\n\n");
  Write("tree/Inbox.msf", "// <!-- <mdb:mork:z v=\"1.4\"/> -->\n");
  Write("tree/notes.txt", "just some notes\n");
  Write("tree/mh/1", "Return-Path: <x@y>\nSubject: mh\n\n");
  Write("tree/thunderbird/Inbox", kMbox);
  Write("tree/thunderbird/Inbox.sbd/Sub", "From z Wed Jan  3 09:00:00 2024\nSubject: z\n\nz\n");
  Write("tree/maildir/new/1", "Subject: m1\n\n");
  Write("tree/maildir/cur/2:2,", "Subject: m2\n\n");
  Mkdir("tree/maildir/tmp");
  Write("tree/maildir/.Archive/new/3", "Subject: m3\n\n");
  Mkdir("tree/maildir/.Archive/cur");
  fs::create_directory_symlink(root_ + "/tree", root_ + "/tree/loop");
  auto messages = All(root_ + "/tree");
  std::vector<std::string> origins;
  for (const auto& m : messages) origins.push_back(m.origin.substr(root_.size() + 6));
  EXPECT_EQ(origins,
            (std::vector<std::string>{"a.eml", "b.EML", "maildir/new/1", "maildir/cur/2:2,",
                                      "maildir/.Archive/new/3", "mh/1", "thunderbird/Inbox#1",
                                      "thunderbird/Inbox#2", "thunderbird/Inbox.sbd/Sub#1"}));
  ASSERT_EQ(messages.size(), 9u);
  EXPECT_EQ(messages[1].data, "Subject: b\n\nb\n");
  EXPECT_EQ(messages[7].data, kSecond);
  EXPECT_EQ(messages[8].data, "Subject: z\n\nz\n");
}

TEST_F(MailboxSourceTest, LargeMboxIsCountedAndStreamed) {
  std::string mbox;
  for (int i = 0; i < 5000; ++i) {
    mbox += "From sender@example.org Mon Jan  1 10:00:00 2024\nSubject: " + std::to_string(i) +
            "\n\n" + std::string(200, 'x') + "\n\n";
  }
  std::string path = Write("big.mbox", mbox);
  auto count = CountMessages(path);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 5000u);
  size_t seen = 0;
  ASSERT_TRUE(ForEachMessage(path, [&](const MailboxMessage& m) {
                EXPECT_EQ(m.data, "Subject: " + std::to_string(seen) + "\n\n" +
                                      std::string(200, 'x') + "\n");
                ++seen;
                return util::OkStatus();
              }).ok());
  EXPECT_EQ(seen, 5000u);
}

TEST_F(MailboxSourceTest, CallbackErrorStopsTheWalk) {
  std::string path = Write("box.mbox", kMbox);
  int calls = 0;
  util::Status st = ForEachMessage(path, [&](const MailboxMessage&) -> util::Status {
    ++calls;
    return util::MakeError(util::ErrorCode::kUnavailable, "store.unavailable", "db down");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().detail, "store.unavailable");
  EXPECT_EQ(calls, 1);
}

TEST_F(MailboxSourceTest, MissingPathIsNotFound) {
  auto count = CountMessages(root_ + "/missing");
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.error().code, util::ErrorCode::kNotFound);
  util::Status st =
      ForEachMessage(root_ + "/missing", [](const MailboxMessage&) { return util::OkStatus(); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().detail, "mailbox.not_found");
}

TEST_F(MailboxSourceTest, UnreadableFileIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads everything";
  std::string path = Write("locked.eml", "Subject: x\n\n");
  ::chmod(path.c_str(), 0);
  auto count = CountMessages(path);
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.error().code, util::ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace replydesk::channels
