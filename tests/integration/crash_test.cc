// Crash test: a stream of messages is delivered through `replydesk ingest`
// as an MTA pipe would; each delivery is killed with SIGKILL at a named fault
// point on the accept or processing path, then redelivered as the MTA would
// (it saw no exit 0). At the end nothing is lost and nothing is duplicated.
// Runs on SQLite and PostgreSQL.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "process.h"
#include "serve_process.h"
#include "test_db.h"

namespace replydesk::testing {
namespace {

using nlohmann::json;

class CrashTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(GetParam());
    if (!db_->ok()) GTEST_SKIP() << db_->skip_reason();
  }

  // Blobs as files (--blob-dir) or, by default, in the database.
  ProcessResult Run(std::vector<std::string> args, const std::string& input = "",
                    std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {REPLYDESK_BINARY, "--db", db_->url(), "--job-lease", "1"};
    if (blob_files_) argv.insert(argv.end(), {"--blob-dir", db_->dir() + "/blobs"});
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, input, env);
  }

  json RunJson(std::vector<std::string> args) {
    ProcessResult r = Run(std::move(args));
    EXPECT_TRUE(r.Exited(0)) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  static std::string Message(int i) {
    // Pairs: 2k is a new request, 2k+1 replies to it.
    std::string headers = "From: Customer " + std::to_string(i / 2) + " <c" +
                          std::to_string(i / 2) + "@example.com>\nTo: support@ours.example\n";
    if (i % 2 == 0) {
      headers += "Subject: Case " + std::to_string(i / 2) + "\n";
    } else {
      headers += "Subject: Re: Case " + std::to_string(i / 2) + "\nIn-Reply-To: <m" +
                 std::to_string(i - 1) + "@example.com>\n";
    }
    return headers + "Message-ID: <m" + std::to_string(i) +
           "@example.com>\nDate: Tue, 24 Nov 2026 09:00:00 +0000\n\nBody " + std::to_string(i) +
           "\n";
  }

  // One delivery through `ingest`; with handoff_, through a copy of the
  // launcher alone (it cannot fall back to the full binary) to a serve run
  // for this delivery only, with `env` (the fault point) set on serve.
  ProcessResult Ingest(const std::string& raw, std::vector<std::string> env = {}) {
    if (!handoff_) return Run({"ingest"}, raw, std::move(env));
    std::vector<std::string> serve_argv = {REPLYDESK_BINARY, "--db", db_->url(), "--job-lease",
                                           "1"};
    if (blob_files_) serve_argv.insert(serve_argv.end(), {"--blob-dir", db_->dir() + "/blobs"});
    serve_argv.insert(serve_argv.end(), {"serve", "--lmtp", "127.0.0.1:0"});
    BackgroundProcess serve(serve_argv, env);
    EXPECT_FALSE(ServePort(serve).empty());
    ProcessResult r = RunProcess({handoff_launcher_, "--db", db_->url(), "ingest"}, raw);
    int status = env.empty() ? serve.Kill(SIGTERM) : serve.Wait(20);
    if (WIFSIGNALED(status)) {  // report serve's death as the delivery's
      EXPECT_TRUE(r.Exited(75)) << r.exit_code << " " << r.err;  // the MTA keeps it
      r.signal = WTERMSIG(status);
    }
    return r;
  }

  void KillAtEveryPointThenCheck(const std::vector<std::string>& points);

  std::unique_ptr<TestDb> db_;
  bool blob_files_ = false;
  bool handoff_ = false;
  std::string handoff_launcher_;
};

TEST_P(CrashTest, KillAtEveryFaultPointWithBlobsInTheDatabase) {
  KillAtEveryPointThenCheck({"accept.after_blob", "accept.before_commit", "accept.after_commit",
                             "process.before_commit"});
}

TEST_P(CrashTest, KillAtEveryFaultPointWithBlobFiles) {
  blob_files_ = true;
  KillAtEveryPointThenCheck({"blob.after_write", "blob.after_fsync", "blob.after_rename",
                             "accept.after_blob", "accept.before_commit", "accept.after_commit",
                             "process.before_commit"});
}

