// IMAP and POP3 clients (channels/imap_mailbox, pop3_mailbox, through
// RemoteMailboxFactoryImpl) against a private Dovecot
// (tests/support/dovecot_instance.h) on 127.0.0.1, plus the IMAP syntax helpers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "channels/imap_mailbox.h"
#include "channels/imap_syntax.h"
#include "channels/remote_mailbox_factory.h"
#include "dovecot_instance.h"
#include "postfix_instance.h"  // FreeLoopbackPort

namespace replydesk {
namespace {

using channels::MailboxClientOptions;
using channels::RemoteMailboxFactoryImpl;
using services::AfterImport;
using services::RemoteMailbox;
using services::RemoteMailboxConfig;
using services::RemoteMessageRef;
using services::TlsMode;
using testing::DovecotInstance;
using util::ErrorCode;

constexpr const char* kPassword = "alice-secret";

const std::string kPlain =
    "From: Customer <customer@example.com>\r\nTo: support@example.com\r\n"
    "Subject: one\r\nMessage-ID: <one@example.com>\r\n\r\nHello\r\n";
// 8-bit UTF-8 body, and a header that looks like an IMAP literal.
const std::string kEightBit =
    "From: =?utf-8?b?0JjQstCw0L0=?= <ivan@example.ru>\r\nSubject: trick {12}\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xc8\x99i \xc8\x9b\r\n)\r\n";
// Lines starting with "." (POP3 dot-stuffing), one of them a lone ".".
const std::string kDots =
    "From: dots@example.com\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n";

class RemoteMailboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = DovecotInstance::SkipReason(); !why.empty()) GTEST_SKIP() << why;
    dovecot_ = std::make_unique<DovecotInstance>(
        std::vector<DovecotInstance::User>{{"alice", kPassword}, {"ivan", "пароль-1"}});
    ASSERT_TRUE(dovecot_->ok()) << dovecot_->error();
    factory_ =
        std::make_unique<RemoteMailboxFactoryImpl>(MailboxClientOptions{dovecot_->ca_file()});
  }

  RemoteMailboxConfig Imap(AfterImport after = AfterImport::kMarkSeen) const {
    RemoteMailboxConfig c;
    c.protocol = "imap";
    c.host = "127.0.0.1";
    c.port = dovecot_->imap_port();
    c.tls = TlsMode::kNone;
    c.user = "alice";
    c.password = kPassword;
    c.after = after;
    c.timeout_seconds = 10;
    return c;
  }
  RemoteMailboxConfig Pop3(AfterImport after = AfterImport::kDelete) const {
    RemoteMailboxConfig c = Imap(after);
    c.protocol = "pop3";
    c.port = dovecot_->pop3_port();
    return c;
  }

  std::unique_ptr<RemoteMailbox> OpenOk(const RemoteMailboxConfig& config) {
    auto box = factory_->Open(config);
    EXPECT_TRUE(box.ok()) << box.error().ToString();
    return box.ok() ? std::move(box).value() : nullptr;
  }

  void Deliver(const std::vector<std::string>& messages, const std::string& folder = "INBOX") {
    for (const std::string& m : messages)
      ASSERT_EQ(dovecot_->DeliverMessage("alice", folder, m), "");
  }

  std::unique_ptr<DovecotInstance> dovecot_;
  std::unique_ptr<RemoteMailboxFactoryImpl> factory_;
};

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::vector<uint32_t> UidNumbers(const std::vector<RemoteMessageRef>& refs) {
  std::vector<uint32_t> uids;
  for (const auto& r : refs) uids.push_back(r.uid_number);
  return uids;
}

