// The CLI as an admin or an MTA uses it: import with its summary and rerun,
// ingest exit codes, failed processing visible and retried, inspect JSON.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "process.h"
#include "test_db.h"

namespace replydesk::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class CliTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(GetParam());
    if (!db_->ok()) GTEST_SKIP() << db_->skip_reason();
  }

  ProcessResult Run(std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv = {REPLYDESK_BINARY, "--db", db_->url()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, input);
  }

  json RunJson(std::vector<std::string> args) {
    ProcessResult r = Run(std::move(args));
    EXPECT_TRUE(r.Exited(0)) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  static std::string Mail(int i, const std::string& extra = "") {
    return "From: Customer <c" + std::to_string(i) + "@example.com>\nTo: support@ours.example\n" +
           "Subject: Question " + std::to_string(i) + "\nMessage-ID: <q" + std::to_string(i) +
           "@example.com>\n" + extra + "\nBody " + std::to_string(i) + "\n";
  }

  void Write(const fs::path& path, const std::string& data) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << data;
  }

  std::unique_ptr<TestDb> db_;
};

TEST_P(CliTest, ImportMaildirAndMboxThenRerunFindsDuplicates) {
  fs::path src = fs::path(db_->dir()) / "src";
  Write(src / "Maildir/new/1.host", Mail(1));
  Write(src / "Maildir/cur/2.host:2,S", Mail(2));
  fs::create_directories(src / "Maildir/tmp");
  Write(src / "archive.mbox", "From c3@example.com Tue Nov 24 09:00:00 2026\n" + Mail(3) +
                                  "\nFrom c4@example.com Tue Nov 24 09:00:00 2026\n" + Mail(4));
  ProcessResult first = Run({"import", src.string()});
  ASSERT_TRUE(first.Exited(0)) << first.err;
  EXPECT_NE(first.out.find("imported 4, duplicates 0, kept-but-failed 0"), std::string::npos)
      << first.out;
  EXPECT_EQ(RunJson({"ticket", "list", "--json"}).size(), 4u);
  ProcessResult again = Run({"import", src.string()});
  ASSERT_TRUE(again.Exited(0)) << again.err;
  EXPECT_NE(again.out.find("imported 0, duplicates 4"), std::string::npos) << again.out;
  EXPECT_EQ(RunJson({"ticket", "list", "--json"}).size(), 4u);
}

TEST_P(CliTest, IngestExitCodesFollowSysexits) {
  EXPECT_TRUE(Run({"ingest"}, Mail(1)).Exited(0));
  EXPECT_TRUE(Run({"ingest"}, Mail(1)).Exited(0));  // duplicate: accepted, stored once
  ProcessResult big = Run({"--max-message-bytes", "200", "ingest"},
                          Mail(2, "X-Pad: " + std::string(300, 'x') + "\n"));
  EXPECT_TRUE(big.Exited(65)) << big.exit_code << " " << big.err;
  EXPECT_NE(big.err.find("inbound.too_large"), std::string::npos);
  // No database server there: the MTA must retry later.
  ProcessResult down =
      RunProcess({REPLYDESK_BINARY, "--db", "postgresql://127.0.0.1:1/none", "ingest"}, Mail(3));
  EXPECT_TRUE(down.Exited(75)) << down.exit_code << " " << down.err;
  json inbound = RunJson({"inbound", "list", "--json"});
  ASSERT_EQ(inbound.size(), 1u);
  EXPECT_EQ(inbound[0]["state"], "processed");
  EXPECT_EQ(inbound[0]["message_id"], "q1@example.com");
}

TEST_P(CliTest, ProcessingFailureIsVisibleAndRetried) {
  ASSERT_TRUE(
      Run({"--blob-dir", db_->dir() + "/blobs", "ingest", "--no-process"}, Mail(1)).Exited(0));
  json queued = RunJson({"inbound", "list", "--state", "queued", "--json"});
  ASSERT_EQ(queued.size(), 1u);
  // The raw blob disappears (disk trouble): processing fails, the message stays listed.
  std::string sha = queued[0]["raw_sha256"];
  fs::path blob = fs::path(db_->dir()) / "blobs" / sha.substr(0, 2) / sha;
  std::string saved;
  {
    std::ifstream in(blob, std::ios::binary);
    saved.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_FALSE(saved.empty());
  fs::remove(blob);
  ASSERT_TRUE(Run({"--blob-dir", db_->dir() + "/blobs", "work"}).Exited(0));
  json failed = RunJson({"inbound", "list", "--state", "failed", "--json"});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0]["error"].get<std::string>().find("blob.not_found"), std::string::npos);
  ProcessResult text = Run({"inbound", "list"});
  EXPECT_NE(text.out.find("failed"), std::string::npos) << text.out;
  Write(blob, saved);
  ProcessResult retry = Run({"--blob-dir", db_->dir() + "/blobs", "inbound", "retry",
                             std::to_string(failed[0]["id"].get<int64_t>())});
  EXPECT_TRUE(retry.Exited(0)) << retry.out << retry.err;
  EXPECT_EQ(RunJson({"ticket", "list", "--json"}).size(), 1u);
  EXPECT_EQ(RunJson({"inbound", "list", "--state", "failed", "--json"}).size(), 0u);
}

