// SmtpTransport against real servers on 127.0.0.1: an aiosmtpd capture (exact bytes,
// envelopes, refusals on demand, STARTTLS and AUTH, kill and restart) and a private Postfix
// that relays to the capture, as a deployment's smarthost would. Also the smtp:// URL form.
// Each test is bounded by short timeouts; skipped where python3-aiosmtpd or Postfix is missing.
#include "channels/smtp_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "postfix_instance.h"
#include "smtp_capture.h"

namespace replydesk::testing {
namespace {

using channels::SmtpSettings;
using channels::SmtpTransport;
using Kind = services::SubmitOutcome::Kind;

// Lines a naive sender would end DATA on or lose a dot from (RFC 5321 §4.5.2), the last one
// right before the end of the message.
constexpr const char* kMessage =
    "From: Replydesk Support <support@replydesk.test>\r\n"
    "To: Anna Berg <anna@example.com>\r\n"
    "Subject: Re: Printer on floor 3 is jammed [#T-104233]\r\n"
    "Message-ID: <reply-1@replydesk.test>\r\n"
    "In-Reply-To: <printer-1@example.com>\r\n"
    "References: <printer-1@example.com>\r\n"
    "Date: Tue, 24 Nov 2026 09:30:00 +0000\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    ".\r\n"
    "..\r\n"
    ".leading dot\r\n"
    "Пароль сменён.\r\n"
    " .\r\n"
    ".\r\n";

std::string Elapsed(std::chrono::steady_clock::time_point start) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count()) +
         " ms";
}

class SmtpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = SmtpCapture::SkipReason(); !why.empty()) GTEST_SKIP() << why;
  }

  // A capture with `options`; the test fails when it does not start.
  SmtpCapture& Capture(SmtpCaptureOptions options = {}) {
    capture_ = std::make_unique<SmtpCapture>(std::move(options));
    EXPECT_TRUE(capture_->ok()) << capture_->error();
    return *capture_;
  }

  static SmtpSettings SettingsFor(int port) {
    SmtpSettings s;
    s.port = port;
    s.timeout_seconds = 5;
    s.helo_name = "client.replydesk.test";
    return s;
  }

  std::unique_ptr<SmtpCapture> capture_;
};

TEST_F(SmtpTransportTest, ExactBytesArriveWithDotsUnstuffed) {
  SmtpCapture& capture = Capture();
  SmtpTransport transport(SettingsFor(capture.port()));
  auto outcome = transport.Submit("bounces+42@replydesk.test", {"anna@example.com"}, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kAccepted) << outcome.detail;
  EXPECT_EQ(outcome.smtp_code, 250);
  EXPECT_EQ(outcome.detail, "250 2.0.0 OK: captured");
  auto messages = capture.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].data, kMessage);
  EXPECT_EQ(messages[0].envelope_from, "bounces+42@replydesk.test");
  EXPECT_EQ(messages[0].recipients, std::vector<std::string>{"anna@example.com"});
  EXPECT_FALSE(messages[0].tls);
}

TEST_F(SmtpTransportTest, BareLineFeedsAndMissingFinalLineEndAreSentAsCrlf) {
  SmtpCapture& capture = Capture();
  SmtpTransport transport(SettingsFor(capture.port()));
  auto outcome =
      transport.Submit("a@replydesk.test", {"b@example.com"}, "Subject: lf\n\n.\nline\r\nlast");
  EXPECT_EQ(outcome.kind, Kind::kAccepted) << outcome.detail;
  auto messages = capture.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].data, "Subject: lf\r\n\r\n.\r\nline\r\nlast\r\n");
}

// libcurl reads the body in 64 KiB pieces and stuffs dots as it goes: lines starting with a
// dot on either side of every piece boundary must survive.
TEST_F(SmtpTransportTest, LargeMessageWithDotLinesAcrossReadBuffers) {
  SmtpCapture& capture = Capture();
  std::string raw = "Subject: big\r\n\r\n";
  for (int i = 0; raw.size() < 3 * 1024 * 1024; ++i) {
    raw += (i % 3 == 0 ? "." : i % 3 == 1 ? ".." : "x") + std::string(i % 97, 'a') + "\r\n";
  }
  SmtpTransport transport(SettingsFor(capture.port()));
  auto outcome = transport.Submit("a@replydesk.test", {"b@example.com"}, raw);
  EXPECT_EQ(outcome.kind, Kind::kAccepted) << outcome.detail;
  auto messages = capture.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].data == raw)
      << "sizes " << messages[0].data.size() << " vs " << raw.size();
}