TEST_F(RemoteMailboxTest, ImapListsAndFetchesExactBytesWithoutMarkingSeen) {
  Deliver({kPlain, kEightBit, kDots});
  auto box = OpenOk(Imap());
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  EXPECT_EQ(state->uid_validity, dovecot_->UidValidity("alice", "INBOX"));
  ASSERT_EQ(state->messages.size(), 3u);
  const std::string originals[] = {kPlain, kEightBit, kDots};
  for (size_t i = 0; i < 3; ++i) {
    const RemoteMessageRef& ref = state->messages[i];
    EXPECT_EQ(ref.uid_number, i + 1);
    EXPECT_EQ(ref.uid, std::to_string(i + 1));
    EXPECT_EQ(ref.size, static_cast<int64_t>(originals[i].size()));
    auto raw = box->Fetch(ref);
    ASSERT_TRUE(raw.ok()) << raw.error().ToString();
    EXPECT_EQ(*raw, originals[i]);
  }
  // Fetching again (no longer in the prefetch window) gives the same bytes.
  auto again = box->Fetch(state->messages[1]);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, kEightBit);
  EXPECT_TRUE(box->Close().ok());
  for (const auto& [uid, flags] : dovecot_->ListFlags("alice", "INBOX")) {
    EXPECT_EQ(flags.find("\\Seen"), std::string::npos) << "UID " << uid << ": " << flags;
  }
}

TEST_F(RemoteMailboxTest, ImapListsOnlyUidsAfterTheGivenOne) {
  Deliver({kPlain, kPlain, kPlain});
  auto box = OpenOk(Imap());
  ASSERT_TRUE(box);
  const uint32_t validity = dovecot_->UidValidity("alice", "INBOX");
  auto state = box->List(validity, 1);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(UidNumbers(state->messages), (std::vector<uint32_t>{2, 3}));
  // "UID FETCH 4:*" returns UID 3 (the last message): it must not be listed.
  state = box->List(validity, 3);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->messages.empty());
  state = box->List(validity, 100);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->messages.empty());
  // A new message shows up in the next List of the same session.
  Deliver({kDots});
  state = box->List(validity, 3);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(UidNumbers(state->messages), (std::vector<uint32_t>{4}));
}

TEST_F(RemoteMailboxTest, ImapListsEverythingWhenUidValidityChanged) {
  Deliver({kPlain, kEightBit});
  const uint32_t before = dovecot_->UidValidity("alice", "INBOX");
  const uint32_t after = dovecot_->ResetUidValidity("alice", "INBOX");
  ASSERT_NE(after, 0u);
  auto box = OpenOk(Imap());
  ASSERT_TRUE(box);
  auto state = box->List(before, 2);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->uid_validity, after);
  EXPECT_EQ(state->messages.size(), 2u);
  state = box->List(after, 2);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->messages.empty());
}

TEST_F(RemoteMailboxTest, ImapEmptyFolderListsNothing) {
  auto box = OpenOk(Imap());
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  EXPECT_NE(state->uid_validity, 0u);
  EXPECT_TRUE(state->messages.empty());
}

TEST_F(RemoteMailboxTest, ImapMarkSeenFlagsOnlyDisposedMessages) {
  Deliver({kPlain, kPlain, kPlain});
  auto box = OpenOk(Imap(AfterImport::kMarkSeen));
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(box->Dispose({state->messages[0], state->messages[2]}).ok());
  ASSERT_TRUE(box->Close().ok());
  auto flags = dovecot_->ListFlags("alice", "INBOX");
  EXPECT_EQ(flags[1], "\\Seen");
  EXPECT_EQ(flags[2], "");
  EXPECT_EQ(flags[3], "\\Seen");
}

TEST_F(RemoteMailboxTest, ImapKeepLeavesMessagesUntouched) {
  Deliver({kPlain});
  auto box = OpenOk(Imap(AfterImport::kKeep));
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(box->Fetch(state->messages[0]).ok());
  ASSERT_TRUE(box->Dispose(state->messages).ok());
  ASSERT_TRUE(box->Close().ok());
  EXPECT_EQ(dovecot_->ListFlags("alice", "INBOX")[1], "");
}

TEST_F(RemoteMailboxTest, ImapMovesToAFolderWithANonAsciiName) {
  Deliver({kPlain, kEightBit, kDots});
  ASSERT_EQ(dovecot_->CreateFolder("alice", "Обработано/2026"), "");
  RemoteMailboxConfig config = Imap(AfterImport::kMove);
  config.move_to = "Обработано/2026";
  auto box = OpenOk(config);
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(box->Dispose({state->messages[0], state->messages[1]}).ok());
  ASSERT_TRUE(box->Close().ok());
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 1);
  EXPECT_EQ(dovecot_->CountMessages("alice", "Обработано/2026"), 2);
}

