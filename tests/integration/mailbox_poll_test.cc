// Mailbox polling end to end: the `replydesk` binary against a private Dovecot
// (tests/support/dovecot_instance.h) on 127.0.0.1, on SQLite and PostgreSQL.
// `mailbox fetch` imports and marks seen; killed with SIGKILL at each step of
// a batch and rerun, nothing is lost and nothing duplicated; a UIDVALIDITY
// reset makes no duplicates; a wrong password and a missing folder are shown
// by `mailbox list`; POP3 delete-after-import empties the server mailbox;
// `serve` polls on its own.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "dovecot_instance.h"
#include "process.h"
#include "test_db.h"

namespace replydesk::testing {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "alice-secret";

class MailboxPollTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (std::string why = DovecotInstance::SkipReason(); !why.empty()) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDb>(GetParam());
    if (!db_->ok()) GTEST_SKIP() << db_->skip_reason();
    dovecot_ =
        std::make_unique<DovecotInstance>(std::vector<DovecotInstance::User>{{"alice", kPassword}});
    ASSERT_TRUE(dovecot_->ok()) << dovecot_->error() << dovecot_->Log();
    ASSERT_TRUE(Run({"channel", "add", "support@ours.example"}).Exited(0));
  }

  std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {
        REPLYDESK_BINARY,          "--db", db_->url(), "--job-lease", "1", "--secret-key-file",
        db_->dir() + "/secret.key"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  ProcessResult Run(const std::vector<std::string>& args, std::vector<std::string> env = {}) {
    env.push_back(std::string("RD_TEST_PW=") + kPassword);
    return RunProcess(Argv(args), "", env, 120);
  }

  json RunJson(const std::vector<std::string>& args) {
    ProcessResult r = Run(args);
    EXPECT_TRUE(r.Exited(0)) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  void AddMailbox(const std::string& name, const std::string& protocol,
                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "mailbox",
        "add",
        name,
        "--channel",
        "support@ours.example",
        "--protocol",
        protocol,
        "--host",
        "127.0.0.1",
        "--port",
        std::to_string(protocol == "imap" ? dovecot_->imap_port() : dovecot_->pop3_port()),
        "--tls",
        "none",
        "--user",
        "alice",
        "--password-env",
        "RD_TEST_PW"};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = Run(args);
    ASSERT_TRUE(r.Exited(0)) << r.err;
  }

  static std::string Message(int i) {
    return "From: Customer " + std::to_string(i) + " <c" + std::to_string(i) +
           "@example.com>\r\nTo: support@ours.example\r\nSubject: Case " + std::to_string(i) +
           "\r\nMessage-ID: <poll" + std::to_string(i) +
           "@example.com>\r\nDate: Tue, 24 Nov 2026 09:00:00 +0000\r\n\r\nBody " +
           std::to_string(i) + "\r\n";
  }

  void Deliver(int n) {
    std::vector<std::string> messages;
    for (int i = 0; i < n; ++i) messages.push_back(Message(delivered_++));
    ASSERT_EQ(dovecot_->DeliverMessages("alice", "INBOX", messages), "");
  }

  json Mailbox(const std::string& name) {
    for (const auto& m : RunJson({"mailbox", "list", "--json"})) {
      if (m["name"] == name) return m;
    }
    return json();
  }

  // Every delivered message is in exactly one processed inbound row and one article.
  void ExpectEachMessageOnce() {
    sleep(2);  // jobs a killed fetch held are claimable once their 1 s lease ends
    ProcessResult work = Run({"work"});
    ASSERT_TRUE(work.Exited(0)) << work.err;
    json inbound = RunJson({"inbound", "list", "--json", "--limit", "100000"});
    ASSERT_EQ(inbound.size(), static_cast<size_t>(delivered_));
    std::set<std::string> ids;
    for (const auto& row : inbound) {
      EXPECT_EQ(row["state"], "processed") << row.dump();
      ids.insert(row["message_id"].get<std::string>());
    }
    EXPECT_EQ(ids.size(), static_cast<size_t>(delivered_));
    json tickets = RunJson({"ticket", "list", "--json", "--limit", "100000"});
    EXPECT_EQ(tickets.size(), static_cast<size_t>(delivered_));
  }

  // Tickets once there are `n`, or after `seconds`.
  size_t WaitForTickets(size_t n, int seconds) {
    json tickets;
    for (int tries = 0; tries < seconds * 10; ++tries) {
      tickets = RunJson({"ticket", "list", "--json"});
      if (tickets.size() >= n) break;
      usleep(100 * 1000);
    }
    return tickets.size();
  }

  int SeenCount() {
    int seen = 0;
    for (const auto& [uid, flags] : dovecot_->ListFlags("alice", "INBOX")) {
      seen += flags.find("\\Seen") != std::string::npos ? 1 : 0;
    }
    return seen;
  }

  std::unique_ptr<TestDb> db_;
  std::unique_ptr<DovecotInstance> dovecot_;
  int delivered_ = 0;
};