TEST_F(SmtpTransportTest, NullSender) {
  SmtpCapture& capture = Capture();
  SmtpTransport transport(SettingsFor(capture.port()));
  auto outcome = transport.Submit("", {"anna@example.com"}, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kAccepted) << outcome.detail;
  auto messages = capture.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].envelope_from, "");
}

TEST_F(SmtpTransportTest, SeveralRecipientsInOneTransaction) {
  SmtpCapture& capture = Capture();
  SmtpTransport transport(SettingsFor(capture.port()));
  const std::vector<std::string> rcpts = {"anna@example.com", "boris@example.ru",
                                          "<carmen@example.ro>"};
  auto outcome = transport.Submit("support@replydesk.test", rcpts, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kAccepted) << outcome.detail;
  auto messages = capture.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(
      messages[0].recipients,
      (std::vector<std::string>{"anna@example.com", "boris@example.ru", "carmen@example.ro"}));
}

TEST_F(SmtpTransportTest, RefusedRecipientAmongAcceptedOnesIsNamedInDetail) {
  SmtpCapture& capture = Capture();
  SmtpTransport transport(SettingsFor(capture.port()));
  auto outcome = transport.Submit(
      "support@replydesk.test",
      {"rcpt-550@example.com", "anna@example.com", "rcpt-451@example.org"}, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kAccepted) << outcome.detail;
  EXPECT_EQ(outcome.smtp_code, 250);
  EXPECT_EQ(outcome.detail,
            "250 2.0.0 OK: captured; refused: <rcpt-550@example.com> 550 5.0.0 capture: "
            "rcpt-550@example.com refused as asked, <rcpt-451@example.org> 451 4.0.0 capture: "
            "rcpt-451@example.org refused as asked");
  auto messages = capture.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].recipients, std::vector<std::string>{"anna@example.com"});
  EXPECT_EQ(messages[0].data, kMessage);
}

TEST_F(SmtpTransportTest, EveryRecipientRefused) {
  SmtpCapture& capture = Capture();
  SmtpTransport transport(SettingsFor(capture.port()));
  auto perm =
      transport.Submit("s@replydesk.test", {"rcpt-550@a.test", "rcpt-553@b.test"}, kMessage);
  EXPECT_EQ(perm.kind, Kind::kPermFail) << perm.detail;
  EXPECT_EQ(perm.smtp_code, 553);
  EXPECT_NE(perm.detail.find("<rcpt-550@a.test> 550 5.0.0"), std::string::npos) << perm.detail;
  // One of them may pass later: the whole message is retried.
  auto temp =
      transport.Submit("s@replydesk.test", {"rcpt-550@a.test", "rcpt-451@b.test"}, kMessage);
  EXPECT_EQ(temp.kind, Kind::kTempFail) << temp.detail;
  EXPECT_EQ(temp.smtp_code, 451);
  // The refusals left the handle usable.
  auto ok = transport.Submit("s@replydesk.test", {"anna@example.com"}, kMessage);
  EXPECT_EQ(ok.kind, Kind::kAccepted) << ok.detail;
  EXPECT_EQ(capture.WaitForMessages(1).size(), 1u);
}

TEST_F(SmtpTransportTest, TemporaryReplyIsTempFail) {
  SmtpCapture& capture = Capture();
  SmtpTransport transport(SettingsFor(capture.port()));
  auto rcpt = transport.Submit("s@replydesk.test", {"rcpt-451@example.com"}, kMessage);
  EXPECT_EQ(rcpt.kind, Kind::kTempFail) << rcpt.detail;
  EXPECT_EQ(rcpt.smtp_code, 451);
  auto data = transport.Submit("s@replydesk.test", {"data-452@example.com"}, kMessage);
  EXPECT_EQ(data.kind, Kind::kTempFail) << data.detail;
  EXPECT_EQ(data.smtp_code, 452);
  EXPECT_EQ(data.detail, "452 4.0.0 capture: data-452@example.com refused as asked");
  EXPECT_TRUE(capture.Messages().empty());
}

