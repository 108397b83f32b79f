// The lean `replydesk ingest` (src/app/lean_main.cc): while `serve` runs on the
// same database (SQLite or PostgreSQL) the launcher hands the message to it
// (app/handoff.h) and serve accepts and processes it; otherwise the full
// binary does the whole ingest. Which path ran is made visible by running a
// copy of the launcher with no replydesk-full beside it: the hand-off
// succeeds, the fallback cannot run (exit 75, the MTA keeps the message).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "postfix_instance.h"  // AsPipeUser: another uid
#include "process.h"
#include "serve_process.h"
#include "test_db.h"

namespace replydesk::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string FullBinary() {
  return (fs::path(REPLYDESK_BINARY).parent_path() / "replydesk-full").string();
}

std::set<std::string> NeededLibraries(const std::string& binary) {
  ProcessResult r = RunProcess({"/usr/bin/readelf", "-d", binary});
  EXPECT_TRUE(r.Exited(0)) << r.err;
  std::set<std::string> needed;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    auto open = line.find("(NEEDED)");
    if (open == std::string::npos) continue;
    auto l = line.find('[', open), rb = line.find(']', open);
    if (l != std::string::npos && rb != std::string::npos)
      needed.insert(line.substr(l + 1, rb - l - 1));
  }
  return needed;
}