// `ingest` hands its message to a running serve (app/handoff.h), which is
// killed at each point of its accept: the launcher never answers 0 for a
// message serve did not commit, and a redelivery is stored once.
TEST_P(CrashTest, KillServeAtEveryAcceptPointDuringAnIngestHandOff) {
  ASSERT_TRUE(Run({"migrate"}).Exited(0));
  handoff_ = true;
  handoff_launcher_ = db_->dir() + "/lean/replydesk";
  std::filesystem::create_directories(db_->dir() + "/lean");
  std::filesystem::copy_file(REPLYDESK_BINARY, handoff_launcher_);
  KillAtEveryPointThenCheck({"accept.after_blob", "accept.before_commit", "accept.after_commit"});
}

// `import` accepts and processes each batch in one transaction: killed at a
// point of its second batch, it is simply run again (the files stay), which
// stores what was lost and skips what was committed.
TEST_P(CrashTest, ImportKilledMidwayIsCompletedByARerun) {
  ASSERT_TRUE(Run({"migrate"}).Exited(0));
  const std::vector<std::string> points = {"accept.before_commit@3", "process.before_commit@2"};
  int written = 0;
  for (const std::string& point : points) {
    const std::string maildir = db_->dir() + "/maildir-" + std::to_string(written);
    for (const char* sub : {"/cur", "/new", "/tmp"})
      std::filesystem::create_directories(maildir + sub);
    for (int i = 0; i < 6; ++i, ++written) {
      std::ofstream(maildir + "/new/" + std::to_string(written) + ".eml") << Message(written);
    }
    ProcessResult killed =
        Run({"import", "--batch", "2", maildir}, "", {"REPLYDESK_FAULT=" + point});
    ASSERT_EQ(killed.signal, SIGKILL) << "fault point " << point << " not reached: " << killed.err;
    ProcessResult again = Run({"import", "--batch", "2", maildir});
    ASSERT_TRUE(again.Exited(0)) << point << ": " << again.err;
    // The first batch was committed before the kill: the rerun finds it.
    EXPECT_NE(again.out.find("imported 4, duplicates 2"), std::string::npos) << again.out;
  }
  json inbound = RunJson({"inbound", "list", "--json", "--limit", "1000"});
  ASSERT_EQ(inbound.size(), static_cast<size_t>(written));
  for (const auto& row : inbound) EXPECT_EQ(row["state"], "processed") << row.dump();
  json tickets = RunJson({"ticket", "list", "--json", "--limit", "1000"});
  ASSERT_EQ(tickets.size(), static_cast<size_t>(written / 2));
  std::set<std::string> message_ids;
  for (const auto& t : tickets) {
    json shown = RunJson({"ticket", "show", std::to_string(t["number"].get<int64_t>()), "--json"});
    ASSERT_EQ(shown["articles"].size(), 2u) << shown.dump(2);  // request and its reply
    for (const auto& a : shown["articles"]) message_ids.insert(a["message_id"].get<std::string>());
  }
  EXPECT_EQ(message_ids.size(), static_cast<size_t>(written));
}

void CrashTest::KillAtEveryPointThenCheck(const std::vector<std::string>& points) {
  ASSERT_TRUE(Run({"migrate"}).Exited(0));
  int delivered = 0;
  for (size_t k = 0; k < points.size(); ++k) {
    for (int j = 0; j < 2; ++j, ++delivered) {
      const std::string raw = Message(delivered);
      ProcessResult killed = Ingest(raw, {"REPLYDESK_FAULT=" + points[k]});
      ASSERT_EQ(killed.signal, SIGKILL)
          << "fault point " << points[k] << " not reached: " << killed.err;
      // The MTA saw no exit 0: it delivers again, as often as it takes.
      ProcessResult again = Ingest(raw);
      ASSERT_TRUE(again.Exited(0)) << points[k] << ": " << again.err;
    }
  }
  // Jobs a killed worker held are retried once their lease (1 s here) ends.
  sleep(2);
  ProcessResult work = Run({"work"});
  ASSERT_TRUE(work.Exited(0)) << work.err;

  json inbound = RunJson({"inbound", "list", "--json", "--limit", "1000"});
  ASSERT_EQ(inbound.size(), static_cast<size_t>(delivered));
  for (const auto& row : inbound) EXPECT_EQ(row["state"], "processed") << row.dump();

  json tickets = RunJson({"ticket", "list", "--json", "--limit", "1000"});
  ASSERT_EQ(tickets.size(), points.size());
  std::set<std::string> message_ids;
  for (const auto& t : tickets) {
    json shown = RunJson({"ticket", "show", std::to_string(t["number"].get<int64_t>()), "--json"});
    ASSERT_EQ(shown["articles"].size(), 2u) << shown.dump(2);
    for (const auto& a : shown["articles"]) message_ids.insert(a["message_id"].get<std::string>());
  }
  EXPECT_EQ(message_ids.size(), static_cast<size_t>(delivered));  // each message exactly once
}