TEST_F(RemoteMailboxTest, ImapMoveToAMissingFolderIsAFolderError) {
  Deliver({kPlain});
  RemoteMailboxConfig config = Imap(AfterImport::kMove);
  config.move_to = "Nowhere";
  auto box = OpenOk(config);
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok());
  util::Status s = box->Dispose(state->messages);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.error().detail, "mailbox.folder");
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 1);
}

TEST_F(RemoteMailboxTest, ImapDeleteExpungesOnlyDisposedMessages) {
  Deliver({kPlain, kEightBit, kDots});
  auto box = OpenOk(Imap(AfterImport::kDelete));
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(box->Dispose({state->messages[0], state->messages[2]}).ok());
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 1);
  auto rest = box->List(state->uid_validity, 0);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(UidNumbers(rest->messages), (std::vector<uint32_t>{2}));
  auto raw = box->Fetch(rest->messages[0]);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, kEightBit);
  EXPECT_TRUE(box->Close().ok());
}

TEST_F(RemoteMailboxTest, ImapFetchOfAMissingMessageSaysGone) {
  Deliver({kPlain, kPlain});
  auto box = OpenOk(Imap());
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok());
  // Another client deletes UID 2 between List and Fetch.
  ASSERT_TRUE(
      dovecot_->Doveadm({"expunge", "-u", "alice", "mailbox", "INBOX", "uid", "2"}).Exited(0));
  auto first = box->Fetch(state->messages[0]);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  auto second = box->Fetch(state->messages[1]);  // Dovecot: "BODY[] NIL", not an empty message
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().detail, "mailbox.gone");
  auto never = box->Fetch({"99", 99, 10});
  ASSERT_FALSE(never.ok());
  EXPECT_EQ(never.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(never.error().detail, "mailbox.gone");
  // The session is still usable.
  auto again = box->List(state->uid_validity, 0);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(UidNumbers(again->messages), (std::vector<uint32_t>{1}));
}

TEST_F(RemoteMailboxTest, ImapManyMessagesInFewCommands) {
  // REPLYDESK_IMAP_MESSAGES=10000 turns this into the import benchmark.
  const char* env = std::getenv("REPLYDESK_IMAP_MESSAGES");
  const int n = env != nullptr ? std::max(2, std::atoi(env)) : 1200;
  std::vector<std::string> messages;
  for (int i = 0; i < n; ++i) {
    messages.push_back("Subject: bulk " + std::to_string(i) + "\r\nMessage-ID: <bulk" +
                       std::to_string(i) + "@example.com>\r\n\r\n" + std::string(2000, 'x') +
                       "\r\n");
  }
  ASSERT_EQ(dovecot_->DeliverMessages("alice", "INBOX", messages), "");
  auto box = OpenOk(Imap(AfterImport::kMarkSeen));
  ASSERT_TRUE(box);
  const double cpu_before = CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  ASSERT_EQ(state->messages.size(), static_cast<size_t>(n));
  size_t bytes = 0;
  std::vector<RemoteMessageRef> every_other;
  for (size_t i = 0; i < state->messages.size(); ++i) {
    auto raw = box->Fetch(state->messages[i]);
    ASSERT_TRUE(raw.ok()) << raw.error().ToString();
    ASSERT_EQ(static_cast<int64_t>(raw->size()), state->messages[i].size);
    bytes += raw->size();
    if (i % 2 == 0) every_other.push_back(state->messages[i]);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "listed and fetched %d messages (%zu bytes) in %.3f s: %.0f messages/s, client CPU %.3f s\n",
      n, bytes, seconds, n / seconds, CpuSeconds() - cpu_before);
  // 600 scattered UIDs: more than one STORE command's worth of UID set.
  ASSERT_TRUE(box->Dispose(every_other).ok());
  ASSERT_TRUE(box->Close().ok());
  auto flags = dovecot_->ListFlags("alice", "INBOX");
  int seen = 0;
  for (const auto& [uid, f] : flags) seen += f == "\\Seen";
  EXPECT_EQ(seen, n / 2);
}