TEST_P(MailboxPollTest, FetchImportsEveryMessageAndMarksItSeen) {
  AddMailbox("imapbox", "imap");
  Deliver(30);
  ProcessResult test = Run({"mailbox", "test", "imapbox"});
  ASSERT_TRUE(test.Exited(0)) << test.err;
  EXPECT_NE(test.out.find("30 new"), std::string::npos) << test.out;
  EXPECT_EQ(SeenCount(), 0) << "test changes nothing";
  ProcessResult fetch = Run({"mailbox", "fetch", "imapbox"});
  ASSERT_TRUE(fetch.Exited(0)) << fetch.err;
  EXPECT_NE(fetch.out.find("imported 30"), std::string::npos) << fetch.out;
  EXPECT_EQ(SeenCount(), 30);
  ExpectEachMessageOnce();
  json m = Mailbox("imapbox");
  EXPECT_EQ(m["status"], "ok");
  EXPECT_EQ(m["imported"], 30);
  EXPECT_EQ(m["last_uid"], 30);
  EXPECT_FALSE(m["last_success_at"].is_null());
  // The password is never shown, encrypted or not.
  for (const auto& args : {std::vector<std::string>{"mailbox", "list"},
                           std::vector<std::string>{"mailbox", "list", "--json"}}) {
    ProcessResult list = Run(args);
    EXPECT_EQ(list.out.find(kPassword), std::string::npos);
    EXPECT_EQ(list.out.find("password"), std::string::npos) << list.out;
  }
  // New mail only on the next fetch.
  Deliver(2);
  fetch = Run({"mailbox", "fetch", "imapbox"});
  EXPECT_NE(fetch.out.find("2 new, imported 2"), std::string::npos) << fetch.out;
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollTest, KilledAtEveryStepOfABatchLosesNothingAndDuplicatesNothing) {
  AddMailbox("imapbox", "imap");
  Deliver(120);  // batches of 50 (serve's size)
  // Each run dies at another step; see the batch arithmetic in docs/mailboxes.md.
  for (const char* fault :
       {"mailbox.after_accept@2", "mailbox.after_dispose@2", "mailbox.after_progress@1"}) {
    ProcessResult killed = Run({"mailbox", "fetch", "imapbox", "--batch", "50"},
                               {std::string("REPLYDESK_FAULT=") + fault});
    ASSERT_EQ(killed.signal, SIGKILL) << fault << " not reached: " << killed.out << killed.err;
  }
  ProcessResult rest = Run({"mailbox", "fetch", "imapbox", "--batch", "50"});
  ASSERT_TRUE(rest.Exited(0)) << rest.err;
  EXPECT_EQ(SeenCount(), 120);
  EXPECT_EQ(Mailbox("imapbox")["last_uid"], 120);
  Deliver(5);
  rest = Run({"mailbox", "fetch", "imapbox"});
  EXPECT_NE(rest.out.find("imported 5"), std::string::npos) << rest.out;
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollTest, UidValidityResetMakesNoDuplicates) {
  AddMailbox("imapbox", "imap");
  Deliver(5);
  ASSERT_TRUE(Run({"mailbox", "fetch", "imapbox"}).Exited(0));
  const uint32_t fresh = dovecot_->ResetUidValidity("alice", "INBOX");
  ASSERT_NE(fresh, 0u);
  Deliver(2);
  ProcessResult again = Run({"mailbox", "fetch", "imapbox"});
  ASSERT_TRUE(again.Exited(0)) << again.err;
  EXPECT_NE(again.out.find("imported 2, duplicates 5"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("UIDVALIDITY changed"), std::string::npos) << again.out;
  EXPECT_EQ(Mailbox("imapbox")["uid_validity"], fresh);
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollTest, FailuresAreVisiblePerMailbox) {
  ProcessResult add = Run({"mailbox", "add", "wrongpw", "--channel", "support@ours.example",
                           "--host", "127.0.0.1", "--port", std::to_string(dovecot_->imap_port()),
                           "--tls", "none", "--user", "alice", "--password-env", "RD_WRONG"},
                          {"RD_WRONG=not-the-password"});
  ASSERT_TRUE(add.Exited(0)) << add.err;
  AddMailbox("nofolder", "imap", {"--folder", "Nope"});
  Deliver(1);
  ProcessResult fetch = Run({"mailbox", "fetch", "wrongpw"});
  EXPECT_TRUE(fetch.Exited(1)) << fetch.out << fetch.err;
  EXPECT_NE(fetch.err.find("login failed"), std::string::npos) << fetch.err;
  EXPECT_FALSE(Run({"mailbox", "test", "wrongpw"}).Exited(0));
  EXPECT_TRUE(Run({"mailbox", "fetch", "nofolder"}).Exited(1));
  json wrong = Mailbox("wrongpw");
  EXPECT_EQ(wrong["status"], "failing");
  EXPECT_EQ(wrong["failures"], 1);
  EXPECT_NE(wrong["last_error"].get<std::string>().find("login failed"), std::string::npos)
      << wrong.dump();
  json nofolder = Mailbox("nofolder");
  EXPECT_NE(nofolder["last_error"].get<std::string>().find("folder missing"), std::string::npos)
      << nofolder.dump();
  ProcessResult text = Run({"mailbox", "list"});
  EXPECT_NE(text.out.find("login failed"), std::string::npos) << text.out;
  // Dovecot down: connection refused, recorded, backed off.
  ASSERT_EQ(dovecot_->Stop(), "");
  AddMailbox("down", "imap");
  EXPECT_TRUE(Run({"mailbox", "fetch", "down"}).Exited(1));
  EXPECT_NE(Mailbox("down")["last_error"].get<std::string>().find("cannot connect"),
            std::string::npos);
}

TEST_P(MailboxPollTest, Pop3DeleteAfterImportEmptiesTheMailbox) {
  AddMailbox("popbox", "pop3", {"--after", "delete"});
  Deliver(7);
  ProcessResult fetch = Run({"mailbox", "fetch", "popbox"});
  ASSERT_TRUE(fetch.Exited(0)) << fetch.err;
  EXPECT_NE(fetch.out.find("imported 7"), std::string::npos) << fetch.out;
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 0);
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollTest, Pop3KilledBeforeQuitDeletesOnTheNextFetch) {
  AddMailbox("popbox", "pop3", {"--after", "delete"});
  Deliver(3);
  ProcessResult killed =
      Run({"mailbox", "fetch", "popbox"}, {"REPLYDESK_FAULT=mailbox.after_progress"});
  ASSERT_EQ(killed.signal, SIGKILL) << killed.err;
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 3) << "no QUIT: DELE forgotten";
  ProcessResult again = Run({"mailbox", "fetch", "popbox"});
  ASSERT_TRUE(again.Exited(0)) << again.err;
  EXPECT_EQ(dovecot_->CountMessages("alice", "INBOX"), 0);
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollTest, ServePollsOnItsOwn) {
  AddMailbox("imapbox", "imap", {"--interval", "1"});
  Deliver(4);
  BackgroundProcess serve(Argv({"serve", "--lmtp", "127.0.0.1:0"}),
                          {std::string("RD_TEST_PW=") + kPassword});
  serve.WaitForLine("LMTP on");
  EXPECT_EQ(WaitForTickets(4, 20), 4u);
  Deliver(1);  // the next poll, a second later
  EXPECT_EQ(WaitForTickets(5, 20), 5u);
  EXPECT_EQ(serve.Kill(SIGTERM), 0);
  EXPECT_EQ(SeenCount(), 5);
}

// IMAP IDLE: serve learns of new mail from the server at once; polling alone
// would find it only after the hour-long interval.
TEST_P(MailboxPollTest, ServeFetchesNewMailAtOnceWithImapIdle) {
  AddMailbox("imapbox", "imap", {"--interval", "3600"});
  Deliver(1);
  BackgroundProcess serve(Argv({"serve", "--lmtp", "127.0.0.1:0"}),
                          {std::string("RD_TEST_PW=") + kPassword});
  serve.WaitForLine("LMTP on");
  EXPECT_EQ(WaitForTickets(1, 10), 1u);  // the first poll, at start
  sleep(1);                              // the watcher is in IDLE by now
  for (int round = 0; round < 2; ++round) {
    Deliver(1);
    EXPECT_EQ(WaitForTickets(2 + round, 10), 2u + round) << "round " << round;
  }
  EXPECT_EQ(serve.Kill(SIGTERM), 0);
  EXPECT_EQ(SeenCount(), 3);
  EXPECT_EQ(Mailbox("imapbox")["imported"], 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, MailboxPollTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::testing
