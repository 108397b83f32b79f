// Real Postfix (Debian's 3.7) on 127.0.0.1 in front of Replydesk, as deployed:
// mail for lmtp.test goes over LMTP (RFC 2033) to `replydesk serve`, mail for
// pipe.test through a pipe(8) transport to `replydesk ingest` (the master.cf
// line of docs/cli.md). Both become tickets; a recipient that is no channel is
// refused with 550 by serve and bounced by Postfix, and leaves no ticket.
// Runs on SQLite and PostgreSQL; skipped where Postfix is not installed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "postfix_instance.h"
#include "process.h"
#include "rfc_date.h"
#include "test_db.h"

namespace replydesk::testing {
namespace {

using nlohmann::json;

// An agent-facing English request, delivered over LMTP. Dated now: an
// automatic reply skips a message written more than a day ago.
const std::string kLmtpMessage =
    "From: Anna Berg <anna@example.com>\n"
    "To: support@lmtp.test\n"
    "Subject: Printer on floor 3 is jammed\n"
    "Message-ID: <printer-1@example.com>\n"
    "Date: " +
    Rfc5322Now() +
    "\n"
    "\n"
    "The printer near the lift shows error E42 since this morning.\n";

// A Russian request through the pipe: the subject in two RFC 2047 encoded words
// on a folded line (the space lives inside the first word), an 8bit UTF-8 body.
const std::string kPipeMessage =
    "From: =?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.ru>\n"
    "To: help@pipe.test\n"
    "Subject: =?UTF-8?B?0J3QtSDRgNCw0LHQvtGC0LDQtdGCINCy0YXQvtC0IA==?=\n"
    " =?UTF-8?B?0LIg0LvQuNGH0L3Ri9C5INC60LDQsdC40L3QtdGC?=\n"
    "Message-ID: <login-1@example.ru>\n"
    "Date: " +
    Rfc5322Now() +
    "\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Пароль не подходит, хотя я его только что сменил.\n";

constexpr const char* kUnknownMessage =
    "From: Eve <eve@example.org>\n"
    "To: nobody@lmtp.test\n"
    "Subject: Nobody reads this\n"
    "Message-ID: <nobody-1@example.org>\n"
    "\n"
    "Hello?\n";

class PostfixTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (std::string why = PostfixInstance::SkipReason(); !why.empty()) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDb>(GetParam());
    if (!db_->ok()) GTEST_SKIP() << db_->skip_reason();
    // serve, the CLI and the pipe command all run as the pipe user: one owner
    // for the SQLite files and blobs, as in a deployment.
    ASSERT_TRUE(PostfixInstance::GiveToPipeUser(db_->dir())) << db_->dir();
  }