TEST_F(SmtpTransportTest, PermanentReplyIsPermFailWithServerText) {
  SmtpCapture& capture = Capture();
  SmtpTransport transport(SettingsFor(capture.port()));
  auto data = transport.Submit("s@replydesk.test", {"data-554@example.com"}, kMessage);
  EXPECT_EQ(data.kind, Kind::kPermFail) << data.detail;
  EXPECT_EQ(data.smtp_code, 554);
  EXPECT_EQ(data.detail, "554 5.0.0 capture: data-554@example.com refused as asked");
  EXPECT_TRUE(capture.Messages().empty());
}

TEST_F(SmtpTransportTest, InvalidEnvelopeIsRefusedBeforeConnecting) {
  SmtpTransport transport(SettingsFor(FreeLoopbackPort()));
  auto injected = transport.Submit("a@b.test", {"x@y.test>\r\nRCPT TO:<z@evil.test"}, kMessage);
  EXPECT_EQ(injected.kind, Kind::kPermFail);
  EXPECT_EQ(injected.smtp_code, 0);
  auto none = transport.Submit("a@b.test", {}, kMessage);
  EXPECT_EQ(none.kind, Kind::kPermFail);
}

TEST_F(SmtpTransportTest, NothingListeningIsTempFailAtOnce) {
  SmtpTransport transport(SettingsFor(FreeLoopbackPort()));
  const auto start = std::chrono::steady_clock::now();
  auto outcome = transport.Submit("s@replydesk.test", {"anna@example.com"}, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kTempFail) << outcome.detail;
  EXPECT_EQ(outcome.smtp_code, 0);
  EXPECT_NE(outcome.detail.find("onnect"), std::string::npos) << outcome.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << Elapsed(start);
}

// A server that accepts the connection (the kernel does, from the backlog) but never greets.
TEST_F(SmtpTransportTest, SilentServerTimesOut) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  SmtpSettings settings = SettingsFor(ntohs(addr.sin_port));
  settings.timeout_seconds = 1;
  SmtpTransport transport(settings);
  const auto start = std::chrono::steady_clock::now();
  auto outcome = transport.Submit("s@replydesk.test", {"anna@example.com"}, kMessage);
  const auto took = std::chrono::steady_clock::now() - start;
  close(fd);
  EXPECT_EQ(outcome.kind, Kind::kTempFail) << outcome.detail;
  EXPECT_EQ(outcome.smtp_code, 0);
  EXPECT_LT(took, std::chrono::seconds(3)) << Elapsed(start);
}

TEST_F(SmtpTransportTest, ServerKilledAndRestartedOnTheSameHandle) {
  SmtpCapture& capture = Capture();
  SmtpTransport transport(SettingsFor(capture.port()));
  auto first = transport.Submit("s@replydesk.test", {"anna@example.com"}, kMessage);
  EXPECT_EQ(first.kind, Kind::kAccepted) << first.detail;

  // The kept connection dies with the server; the next message opens a new one.
  capture.Kill();
  ASSERT_TRUE(capture.Start()) << capture.error();
  auto second = transport.Submit("s@replydesk.test", {"boris@example.ru"}, kMessage);
  EXPECT_EQ(second.kind, Kind::kAccepted) << second.detail;

  capture.Kill();
  const auto start = std::chrono::steady_clock::now();
  auto down = transport.Submit("s@replydesk.test", {"carmen@example.ro"}, kMessage);
  EXPECT_EQ(down.kind, Kind::kTempFail) << down.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << Elapsed(start);

  ASSERT_TRUE(capture.Start()) << capture.error();
  auto retried = transport.Submit("s@replydesk.test", {"carmen@example.ro"}, kMessage);
  EXPECT_EQ(retried.kind, Kind::kAccepted) << retried.detail;

  auto messages = capture.WaitForMessages(3);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].recipients, std::vector<std::string>{"anna@example.com"});
  EXPECT_EQ(messages[1].recipients, std::vector<std::string>{"boris@example.ru"});
  EXPECT_EQ(messages[2].recipients, std::vector<std::string>{"carmen@example.ro"});
}

SmtpCaptureOptions TlsAuthOptions() {
  SmtpCaptureOptions o;
  o.starttls = o.require_tls = true;
  o.user = "agent@replydesk.test";
  o.password = "s3cret:p@ss";
  o.require_auth = true;
  return o;
}

