// The lean `replydesk ingest` (src/app/lean_main.cc): while `serve` runs on the
// same SQLite database the launcher accepts the message itself and serve's
// workers process it; otherwise the full binary does the whole ingest. Which
// path ran is made visible by running a copy of the launcher with no
// replydesk-full beside it: the lean path succeeds, the fallback cannot run
// (exit 75, the MTA keeps the message).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

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

class LeanIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(store::Backend::kSqlite);
    ASSERT_TRUE(db_->ok());
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

TEST_F(LeanIngestTest, WhileServeRunsTheLauncherAcceptsAndServeProcesses) {
  BackgroundProcess serve({REPLYDESK_BINARY, "--db", db_->url(), "serve", "--lmtp", "127.0.0.1:0"});
  ASSERT_FALSE(ServePort(serve).empty());

  ProcessResult r = RunAlone(
      {"ingest", "--sender", "c1@example.com", "--recipient", "support@ours.example"}, Mail(1));
  ASSERT_TRUE(r.Exited(0)) << r.exit_code << " " << r.err;
  ASSERT_EQ(WaitForTickets(1), 1u);  // processed by serve's worker
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

  // serve gone: nobody would process, so the launcher no longer accepts alone.
  EXPECT_EQ(serve.Kill(SIGTERM), 0);
  ExpectFallback(RunAlone({"ingest"}, Mail(4)));
  EXPECT_EQ(RunJson({"inbound", "list", "--json"}).size(), 1u);  // nothing half-taken
}

TEST_F(LeanIngestTest, WithoutServeTheFullBinaryProcessesInline) {
  ExpectFallback(RunAlone({"ingest"}, Mail(5)));
  ProcessResult r = Run({"ingest"}, Mail(5));
  ASSERT_TRUE(r.Exited(0)) << r.err;
  // Processed before exit: no waiting.
  EXPECT_EQ(RunJson({"ticket", "list", "--json"}).size(), 1u);
}

TEST_F(LeanIngestTest, OtherCommandsRunTheFullBinaryInTheSameProcess) {
  ProcessResult help = Run({"--help"});
  EXPECT_TRUE(help.Exited(0)) << help.err;
  EXPECT_NE(help.out.find("ingest"), std::string::npos);
  EXPECT_NE(help.out.find("serve"), std::string::npos);
  ProcessResult alone = RunAlone({"ticket", "list"}, "");
  EXPECT_TRUE(alone.Exited(70)) << alone.exit_code << " " << alone.err;
}

}  // namespace
}  // namespace replydesk::testing