// IMAP IDLE (RFC 2177): the wait ends at once on new mail, at its deadline
// when nothing comes, or when asked to stop; the session stays usable.
TEST_F(RemoteMailboxTest, ImapIdleWakesOnNewMailEndsAtItsDeadlineOrWhenStopped) {
  using Clock = std::chrono::steady_clock;
  Deliver({kPlain});
  auto box = OpenOk(Imap());
  ASSERT_TRUE(box);
  ASSERT_TRUE(box->CanWaitForNews());
  ASSERT_EQ(box->List(0, 0)->messages.size(), 1u);

  auto t0 = Clock::now();
  auto quiet = box->WaitForNews(1, nullptr);
  ASSERT_TRUE(quiet.ok()) << quiet.error().ToString();
  EXPECT_FALSE(*quiet);
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(900));

  std::thread deliver([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Deliver({kEightBit});
  });
  t0 = Clock::now();
  auto news = box->WaitForNews(30, nullptr);
  deliver.join();
  ASSERT_TRUE(news.ok()) << news.error().ToString();
  EXPECT_TRUE(*news);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));  // pushed, not found by a later poll

  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  t0 = Clock::now();
  auto stopped = box->WaitForNews(30, &stop);
  stopper.join();
  ASSERT_TRUE(stopped.ok()) << stopped.error().ToString();
  EXPECT_FALSE(*stopped);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));

  auto state = box->List(dovecot_->UidValidity("alice", "INBOX"), 1);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  EXPECT_EQ(UidNumbers(state->messages), std::vector<uint32_t>{2});
  EXPECT_TRUE(box->Close().ok());
}

TEST_F(RemoteMailboxTest, ImapWrongPasswordIsAnAuthErrorWithoutThePassword) {
  RemoteMailboxConfig config = Imap();
  config.password = "not-the-password";
  auto box = factory_->Open(config);
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(box.error().detail, "mailbox.auth");
  const std::string where = "127.0.0.1:" + std::to_string(dovecot_->imap_port());
  EXPECT_NE(box.error().message.find("wrong password for user alice at " + where),
            std::string::npos)
      << box.error().message;
  EXPECT_EQ(box.error().message.find("not-the-password"), std::string::npos);
}

TEST_F(RemoteMailboxTest, ImapNonAsciiPasswordIsSentAsALiteral) {
  ASSERT_EQ(dovecot_->DeliverMessage("ivan", "INBOX", kEightBit), "");
  RemoteMailboxConfig config = Imap();
  config.user = "ivan";
  config.password = "пароль-1";
  auto box = OpenOk(config);
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->messages.size(), 1u);
}

TEST_F(RemoteMailboxTest, ImapMissingFolderIsAFolderError) {
  RemoteMailboxConfig config = Imap();
  config.folder = "Support/Missing";
  auto box = OpenOk(config);
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(state.error().detail, "mailbox.folder");
  EXPECT_NE(state.error().message.find("Support/Missing"), std::string::npos);
}

TEST_F(RemoteMailboxTest, ImapReadsANonAsciiFolder) {
  ASSERT_EQ(dovecot_->CreateFolder("alice", "Поддержка & Co"), "");
  Deliver({kDots}, "Поддержка & Co");
  RemoteMailboxConfig config = Imap();
  config.folder = "Поддержка & Co";
  auto box = OpenOk(config);
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  ASSERT_EQ(state->messages.size(), 1u);
  auto raw = box->Fetch(state->messages[0]);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, kDots);
}