TEST_P(CliTest, TicketShowByNumberWithArticlesAndCustomer) {
  ASSERT_TRUE(Run({"ingest"}, Mail(1)).Exited(0));
  ASSERT_TRUE(Run({"ingest"},
                  "From: c1@example.com\nSubject: Re: Question 1\nMessage-ID: <r1@x>\n"
                  "In-Reply-To: <q1@example.com>\n\nThanks\n")
                  .Exited(0));
  json t = RunJson({"ticket", "show", "T-100001", "--json"});
  EXPECT_EQ(t["number"], 100001);
  EXPECT_EQ(t["customer"]["identities"][0]["value"], "c1@example.com");
  ASSERT_EQ(t["articles"].size(), 2u);
  EXPECT_EQ(t["articles"][1]["text"], "Thanks");
  EXPECT_TRUE(Run({"ticket", "show", "100001"}).Exited(0));
  EXPECT_TRUE(Run({"ticket", "show", "999999"}).Exited(2));
}

TEST_P(CliTest, TicketAttachmentSavesTheDecodedBytes) {
  // Binary bytes, base64 in the message: saved byte for byte from the raw
  // message (an inbound attachment is not stored a second time).
  std::string bytes;
  for (int i = 0; i < 3000; ++i) bytes += static_cast<char>((i * 37) & 0xff);
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const auto b = [&](size_t k) {
      return k < bytes.size() ? static_cast<unsigned char>(bytes[k]) : 0u;
    };
    const unsigned v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    b64 += kB64[(v >> 18) & 63];
    b64 += kB64[(v >> 12) & 63];
    b64 += i + 1 < bytes.size() ? kB64[(v >> 6) & 63] : '=';
    b64 += i + 2 < bytes.size() ? kB64[v & 63] : '=';
    if (b64.size() % 77 == 76) b64 += "\n";
  }
  ASSERT_TRUE(Run({"ingest"},
                  "From: c1@example.com\nTo: support@ours.example\nSubject: Scan\n"
                  "Message-ID: <scan@x>\nMIME-Version: 1.0\n"
                  "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
                  "--b\nContent-Type: text/plain\n\nAttached.\n"
                  "--b\nContent-Type: application/octet-stream; name=\"scan.bin\"\n"
                  "Content-Disposition: attachment; filename=\"scan.bin\"\n"
                  "Content-Transfer-Encoding: base64\n\n" +
                      b64 + "\n--b--\n")
                  .Exited(0));
  json t = RunJson({"ticket", "show", "T-100001", "--json"});
  ASSERT_EQ(t["articles"][0]["attachments"].size(), 1u);
  const int64_t id = t["articles"][0]["attachments"][0]["id"];
  ProcessResult text = Run({"ticket", "show", "T-100001"});
  EXPECT_NE(text.out.find("[attachment " + std::to_string(id) + "] scan.bin"), std::string::npos)
      << text.out;
  const fs::path out = fs::path(db_->dir()) / "saved.bin";
  ProcessResult saved = Run({"ticket", "attachment", std::to_string(id), "--out", out.string()});
  ASSERT_TRUE(saved.Exited(0)) << saved.err;
  std::ifstream in(out, std::ios::binary);
  const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(got == bytes) << got.size();
  ProcessResult to_stdout = Run({"ticket", "attachment", std::to_string(id)});
  ASSERT_TRUE(to_stdout.Exited(0)) << to_stdout.err;
  EXPECT_TRUE(to_stdout.out == bytes) << to_stdout.out.size();
  EXPECT_TRUE(Run({"ticket", "attachment", std::to_string(id + 100)}).Exited(2));
}

TEST(InspectCliTest, JsonContract) {
  char tmpl[] = "/tmp/replydesk-inspect-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/m.eml";
  std::ofstream(path) << "From: =?koi8-r?B?6dfBzg==?= <ivan@example.ru>\nTo: a@b.c\n"
                         "Subject: =?utf-8?B?0J/RgNC40LLQtdGC?=\nMessage-ID: <x@y>\n"
                         "Auto-Submitted: auto-replied\n\nhello\n";
  ProcessResult r = RunProcess({REPLYDESK_BINARY, "inspect", path, "--json"});
  ASSERT_TRUE(r.Exited(0)) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["from"][0]["name"], "Иван");
  EXPECT_EQ(j["subject"], "Привет");
  EXPECT_EQ(j["message_id"], "x@y");
  EXPECT_EQ(j["auto_submitted"], true);
  for (const char* key :
       {"to", "cc", "date", "in_reply_to", "references", "text", "html", "attachments", "flags"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_TRUE(RunProcess({REPLYDESK_BINARY, "inspect", dir + "/missing.eml"}).Exited(66));
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, CliTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::testing