TEST_F(SmtpTransportTest, StartTlsRequiredAndAuthWithTheCertificateAsCa) {
  SmtpCapture& capture = Capture(TlsAuthOptions());
  // Percent-encoded user and password, as they come from configuration.
  auto settings = SmtpSettings::ParseSmtpUrl(
      "smtp://agent%40replydesk.test:s3cret%3Ap%40ss@127.0.0.1:" + std::to_string(capture.port()) +
      "?starttls=required&timeout=5&ca_file=" + capture.cert_file());
  ASSERT_TRUE(settings.ok()) << settings.error().ToString();
  SmtpTransport transport(*settings);
  auto outcome = transport.Submit("s@replydesk.test", {"anna@example.com"}, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kAccepted) << outcome.detail;
  auto messages = capture.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].tls);
  EXPECT_EQ(messages[0].auth_user, "agent@replydesk.test");
  EXPECT_EQ(messages[0].data, kMessage);
}

TEST_F(SmtpTransportTest, StartTlsWithoutVerification) {
  SmtpCapture& capture = Capture(TlsAuthOptions());
  SmtpSettings settings = SettingsFor(capture.port());
  settings.tls = SmtpSettings::Tls::kStartTls;
  settings.verify_peer = false;
  settings.username = "agent@replydesk.test";
  settings.password = "s3cret:p@ss";
  SmtpTransport transport(settings);
  for (int i = 0; i < 2; ++i) {  // the second one on the kept TLS connection
    auto outcome = transport.Submit("s@replydesk.test", {"anna@example.com"}, kMessage);
    EXPECT_EQ(outcome.kind, Kind::kAccepted) << outcome.detail;
  }
  EXPECT_EQ(capture.WaitForMessages(2).size(), 2u);
}

TEST_F(SmtpTransportTest, UntrustedCertificateIsTempFail) {
  SmtpCapture& capture = Capture(TlsAuthOptions());
  SmtpSettings settings = SettingsFor(capture.port());
  settings.tls = SmtpSettings::Tls::kStartTls;  // verify_peer against the system CAs
  settings.username = "agent@replydesk.test";
  settings.password = "s3cret:p@ss";
  SmtpTransport transport(settings);
  auto outcome = transport.Submit("s@replydesk.test", {"anna@example.com"}, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kTempFail) << outcome.detail;
  EXPECT_NE(outcome.detail.find("certificate"), std::string::npos) << outcome.detail;
  EXPECT_TRUE(capture.Messages().empty());
}

TEST_F(SmtpTransportTest, StartTlsRequiredButNotOfferedIsTempFail) {
  SmtpCapture& capture = Capture();
  SmtpSettings settings = SettingsFor(capture.port());
  settings.tls = SmtpSettings::Tls::kStartTls;
  SmtpTransport transport(settings);
  auto outcome = transport.Submit("s@replydesk.test", {"anna@example.com"}, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kTempFail) << outcome.detail;
  EXPECT_TRUE(capture.Messages().empty());
}

TEST_F(SmtpTransportTest, WrongPasswordIsPermFail) {
  SmtpCapture& capture = Capture(TlsAuthOptions());
  SmtpSettings settings = SettingsFor(capture.port());
  settings.tls = SmtpSettings::Tls::kStartTls;
  settings.ca_file = capture.cert_file();
  settings.username = "agent@replydesk.test";
  settings.password = "wrong-password";
  SmtpTransport transport(settings);
  auto outcome = transport.Submit("s@replydesk.test", {"anna@example.com"}, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kPermFail) << outcome.detail;
  EXPECT_EQ(outcome.smtp_code, 535);
  EXPECT_EQ(outcome.detail.find("wrong-password"), std::string::npos) << outcome.detail;
  EXPECT_TRUE(capture.Messages().empty());
}