TEST_F(RemoteMailboxTest, ConnectionRefusedIsUnavailable) {
  ASSERT_EQ(dovecot_->Stop(), "");
  for (RemoteMailboxConfig config : {Imap(), Pop3()}) {
    auto box = factory_->Open(config);
    ASSERT_FALSE(box.ok());
    EXPECT_EQ(box.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(box.error().detail, "mailbox.connect");
    EXPECT_NE(box.error().message.find("refused"), std::string::npos) << box.error().message;
  }
  ASSERT_EQ(dovecot_->Start(), "");
  EXPECT_TRUE(OpenOk(Imap()));
}

TEST_F(RemoteMailboxTest, SilentServerTimesOut) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  RemoteMailboxConfig config = Imap();
  config.port = ntohs(addr.sin_port);
  config.timeout_seconds = 1;
  auto start = std::chrono::steady_clock::now();
  auto box = factory_->Open(config);  // connects (backlog), never greeted
  close(fd);
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.error().detail, "mailbox.connect");
  EXPECT_NE(box.error().message.find("timed out"), std::string::npos) << box.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(RemoteMailboxTest, ImplicitTlsAndStartTlsWithTheTestCa) {
  Deliver({kEightBit});
  RemoteMailboxConfig imaps = Imap();
  imaps.tls = TlsMode::kTls;
  imaps.port = dovecot_->imaps_port();
  RemoteMailboxConfig starttls = Imap();
  starttls.tls = TlsMode::kStartTls;
  RemoteMailboxConfig pop3s = Pop3(AfterImport::kKeep);
  pop3s.tls = TlsMode::kTls;
  pop3s.port = dovecot_->pop3s_port();
  RemoteMailboxConfig stls = Pop3(AfterImport::kKeep);
  stls.tls = TlsMode::kStartTls;
  for (const RemoteMailboxConfig& config : {imaps, starttls, pop3s, stls}) {
    SCOPED_TRACE(config.protocol + " port " + std::to_string(config.port));
    auto box = OpenOk(config);
    ASSERT_TRUE(box);
    auto state = box->List(0, 0);
    ASSERT_TRUE(state.ok()) << state.error().ToString();
    ASSERT_EQ(state->messages.size(), 1u);
    auto raw = box->Fetch(state->messages[0]);
    ASSERT_TRUE(raw.ok()) << raw.error().ToString();
    EXPECT_EQ(*raw, kEightBit);
    EXPECT_TRUE(box->Close().ok());
  }
  // "localhost" matches the certificate's DNS name as well.
  imaps.host = "localhost";
  EXPECT_TRUE(OpenOk(imaps));
}

TEST_F(RemoteMailboxTest, UntrustedCertificateIsRefused) {
  RemoteMailboxFactoryImpl system_store;  // no test CA
  RemoteMailboxConfig imaps = Imap();
  imaps.tls = TlsMode::kTls;
  imaps.port = dovecot_->imaps_port();
  RemoteMailboxConfig stls = Pop3();
  stls.tls = TlsMode::kStartTls;
  for (const RemoteMailboxConfig& config : {imaps, stls}) {
    auto box = system_store.Open(config);
    ASSERT_FALSE(box.ok());
    EXPECT_EQ(box.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(box.error().detail, "mailbox.connect");
    EXPECT_NE(box.error().message.find("certificate"), std::string::npos) << box.error().message;
  }
}

TEST_F(RemoteMailboxTest, PlaintextToANonLoopbackHostIsRefused) {
  for (RemoteMailboxConfig config : {Imap(), Pop3()}) {
    config.host = "192.0.2.10";  // TEST-NET-1: never contacted
    auto box = factory_->Open(config);
    ASSERT_FALSE(box.ok());
    EXPECT_EQ(box.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(box.error().detail, "mailbox.insecure");
    EXPECT_EQ(box.error().message.find(kPassword), std::string::npos);
  }
}

TEST_F(RemoteMailboxTest, UnknownProtocolIsAConfigError) {
  RemoteMailboxConfig config = Imap();
  config.protocol = "jmap";
  auto box = factory_->Open(config);
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(box.error().detail, "mailbox.config");
}

TEST_F(RemoteMailboxTest, Pop3ListsByUidlAndFetchesExactBytes) {
  Deliver({kPlain, kEightBit, kDots});
  auto box = OpenOk(Pop3(AfterImport::kKeep));
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  EXPECT_EQ(state->uid_validity, 0u);
  ASSERT_EQ(state->messages.size(), 3u);
  const std::string originals[] = {kPlain, kEightBit, kDots};
  for (size_t i = 0; i < 3; ++i) {
    const RemoteMessageRef& ref = state->messages[i];
    EXPECT_FALSE(ref.uid.empty());
    EXPECT_EQ(ref.uid_number, 0u);
    EXPECT_EQ(ref.size, static_cast<int64_t>(originals[i].size()));
    auto raw = box->Fetch(ref);
    ASSERT_TRUE(raw.ok()) << raw.error().ToString();
    EXPECT_EQ(*raw, originals[i]);
  }
  EXPECT_NE(state->messages[0].uid, state->messages[1].uid);
  ASSERT_TRUE(box->Dispose(state->messages).ok());  // kKeep: nothing
  ASSERT_TRUE(box->Close().ok());
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 3);
  // The same UIDLs in the next session.
  auto next = OpenOk(Pop3(AfterImport::kKeep));
  ASSERT_TRUE(next);
  auto again = next->List(0, 0);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->messages.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(again->messages[i].uid, state->messages[i].uid);
}

TEST_F(RemoteMailboxTest, Pop3DeletesAtQuitOnly) {
  Deliver({kPlain, kEightBit, kDots});
  {
    // A session that ends without QUIT deletes nothing.
    auto box = OpenOk(Pop3(AfterImport::kDelete));
    ASSERT_TRUE(box);
    auto state = box->List(0, 0);
    ASSERT_TRUE(state.ok());
    ASSERT_TRUE(box->Dispose(state->messages).ok());
  }
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 3);
  auto box = OpenOk(Pop3(AfterImport::kDelete));
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(box->Dispose({state->messages[0], state->messages[2]}).ok());
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 3);
  ASSERT_TRUE(box->Close().ok());
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 1);
  auto rest = OpenOk(Pop3(AfterImport::kDelete));
  ASSERT_TRUE(rest);
  auto left = rest->List(0, 0);
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->messages.size(), 1u);
  EXPECT_EQ(left->messages[0].uid, state->messages[1].uid);
  auto raw = rest->Fetch(left->messages[0]);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, kEightBit);
}