  std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {REPLYDESK_BINARY, "--db", db_->url(), "--blob-dir",
                                     db_->dir() + "/blobs"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  ProcessResult Run(const std::vector<std::string>& args) const {
    return RunProcess(PostfixInstance::AsPipeUser(Argv(args)));
  }

  json RunJson(const std::vector<std::string>& args) const {
    ProcessResult r = Run(args);
    EXPECT_TRUE(r.Exited(0)) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  // `ticket list --json` once it holds `count` tickets, or the last list after 30 s.
  json WaitForTickets(size_t count) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    json tickets;
    do {
      tickets = RunJson({"ticket", "list", "--json"});
      if (tickets.is_array() && tickets.size() >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } while (std::chrono::steady_clock::now() < deadline);
    return tickets;
  }

  std::unique_ptr<TestDb> db_;
};

// Postfix log lines of the delivery to `recipient` (its to=<...> lines).
std::string DeliveryLines(const std::string& log, const std::string& recipient) {
  std::string lines;
  size_t pos = 0;
  while ((pos = log.find("to=<" + recipient + ">", pos)) != std::string::npos) {
    size_t start = log.rfind('\n', pos);
    size_t end = log.find('\n', pos);
    lines += log.substr(start == std::string::npos ? 0 : start + 1,
                        end == std::string::npos ? std::string::npos : end - start);
    pos = end;
  }
  return lines;
}

// "replydesk serve: LMTP on 127.0.0.1:PORT, ..." -> "PORT"; "" when not there.
std::string PortOf(const std::string& banner) {
  const std::string prefix = "LMTP on 127.0.0.1:";
  size_t start = banner.find(prefix);
  if (start == std::string::npos) return "";
  start += prefix.size();
  size_t end = banner.find_first_not_of("0123456789", start);
  return banner.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST_P(PostfixTest, DeliversOverLmtpAndPipeIntoTickets) {
  ASSERT_TRUE(Run({"channel", "add", "support@lmtp.test"}).Exited(0));
  ASSERT_TRUE(Run({"channel", "add", "help@pipe.test"}).Exited(0));

  BackgroundProcess serve(
      PostfixInstance::AsPipeUser(Argv({"serve", "--lmtp", "127.0.0.1:0", "--workers", "1"})));
  const std::string banner = serve.WaitForLine("replydesk serve: LMTP on", 30);
  const std::string lmtp_port = PortOf(banner);
  ASSERT_FALSE(lmtp_port.empty()) << "serve printed: " << banner;

  const std::vector<PostfixInstance::Route> routes = {
      {"lmtp.test", "127.0.0.1:" + lmtp_port, {}},
      {"pipe.test", "", Argv({"ingest", "--sender", "${sender}", "--recipient", "${recipient}"})}};
  PostfixInstance postfix(routes);
  ASSERT_TRUE(postfix.ok()) << postfix.error() << "\n" << postfix.Log();

  ASSERT_EQ(postfix.Submit("anna@example.com", "support@lmtp.test", kLmtpMessage), "");
  ASSERT_EQ(postfix.Submit("ivan@example.ru", "help@pipe.test", kPipeMessage), "");
  // Accepted by Postfix (lmtp.test is a relay domain); refused later by serve.
  ASSERT_EQ(postfix.Submit("eve@example.org", "nobody@lmtp.test", kUnknownMessage), "");
  ASSERT_TRUE(postfix.WaitForEmptyQueue(30)) << postfix.Diagnostics();

  const std::string log = postfix.Log();
  EXPECT_NE(DeliveryLines(log, "support@lmtp.test").find("status=sent"), std::string::npos) << log;
  EXPECT_NE(DeliveryLines(log, "help@pipe.test").find("status=sent"), std::string::npos) << log;
  const std::string refused = DeliveryLines(log, "nobody@lmtp.test");
  EXPECT_NE(refused.find("status=bounced"), std::string::npos) << log;
  EXPECT_NE(refused.find(" said: 550"), std::string::npos) << log;
  // Nothing needed a second try: no 4xx from serve, no exit 75 from ingest.
  EXPECT_EQ(log.find("status=deferred"), std::string::npos) << log;

  json tickets = WaitForTickets(2);
  ASSERT_TRUE(tickets.is_array()) << tickets.dump();
  ASSERT_EQ(tickets.size(), 2u) << tickets.dump(2) << "\n" << log;
  std::map<std::string, int64_t> by_subject;
  for (const auto& t : tickets) by_subject[t["subject"].get<std::string>()] = t["number"];
  ASSERT_TRUE(by_subject.count("Printer on floor 3 is jammed")) << tickets.dump(2);
  ASSERT_TRUE(by_subject.count("Не работает вход в личный кабинет")) << tickets.dump(2);

  json printer = RunJson(
      {"ticket", "show", std::to_string(by_subject["Printer on floor 3 is jammed"]), "--json"});
  // The customer's message, then our acknowledgement waiting in the outbox (no --smtp here).
  ASSERT_EQ(printer["articles"].size(), 2u) << printer.dump(2);
  EXPECT_EQ(printer["articles"][1]["direction"], "outbound") << printer.dump(2);
  EXPECT_EQ(printer["articles"][1]["auto_reply"], true) << printer.dump(2);
  EXPECT_EQ(printer["articles"][1]["delivery_status"], "queued") << printer.dump(2);
  EXPECT_EQ(printer["articles"][0]["from"]["address"], "anna@example.com") << printer.dump(2);
  EXPECT_NE(printer["articles"][0]["text"].get<std::string>().find("error E42"), std::string::npos)
      << printer.dump(2);

  json login = RunJson({"ticket", "show",
                        std::to_string(by_subject["Не работает вход в личный кабинет"]), "--json"});
  ASSERT_EQ(login["articles"].size(), 2u) << login.dump(2);
  EXPECT_EQ(login["articles"][0]["from"]["address"], "ivan@example.ru") << login.dump(2);
  EXPECT_EQ(login["articles"][0]["from"]["name"], "Иван Петров") << login.dump(2);
  EXPECT_NE(login["articles"][0]["text"].get<std::string>().find("Пароль не подходит"),
            std::string::npos)
      << login.dump(2);

  // The refused message was never accepted: two inbound rows, still two tickets.
  json inbound = RunJson({"inbound", "list", "--json"});
  EXPECT_EQ(inbound.size(), 2u) << inbound.dump(2);
  EXPECT_EQ(RunJson({"ticket", "list", "--json"}).size(), 2u);

  const int status = serve.Kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "serve wait status " << status;
}

INSTANTIATE_TEST_SUITE_P(Backends, PostfixTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::testing
