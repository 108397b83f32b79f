// Outbound mail end to end with real servers: `replydesk serve` receives a
// message over LMTP and its acknowledgement travels through a real Postfix on
// 127.0.0.1 into an SMTP capture (python3-aiosmtpd), where the exact headers
// and body the customer gets are checked; an agent's reply follows the same
// road. The SMTP server going away means retry until it is back; a 5xx is a
// visible failure on the article. SQLite and PostgreSQL.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "postfix_instance.h"
#include "process.h"
#include "rfc_date.h"
#include "serve_process.h"
#include "smtp_capture.h"
#include "test_db.h"

namespace replydesk::testing {
namespace {

using nlohmann::json;

bool Has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// The value of header `name` (any case) in `data`, first occurrence, unfolded; "" when absent.
std::string Header(const std::string& data, const std::string& name) {
  std::string lower = "\r\n" + data.substr(0, data.find("\r\n\r\n"));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string key = "\r\n" + name + ":";
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string original = "\r\n" + data;
  auto pos = lower.find(key);
  if (pos == std::string::npos) return "";
  pos += key.size();
  std::string value;
  while (pos < lower.size()) {
    auto eol = original.find("\r\n", pos);
    value += original.substr(pos, eol - pos);
    pos = eol + 2;
    if (pos >= lower.size() || (original[pos] != ' ' && original[pos] != '\t')) break;
  }
  const auto first = value.find_first_not_of(" \t");
  return first == std::string::npos ? "" : value.substr(first);
}

class OutboundE2eTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (auto why = SmtpCapture::SkipReason(); !why.empty()) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDb>(GetParam());
    if (!db_->ok()) GTEST_SKIP() << db_->skip_reason();
  }