TEST_F(RemoteMailboxTest, Pop3MarkSeenLeavesMessages) {
  Deliver({kPlain});
  auto box = OpenOk(Pop3(AfterImport::kMarkSeen));
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(box->Dispose(state->messages).ok());
  ASSERT_TRUE(box->Close().ok());
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 1);
}

TEST_F(RemoteMailboxTest, Pop3DeletesManyInPipelinedBursts) {
  std::vector<std::string> messages(300, kPlain);
  ASSERT_EQ(dovecot_->DeliverMessages("alice", "INBOX", messages), "");
  auto box = OpenOk(Pop3(AfterImport::kDelete));
  ASSERT_TRUE(box);
  auto state = box->List(0, 0);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  ASSERT_EQ(state->messages.size(), 300u);
  std::vector<RemoteMessageRef> some(state->messages.begin(), state->messages.begin() + 200);
  ASSERT_TRUE(box->Dispose(some).ok());
  ASSERT_TRUE(box->Close().ok());
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 100);
}

TEST_F(RemoteMailboxTest, Pop3WrongPasswordIsAnAuthError) {
  RemoteMailboxConfig config = Pop3();
  config.password = "not-the-password";
  auto box = factory_->Open(config);
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(box.error().detail, "mailbox.auth");
  EXPECT_NE(box.error().message.find("user alice at 127.0.0.1:"), std::string::npos);
  EXPECT_EQ(box.error().message.find("not-the-password"), std::string::npos);
}

TEST_F(RemoteMailboxTest, HarnessHelpers) {
  DovecotInstance& d = *dovecot_;
  ASSERT_EQ(d.CreateFolder("alice", "Archive/2026"), "");
  ASSERT_EQ(d.DeliverMessages("alice", "Archive/2026", {kPlain, kDots}), "");
  EXPECT_EQ(d.CountMessages("alice", "Archive/2026"), 2);
  EXPECT_EQ(d.CountMessages("alice", "Missing"), -1);
  uint32_t before = d.UidValidity("alice", "Archive/2026");
  ASSERT_NE(before, 0u);
  EXPECT_EQ(d.ResetUidValidity("alice", "Archive/2026"), before + 1);
  EXPECT_EQ(d.ListFlags("alice", "Archive/2026").size(), 2u);
}

// A scripted IMAP server for what Dovecot does not do: no LITERAL+, MOVE or
// UIDPLUS (synchronizing literals, COPY + STORE + EXPUNGE), a connection
// dropped in the middle of a literal. Serves one connection on a thread.
class FakeImapServer {
 public:
  // `answer` gets each command (tag stripped, literals inlined) and returns
  // the lines to send after it, "TAG" standing for the tag; "" closes.
  explicit FakeImapServer(std::function<std::string(const std::string&)> answer)
      : answer_(std::move(answer)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 1);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeImapServer() {
    shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    close(listen_fd_);
  }
  int port() const { return port_; }
  std::vector<std::string> commands() {
    std::lock_guard<std::mutex> lock(mutex_);
    return commands_;
  }