bool AnyContains(const std::set<std::string>& libs, const std::string& part) {
  for (const auto& l : libs)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

TEST(LeanBinary, LauncherLoadsNoneOfTheHeavyLibraries) {
  const auto lean = NeededLibraries(REPLYDESK_BINARY);
  const auto full = NeededLibraries(FullBinary());
  ASSERT_FALSE(lean.empty());
  for (const std::string heavy :
       {"gmime", "glib", "gio", "icu", "libpq", "curl", "cld2", "gumbo", "opendkim", "boost"}) {
    EXPECT_FALSE(AnyContains(lean, heavy)) << heavy << " in the launcher";
  }
  EXPECT_TRUE(AnyContains(full, "gmime"));  // the full binary has them
  EXPECT_TRUE(AnyContains(full, "libpq"));
}

class LeanIngestTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(GetParam());
    if (!db_->ok()) GTEST_SKIP() << db_->skip_reason();
    alone_ = fs::path(db_->dir()) / "alone" / "replydesk";
    fs::create_directories(alone_.parent_path());
    fs::copy_file(REPLYDESK_BINARY, alone_);
    ASSERT_TRUE(Run({"channel", "add", "support@ours.example"}).Exited(0));
  }

  ProcessResult Run(std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv = {REPLYDESK_BINARY, "--db", db_->url()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, input);
  }

  // The launcher without the full binary beside it: only the lean path works.
  ProcessResult RunAlone(std::vector<std::string> args, const std::string& input) {
    std::vector<std::string> argv = {alone_.string(), "--db", db_->url()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, input);
  }

  json RunJson(std::vector<std::string> args) {
    ProcessResult r = Run(std::move(args));
    EXPECT_TRUE(r.Exited(0)) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  size_t WaitForTickets(size_t n) {
    json tickets;
    for (int tries = 0; tries < 100; ++tries) {
      tickets = RunJson({"ticket", "list", "--json"});
      if (tickets.size() >= n) break;
      usleep(100 * 1000);
    }
    return tickets.size();
  }

  static std::string Mail(int i, const std::string& extra = "") {
    return "From: Customer <c" + std::to_string(i) + "@example.com>\nTo: support@ours.example\n" +
           "Subject: Question " + std::to_string(i) + "\nMessage-ID: <lean" + std::to_string(i) +
           "@example.com>\n" + extra + "\nBody " + std::to_string(i) + "\n";
  }

  static void ExpectFallback(const ProcessResult& r) {
    EXPECT_TRUE(r.Exited(75)) << r.exit_code << " " << r.err;
    EXPECT_NE(r.err.find("cannot run"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("replydesk-full"), std::string::npos) << r.err;
  }

  std::unique_ptr<TestDb> db_;
  fs::path alone_;
};

TEST_P(LeanIngestTest, WhileServeRunsTheLauncherHandsOverAndServeProcesses) {
  BackgroundProcess serve({REPLYDESK_BINARY, "--db", db_->url(), "serve", "--lmtp", "127.0.0.1:0"});
  ASSERT_FALSE(ServePort(serve).empty());

  ProcessResult r = RunAlone(
      {"ingest", "--sender", "c1@example.com", "--recipient", "support@ours.example"}, Mail(1));
  ASSERT_TRUE(r.Exited(0)) << r.exit_code << " " << r.err;
  ASSERT_EQ(WaitForTickets(1), 1u);  // processed by serve's worker
  EXPECT_EQ(RunJson({"inbound", "list", "--json"})[0]["source"], "pipe");
  const json tickets = RunJson({"ticket", "list", "--json"});
  json shown =
      RunJson({"ticket", "show", std::to_string(tickets[0]["number"].get<int64_t>()), "--json"});
  // The customer's message, then serve's acknowledgement (triggers ran there).
  ASSERT_GE(shown["articles"].size(), 1u) << shown.dump(2);
  EXPECT_EQ(shown["articles"][0]["message_id"], "lean1@example.com");

  // Same exit codes as the full ingest: duplicate 0 (stored once), too large 65.
  EXPECT_TRUE(RunAlone({"ingest"}, Mail(1)).Exited(0));
  ProcessResult big = RunAlone({"--max-message-bytes=200", "ingest"},
                               Mail(2, "X-Pad: " + std::string(300, 'x') + "\n"));
  EXPECT_TRUE(big.Exited(65)) << big.exit_code << " " << big.err;
  EXPECT_NE(big.err.find("inbound.too_large"), std::string::npos) << big.err;
  EXPECT_EQ(RunJson({"inbound", "list", "--json"}).size(), 1u);

  // Options only the full binary knows send the ingest there.
  ExpectFallback(RunAlone({"--no-triggers", "ingest"}, Mail(3)));
  ExpectFallback(RunAlone({"ingest", "--no-process"}, Mail(3)));

  // serve gone: nobody would process, so the launcher no longer hands over.
  EXPECT_EQ(serve.Kill(SIGTERM), 0);
  ExpectFallback(RunAlone({"ingest"}, Mail(4)));
  EXPECT_EQ(RunJson({"inbound", "list", "--json"}).size(), 1u);  // nothing half-taken
}

// serve dies with the message in hand, before committing it: the launcher
// gets no answer and runs the full binary with the message it already read.
TEST_P(LeanIngestTest, ServeKilledMidHandOffTheLauncherIngestsItself) {
  BackgroundProcess serve({REPLYDESK_BINARY, "--db", db_->url(), "serve", "--lmtp", "127.0.0.1:0"},
                          {"REPLYDESK_FAULT=accept.before_commit"});
  ASSERT_FALSE(ServePort(serve).empty());
  ProcessResult r = Run({"ingest", "--sender", "c6@example.com"}, Mail(6));
  ASSERT_TRUE(r.Exited(0)) << r.exit_code << " " << r.err;
  const int status = serve.Wait(10);  // it did take the hand-off, and died there
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_EQ(RunJson({"ticket", "list", "--json"}).size(), 1u);  // processed inline
  const json inbound = RunJson({"inbound", "list", "--json"});
  ASSERT_EQ(inbound.size(), 1u);
  EXPECT_EQ(inbound[0]["state"], "processed");
}

// Abstract socket names carry no permissions: a hand-off goes only between
// processes of one user (or root), checked on both ends (SO_PEERCRED).
TEST_P(LeanIngestTest, HandOffOnlyBetweenProcessesOfOneUserOrRoot) {
  if (GetParam() != store::Backend::kSqlite) GTEST_SKIP() << "the check is the same on both";
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  ASSERT_TRUE(PostfixInstance::GiveToPipeUser(db_->dir()));
  // serve as root, ingest as another user: serve refuses it, the launcher
  // falls back to the full binary (which this copy does not have).
  {
    BackgroundProcess serve(
        {REPLYDESK_BINARY, "--db", db_->url(), "serve", "--lmtp", "127.0.0.1:0"});
    ASSERT_FALSE(ServePort(serve).empty());
    ProcessResult r = RunProcess(
        PostfixInstance::AsPipeUser({alone_.string(), "--db", db_->url(), "ingest"}), Mail(7));
    ExpectFallback(r);
    EXPECT_EQ(serve.Kill(SIGTERM), 0);
  }
  // serve as another user, ingest as root: the launcher does not trust it.
  ASSERT_TRUE(PostfixInstance::GiveToPipeUser(db_->dir()));  // what root's serve left
  {
    BackgroundProcess serve(PostfixInstance::AsPipeUser(
        {REPLYDESK_BINARY, "--db", db_->url(), "serve", "--lmtp", "127.0.0.1:0"}));
    ASSERT_FALSE(ServePort(serve).empty());
    ExpectFallback(RunAlone({"ingest"}, Mail(8)));
    EXPECT_EQ(serve.Kill(SIGTERM), 0);
  }
  EXPECT_EQ(RunJson({"inbound", "list", "--json"}).size(), 0u);  // neither was taken
}

TEST_P(LeanIngestTest, WithoutServeTheFullBinaryProcessesInline) {
  ExpectFallback(RunAlone({"ingest"}, Mail(5)));
  ProcessResult r = Run({"ingest"}, Mail(5));
  ASSERT_TRUE(r.Exited(0)) << r.err;
  // Processed before exit: no waiting.
  EXPECT_EQ(RunJson({"ticket", "list", "--json"}).size(), 1u);
}

TEST_P(LeanIngestTest, OtherCommandsRunTheFullBinaryInTheSameProcess) {
  ProcessResult help = Run({"--help"});
  EXPECT_TRUE(help.Exited(0)) << help.err;
  EXPECT_NE(help.out.find("ingest"), std::string::npos);
  EXPECT_NE(help.out.find("serve"), std::string::npos);
  ProcessResult alone = RunAlone({"ticket", "list"}, "");
  EXPECT_TRUE(alone.Exited(70)) << alone.exit_code << " " << alone.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, LeanIngestTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::testing