TEST_P(CrashTest, ServeKilledBeforeLmtpReplyLosesNothing) {
  ASSERT_TRUE(Run({"channel", "add", "support@ours.example"}).Exited(0));
  std::vector<std::string> serve_argv = {
      REPLYDESK_BINARY, "--db", db_->url(), "--blob-dir", db_->dir() + "/blobs",
      "--job-lease",    "1",    "serve",    "--lmtp",     "127.0.0.1:0",
      "--workers",      "1"};
  const int kMessages = 3;
  for (int i = 0; i < kMessages; ++i) {
    BackgroundProcess serve(serve_argv, {"REPLYDESK_FAULT=lmtp.before_reply"});
    std::string port = ServePort(serve);
    ASSERT_FALSE(port.empty());
    // Accepted and committed, but the process dies before saying 250.
    EXPECT_TRUE(LmtpSend(port, Message(2 * i)).Exited(1));
    int status = serve.Wait(20);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  }
  // The MTA redelivers everything to the restarted server.
  BackgroundProcess serve(serve_argv);
  std::string port = ServePort(serve);
  ASSERT_FALSE(port.empty());
  for (int i = 0; i < kMessages; ++i) EXPECT_TRUE(LmtpSend(port, Message(2 * i)).Exited(0));
  json tickets;
  for (int tries = 0; tries < 100; ++tries) {
    tickets = RunJson({"ticket", "list", "--json"});
    if (tickets.size() >= static_cast<size_t>(kMessages)) break;
    usleep(100 * 1000);
  }
  EXPECT_EQ(tickets.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(RunJson({"inbound", "list", "--json"}).size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(serve.Kill(SIGTERM), 0);
}

TEST_P(CrashTest, ServeAnswers451WhenTheStoreIsGone) {
  if (GetParam() != store::Backend::kPostgres) {
    GTEST_SKIP() << "needs a database that can vanish under a running server (PostgreSQL)";
  }
  ASSERT_TRUE(Run({"channel", "add", "support@ours.example"}).Exited(0));
  BackgroundProcess serve({REPLYDESK_BINARY, "--db", db_->url(), "serve", "--lmtp", "127.0.0.1:0"});
  std::string port = ServePort(serve);
  ASSERT_FALSE(port.empty());
  ASSERT_TRUE(LmtpSend(port, Message(0)).Exited(0));
  // The database disappears (dropped, as a failed server or a full disk would make it unusable).
  const std::string url = db_->url();
  const std::string name = url.substr(url.rfind('/') + 1);
  const char* admin = std::getenv("REPLYDESK_TEST_PG_URL");
  ASSERT_NE(admin, nullptr);
  ProcessResult drop =
      RunProcess({"/usr/bin/psql", admin, "-c", "DROP DATABASE " + name + " WITH (FORCE)"});
  ASSERT_TRUE(drop.Exited(0)) << drop.err;
  // The MTA is told to retry later, never that the message was taken.
  ProcessResult refused = LmtpSend(port, Message(2));
  EXPECT_TRUE(refused.Exited(1));
  EXPECT_NE(refused.out.find("451"), std::string::npos) << refused.out;
  EXPECT_EQ(serve.Kill(SIGTERM), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::testing