  ProcessResult Run(std::vector<std::string> args) {
    std::vector<std::string> argv = {REPLYDESK_BINARY, "--db", db_->url()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }
  json RunJson(std::vector<std::string> args) {
    ProcessResult r = Run(std::move(args));
    EXPECT_TRUE(r.Exited(0)) << r.err;
    return json::parse(r.out, nullptr, false);
  }
  void AddChannel() {
    ProcessResult r = Run({"channel", "add", "support@ours.example", "--team", "Customer Care",
                           "--hours", "24/7", "--first-response", "4h"});
    ASSERT_TRUE(r.Exited(0)) << r.err;
  }
  std::unique_ptr<BackgroundProcess> Serve(const std::string& smtp_port) {
    return std::make_unique<BackgroundProcess>(std::vector<std::string>{
        REPLYDESK_BINARY, "--db", db_->url(), "--smtp", "smtp://127.0.0.1:" + smtp_port,
        "--smtp-retry-base", "1", "serve", "--lmtp", "127.0.0.1:0"});
  }
  static std::string Request(const std::string& from, const std::string& id) {
    return "From: Ivan Petrov <" + from +
           ">\r\nTo: support@ours.example\r\nSubject: Printer broken\r\nMessage-ID: <" + id +
           ">\r\nDate: " + Rfc5322Now() +
           "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "The printer jams every morning. Could you help?\r\n";
  }
  // Polls `outbox list --json` until `pred` holds for the first row (or timeout).
  json WaitForOutbox(const std::function<bool(const json&)>& pred, int seconds = 30) {
    json rows;
    for (int i = 0; i < seconds * 5; ++i) {
      rows = RunJson({"outbox", "list", "--json"});
      if (rows.is_array() && !rows.empty() && pred(rows[0])) return rows[0];
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "outbox never reached the state: " << rows.dump(2);
    return json();
  }

  std::unique_ptr<TestDb> db_;
};

TEST_P(OutboundE2eTest, AcknowledgementAndReplyThroughPostfix) {
  if (auto why = PostfixInstance::SkipReason(); !why.empty()) GTEST_SKIP() << why;
  SmtpCapture capture;
  ASSERT_TRUE(capture.ok()) << capture.error();
  PostfixInstance postfix(
      {{"customer.example", "", {}, "FR", "127.0.0.1:" + std::to_string(capture.port())}});
  ASSERT_TRUE(postfix.ok()) << postfix.error();
  AddChannel();
  auto serve = Serve(std::to_string(postfix.smtp_port()));
  const std::string port = ServePort(*serve);
  ASSERT_FALSE(port.empty());
  ASSERT_TRUE(LmtpSend(port, Request("ivan@customer.example", "req1@customer.example")).Exited(0));

  auto got = capture.WaitForMessages(1, 60);
  ASSERT_EQ(got.size(), 1u) << postfix.Diagnostics();
  const auto& ack = got[0];
  EXPECT_EQ(ack.envelope_from, "");  // null return path for automatic replies
  EXPECT_EQ(ack.recipients, std::vector<std::string>{"ivan@customer.example"});
  EXPECT_EQ(Header(ack.data, "From"), "Customer Care <support@ours.example>");
  EXPECT_EQ(Header(ack.data, "To"), "Ivan Petrov <ivan@customer.example>");
  EXPECT_TRUE(Has(Header(ack.data, "Subject"), "[#T-100001]")) << ack.data;
  EXPECT_EQ(Header(ack.data, "Auto-Submitted"), "auto-replied");
  EXPECT_EQ(Header(ack.data, "In-Reply-To"), "<req1@customer.example>");
  EXPECT_TRUE(Has(Header(ack.data, "References"), "<req1@customer.example>"));
  EXPECT_TRUE(Has(Header(ack.data, "Message-ID"), "@ours.example>")) << ack.data;
  EXPECT_FALSE(Header(ack.data, "Date").empty());
  EXPECT_TRUE(Has(Header(ack.data, "Received"), "127.0.0.1")) << "came through Postfix";

  json shown = RunJson({"ticket", "show", "100001", "--json"});
  ASSERT_EQ(shown["articles"].size(), 2u);
  EXPECT_EQ(shown["articles"][1]["delivery_status"], "sent");
  EXPECT_TRUE(shown["first_response_due"].is_string());

  // An agent answers with an attachment; the reply takes the same road.
  ProcessResult agent = Run({"user", "add", "elena@ours.example", "--name", "Elena Ivanova"});
  ASSERT_TRUE(agent.Exited(0)) << agent.err;
  const std::string file = db_->dir() + "/guide.txt";
  std::ofstream(file) << "Step 1: open the tray.\n";
  ProcessResult reply = Run({"ticket", "reply", "100001", "--agent", "elena@ours.example", "--text",
                             "Please follow the attached guide.", "--attach", file});
  ASSERT_TRUE(reply.Exited(0)) << reply.err;
  got = capture.WaitForMessages(2, 60);
  ASSERT_EQ(got.size(), 2u) << postfix.Diagnostics();
  const auto& r = got[1];
  EXPECT_EQ(r.envelope_from, "support@ours.example");
  EXPECT_EQ(Header(r.data, "Subject"), "Re: Printer broken [#T-100001]");
  EXPECT_EQ(Header(r.data, "In-Reply-To"), "<req1@customer.example>");
  EXPECT_EQ(Header(r.data, "Auto-Submitted"), "");
  EXPECT_TRUE(Has(r.data, "guide.txt"));
  EXPECT_TRUE(Has(r.data, "multipart/mixed"));
  EXPECT_TRUE(Has(r.data, "multipart/alternative"));  // text and HTML
  EXPECT_TRUE(Has(r.data, "text/html"));
  EXPECT_EQ(serve->Kill(SIGTERM), 0);
}

TEST_P(OutboundE2eTest, ServerDownMeansRetryUntilItIsBack) {
  SmtpCapture capture;
  ASSERT_TRUE(capture.ok()) << capture.error();
  capture.Kill();
  AddChannel();
  auto serve = Serve(std::to_string(capture.port()));
  const std::string port = ServePort(*serve);
  ASSERT_TRUE(LmtpSend(port, Request("ivan@customer.example", "req2@customer.example")).Exited(0));
  json row = WaitForOutbox([](const json& r) { return r["attempts"].get<int>() >= 1; });
  EXPECT_EQ(row["state"], "queued");
  json shown = RunJson({"ticket", "show", "100001", "--json"});
  EXPECT_TRUE(Has(shown["articles"][1]["delivery_error"].get<std::string>(), "will retry"))
      << shown.dump(2);
  ASSERT_TRUE(capture.Start()) << capture.error();
  auto got = capture.WaitForMessages(1, 60);
  ASSERT_EQ(got.size(), 1u);
  row = WaitForOutbox([](const json& r) { return r["state"] == "sent"; });
  EXPECT_GE(row["attempts"].get<int>(), 2);
  EXPECT_EQ(serve->Kill(SIGTERM), 0);
}

TEST_P(OutboundE2eTest, PermanentRefusalIsVisibleOnTheArticle) {
  SmtpCapture capture;
  ASSERT_TRUE(capture.ok()) << capture.error();
  AddChannel();
  auto serve = Serve(std::to_string(capture.port()));
  const std::string port = ServePort(*serve);
  ASSERT_TRUE(
      LmtpSend(port, Request("rcpt-550@customer.example", "req3@customer.example")).Exited(0));
  json row = WaitForOutbox([](const json& r) { return r["state"] == "failed"; });
  EXPECT_EQ(row["smtp_code"], 550);
  json shown = RunJson({"ticket", "show", "100001", "--json"});
  EXPECT_EQ(shown["articles"][1]["delivery_status"], "failed");
  EXPECT_TRUE(Has(shown["articles"][1]["delivery_error"].get<std::string>(), "550"));
  EXPECT_TRUE(capture.Messages().empty());
  EXPECT_EQ(serve->Kill(SIGTERM), 0);
}

TEST_P(OutboundE2eTest, CrashBetweenServerAcceptAndRecordResendsTheSameMessage) {
  SmtpCapture capture;
  ASSERT_TRUE(capture.ok()) << capture.error();
  AddChannel();
  const std::string smtp = "smtp://127.0.0.1:" + std::to_string(capture.port());
  ProcessResult in = RunProcess({REPLYDESK_BINARY, "--db", db_->url(), "ingest"},
                                Request("ivan@customer.example", "req4@customer.example"));
  ASSERT_TRUE(in.Exited(0)) << in.err;
  // The sender dies after the server's 250, before recording it.
  std::vector<std::string> work = {REPLYDESK_BINARY, "--db", db_->url(), "--smtp", smtp,
                                   "--job-lease",    "1",    "work"};
  ProcessResult killed = RunProcess(work, "", {"REPLYDESK_FAULT=outbound.after_submit"});
  ASSERT_EQ(killed.signal, SIGKILL) << killed.err;
  EXPECT_EQ(RunJson({"outbox", "list", "--json"})[0]["state"], "queued");
  sleep(2);  // the lease ends
  ProcessResult again = RunProcess(work);
  ASSERT_TRUE(again.Exited(0)) << again.err;
  EXPECT_TRUE(Has(again.out, "sent 1")) << again.out;
  auto got = capture.WaitForMessages(2, 10);
  ASSERT_EQ(got.size(), 2u);            // the documented window: sent twice ...
  EXPECT_EQ(got[0].data, got[1].data);  // ... as the very same message, same Message-ID
  EXPECT_EQ(RunJson({"outbox", "list", "--json"})[0]["state"], "sent");
  // And nothing more: a third run sends nothing.
  ProcessResult third = RunProcess(work);
  EXPECT_TRUE(Has(third.out, "sent 0")) << third.out;
  EXPECT_EQ(capture.Messages().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboundE2eTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::testing