 private:
  bool ReadLine(int fd, std::string& line) {
    line.clear();
    char c;
    while (recv(fd, &c, 1, 0) == 1) {
      if (c == '\n') return true;
      if (c != '\r') line += c;
    }
    return false;
  }
  void Serve() {
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    const std::string greeting = "* OK [CAPABILITY IMAP4rev1] fake\r\n";
    send(fd, greeting.data(), greeting.size(), MSG_NOSIGNAL);
    std::string line;
    while (ReadLine(fd, line)) {
      // A synchronizing literal: "+", then its bytes, then the rest of the line.
      while (line.size() > 2 && line.back() == '}' && line.find('{') != std::string::npos) {
        size_t open = line.rfind('{');
        size_t n = std::stoul(line.substr(open + 1));
        send(fd, "+ go on\r\n", 9, MSG_NOSIGNAL);
        std::string bytes(n, '\0');
        if (recv(fd, bytes.data(), n, MSG_WAITALL) != static_cast<ssize_t>(n)) break;
        std::string rest;
        ReadLine(fd, rest);
        line = line.substr(0, open) + "<" + bytes + ">" + rest;
      }
      const std::string tag = line.substr(0, line.find(' '));
      const std::string command = line.substr(tag.size() + 1);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        commands_.push_back(command);
      }
      std::string out = answer_(command);
      if (out.empty()) break;
      for (size_t at; (at = out.find("TAG")) != std::string::npos;) out.replace(at, 3, tag);
      send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    }
    close(fd);
  }

  std::function<std::string(const std::string&)> answer_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> commands_;
};

std::string OldServer(const std::string& command) {
  if (command.starts_with("LOGIN")) return "TAG OK [CAPABILITY IMAP4rev1] logged in\r\n";
  if (command.starts_with("SELECT")) {
    return "* 2 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\nTAG OK [READ-WRITE] done\r\n";
  }
  if (command.starts_with("UID FETCH 1:* (UID RFC822.SIZE)")) {
    return "* 1 FETCH (UID 7 RFC822.SIZE 3)\r\n* 2 FETCH (RFC822.SIZE 4 UID 8)\r\nTAG OK done\r\n";
  }
  if (command.starts_with("UID FETCH 7:8 (UID BODY.PEEK[])")) {
    return "* 1 FETCH (UID 7 BODY[] {3}\r\na\r\n)\r\n* 2 FETCH (UID 8 BODY[] {10}\r\nb\r\n";  // cut
  }
  if (command.starts_with("LOGOUT")) return "* BYE bye\r\nTAG OK done\r\n";
  return "TAG OK done\r\n";
}

TEST(FakeImapTest, OldServerGetsSynchronizingLiteralsAndCopyStoreExpunge) {
  FakeImapServer server(OldServer);
  RemoteMailboxConfig config;
  config.protocol = "imap";
  config.host = "127.0.0.1";
  config.port = server.port();
  config.tls = TlsMode::kNone;
  config.user = "ivan";
  config.password = "пароль";
  config.after = AfterImport::kMove;
  config.move_to = "Done";
  config.timeout_seconds = 5;
  auto box = RemoteMailboxFactoryImpl().Open(config);
  ASSERT_TRUE(box.ok()) << box.error().ToString();
  auto state = (*box)->List(0, 0);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  EXPECT_EQ(state->uid_validity, 5u);
  ASSERT_EQ(UidNumbers(state->messages), (std::vector<uint32_t>{7, 8}));
  EXPECT_EQ(state->messages[1].size, 4);
  ASSERT_TRUE((*box)->Dispose(state->messages).ok());
  ASSERT_TRUE((*box)->Close().ok());
  const std::vector<std::string> expected = {"LOGIN \"ivan\" <пароль>",
                                             "SELECT \"INBOX\"",
                                             "UID FETCH 1:* (UID RFC822.SIZE)",
                                             "UID COPY 7:8 \"Done\"",
                                             "UID STORE 7:8 +FLAGS.SILENT (\\Deleted)",
                                             "EXPUNGE",
                                             "LOGOUT"};
  EXPECT_EQ(server.commands(), expected);
}