// Postfix as the smarthost: it takes the message over SMTP and relays it to the capture.
TEST_F(SmtpTransportTest, ThroughPostfixHeadersArriveIntact) {
  if (std::string why = PostfixInstance::SkipReason(); !why.empty()) GTEST_SKIP() << why;
  SmtpCapture& capture = Capture();
  PostfixInstance::Route route;
  route.domain = "relay.test";
  route.smtp = "127.0.0.1:" + std::to_string(capture.port());
  PostfixInstance postfix({route});
  ASSERT_TRUE(postfix.ok()) << postfix.error() << "\n" << postfix.Log();

  SmtpTransport transport(SettingsFor(postfix.smtp_port()));
  auto outcome = transport.Submit("bounces+42@replydesk.test",
                                  {"anna@relay.test", "boris@relay.test"}, kMessage);
  EXPECT_EQ(outcome.kind, Kind::kAccepted) << outcome.detail;
  EXPECT_NE(outcome.detail.find("queued as"), std::string::npos) << outcome.detail;
  auto bounce = transport.Submit("", {"carmen@relay.test"}, kMessage);
  EXPECT_EQ(bounce.kind, Kind::kAccepted) << bounce.detail;

  auto messages = capture.WaitForMessages(2, 30);
  ASSERT_EQ(messages.size(), 2u) << postfix.Diagnostics();
  const ReceivedMessage& m = messages[0].envelope_from.empty() ? messages[1] : messages[0];
  EXPECT_EQ(m.envelope_from, "bounces+42@replydesk.test");
  EXPECT_EQ(m.recipients, (std::vector<std::string>{"anna@relay.test", "boris@relay.test"}));
  // Postfix prepends its Received: line and changes nothing of ours.
  ASSERT_TRUE(m.data.starts_with("Received: from client.replydesk.test")) << m.data;
  const std::string ours(kMessage);
  ASSERT_GE(m.data.size(), ours.size());
  EXPECT_EQ(m.data.substr(m.data.size() - ours.size()), ours) << m.data;
  const ReceivedMessage& null_sender =
      messages[0].envelope_from.empty() ? messages[0] : messages[1];
  EXPECT_EQ(null_sender.recipients, std::vector<std::string>{"carmen@relay.test"});
  EXPECT_TRUE(postfix.WaitForEmptyQueue(10)) << postfix.Diagnostics();
}

TEST(SmtpUrlTest, PlainWithDefaults) {
  auto s = SmtpSettings::ParseSmtpUrl("smtp://mail.example.com");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->host, "mail.example.com");
  EXPECT_EQ(s->port, 25);
  EXPECT_EQ(s->tls, SmtpSettings::Tls::kNone);
  EXPECT_TRUE(s->username.empty());
  EXPECT_TRUE(s->verify_peer);
}

TEST(SmtpUrlTest, UserPasswordPortAndStartTls) {
  auto s = SmtpSettings::ParseSmtpUrl(
      "smtp://help%40example.com:p%25ss%3Aw%2Frd%40@smtp.example.com:587/?starttls=required");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->username, "help@example.com");
  EXPECT_EQ(s->password, "p%ss:w/rd@");
  EXPECT_EQ(s->host, "smtp.example.com");
  EXPECT_EQ(s->port, 587);
  EXPECT_EQ(s->tls, SmtpSettings::Tls::kStartTls);
}

TEST(SmtpUrlTest, SmtpsAndParameters) {
  auto s = SmtpSettings::ParseSmtpUrl(
      "SMTPS://u:pw@[::1]?timeout=7&helo=out.example.com&verify=no&ca_file=%2Fetc%2Fca.pem");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->tls, SmtpSettings::Tls::kTls);
  EXPECT_EQ(s->port, 465);
  EXPECT_EQ(s->host, "::1");
  EXPECT_EQ(s->timeout_seconds, 7);
  EXPECT_EQ(s->helo_name, "out.example.com");
  EXPECT_FALSE(s->verify_peer);
  EXPECT_EQ(s->ca_file, "/etc/ca.pem");
}

TEST(SmtpUrlTest, Errors) {
  for (const char* url :
       {"http://mail.example.com", "smtp://", "smtp://host:0", "smtp://host:70000",
        "smtp://host:25x", "smtp://u:%zz@host", "smtp://host?starttls=maybe", "smtp://host?x=1",
        "smtps://host?starttls=required", "smtp://host/path", "smtp://[::1",
        "smtp://host?timeout=0", "smtp://:pw@host"}) {
    auto s = SmtpSettings::ParseSmtpUrl(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.error().detail, "smtp.bad_url") << url;
  }
  auto s = SmtpSettings::ParseSmtpUrl("smtp://user:Secret%zz@host");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.find("Secret"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace replydesk::testing