TEST(FakeImapTest, ConnectionLostInALiteralIsUnavailableAndEndsTheSession) {
  FakeImapServer server([](const std::string& command) -> std::string {
    if (command.starts_with("UID FETCH 7:8 (UID BODY.PEEK[])")) return "";  // closes
    return OldServer(command);
  });
  RemoteMailboxConfig config;
  config.protocol = "imap";
  config.host = "localhost";
  config.port = server.port();
  config.tls = TlsMode::kNone;
  config.user = "ivan";
  config.password = "x";
  config.timeout_seconds = 5;
  auto box = RemoteMailboxFactoryImpl().Open(config);
  ASSERT_TRUE(box.ok()) << box.error().ToString();
  auto state = (*box)->List(0, 0);
  ASSERT_TRUE(state.ok());
  auto raw = (*box)->Fetch(state->messages[0]);
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(raw.error().detail, "mailbox.connect");
  auto after = (*box)->List(0, 0);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().detail, "mailbox.connect");
}

// IMAP syntax helpers (pure functions).

TEST(ImapSyntaxTest, EncodesMailboxNamesInModifiedUtf7) {
  using channels::imap::EncodeMailboxName;
  EXPECT_EQ(EncodeMailboxName("INBOX"), "INBOX");
  EXPECT_EQ(EncodeMailboxName("Архив"), "&BBAEQARFBDgEMg-");  // as Dovecot names its folder
  EXPECT_EQ(EncodeMailboxName("R&D"), "R&-D");
  EXPECT_EQ(EncodeMailboxName("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-");                  // RFC 3501
  EXPECT_EQ(EncodeMailboxName("\xF0\x9F\x93\xA7"), "&2D3c5w-");  // U+1F4E7: a surrogate pair
}

TEST(ImapSyntaxTest, CompressesUidSetsAndSplitsLongOnes) {
  using channels::imap::UidSets;
  EXPECT_EQ(UidSets({7, 1, 2, 3, 5, 8, 3}), (std::vector<std::string>{"1:3,5,7:8"}));
  EXPECT_TRUE(UidSets({}).empty());
  auto sets = UidSets({1, 3, 5, 7, 9, 11}, 5);
  EXPECT_EQ(sets, (std::vector<std::string>{"1,3,5", "7,9", "11"}));
}

TEST(ImapSyntaxTest, ParsesFetchResponses) {
  channels::imap::Response r;
  r.lines = {"* 4 FETCH (UID 40 RFC822.SIZE 5 BODY[] {5}", " FLAGS (\\Seen))"};
  r.literals = {"a\r\nb)"};
  auto items = channels::imap::ParseFetch(r);
  EXPECT_TRUE(items.is_fetch);
  EXPECT_EQ(items.uid, 40u);
  EXPECT_EQ(items.size, 5);
  EXPECT_EQ(items.body, "a\r\nb)");
  channels::imap::Response quoted;
  quoted.lines = {"* 1 FETCH (BODY[] \"x\\\"y\" UID 9)"};
  items = channels::imap::ParseFetch(quoted);
  EXPECT_EQ(items.uid, 9u);
  EXPECT_EQ(items.body, "x\"y");
  channels::imap::Response gone;  // Dovecot, for a message expunged by another session
  gone.lines = {"* 2 FETCH (UID 2 BODY[] NIL)"};
  items = channels::imap::ParseFetch(gone);
  EXPECT_EQ(items.uid, 2u);
  EXPECT_FALSE(items.body.has_value());
  channels::imap::Response other;
  other.lines = {"* 3 EXISTS"};
  EXPECT_FALSE(channels::imap::ParseFetch(other).is_fetch);
  EXPECT_EQ(channels::imap::UntaggedNumber("* 3 EXISTS", "EXISTS"), 3u);
  EXPECT_EQ(channels::imap::ResponseCodeNumber("* OK [UIDVALIDITY 777] UIDs valid", "UIDVALIDITY"),
            777u);
}

TEST(ImapSyntaxTest, QuotesOrUsesLiterals) {
  channels::imap::Command c;
  c.Text("LOGIN ").String("a\"b\\").Text(" ").String("пароль");
  ASSERT_EQ(c.pieces.size(), 3u);
  EXPECT_EQ(c.pieces[0], "LOGIN \"a\\\"b\\\\\" {12}");
  EXPECT_EQ(c.pieces[1], "пароль");
  EXPECT_EQ(c.pieces[2], "");
}

}  // namespace
}  // namespace replydesk
