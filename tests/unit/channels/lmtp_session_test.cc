#include "channels/lmtp_session.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>

#include "lmtp_test_handler.h"

namespace replydesk::channels {
namespace {

using lmtp_test::Delivery;
using lmtp_test::DeliveryLog;
using lmtp_test::RecordingHandler;

const char kLhloReply[] =
    "250-replydesk\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-ENHANCEDSTATUSCODES\r\n"
    "250 8BITMIME\r\n";

class LmtpSessionTest : public ::testing::Test {
 protected:
  LmtpSessionTest() : handler_(log_), session_(Options(), handler_, "127.0.0.1:1", "lmtp#7") {}

  static LmtpOptions Options() {
    LmtpOptions o;
    o.max_message_bytes = 1000;
    o.max_recipients = 3;
    return o;
  }

  std::string Feed(std::string_view bytes) { return session_.Feed(bytes); }

  // LHLO, MAIL and the given recipients; returns their replies.
  std::string Begin(const std::vector<std::string>& rcpts) {
    std::string out = Feed("LHLO mta.example\r\nMAIL FROM:<alice@example.org>\r\n");
    for (const auto& r : rcpts) out += Feed("RCPT TO:<" + r + ">\r\n");
    return out;
  }

  DeliveryLog log_;
  RecordingHandler handler_;
  LmtpSession session_;
};

TEST_F(LmtpSessionTest, FullTransaction) {
  EXPECT_EQ(session_.Greeting(), "220 replydesk LMTP Replydesk ready\r\n");
  EXPECT_EQ(Feed("LHLO mta.example\r\n"), kLhloReply);
  EXPECT_EQ(Feed("MAIL FROM:<alice@example.org> BODY=8BITMIME SIZE=20\r\n"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(Feed("RCPT TO:<support@example.com>\r\n"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(Feed("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(Feed("Subject: hi\r\n\r\nbody\r\n.\r\n"), "250 2.0.0 Ok: queued as 1\r\n");
  EXPECT_EQ(Feed("QUIT\r\n"), "221 2.0.0 Bye\r\n");
  EXPECT_TRUE(session_.closed());
  ASSERT_EQ(log_.deliveries.size(), 1u);
  const Delivery& d = log_.deliveries[0];
  EXPECT_EQ(d.message, "Subject: hi\n\nbody\n");
  EXPECT_EQ(d.envelope.mail_from, "alice@example.org");
  EXPECT_EQ(d.envelope.rcpt_to, std::vector<std::string>{"support@example.com"});
  EXPECT_EQ(d.envelope.client, "127.0.0.1:1");
}

const char kPipelined[] =
    "LHLO mta\r\nMAIL FROM:<>\r\nRCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n"
    "Subject: p\r\n\r\nline\r\n.\r\nNOOP\r\nQUIT\r\nNOOP\r\n";
const char kPipelinedReplies[] =
    "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
    "250 2.0.0 Ok: queued as 1\r\n250 2.0.0 Ok: queued as 1\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n";

TEST_F(LmtpSessionTest, PipelinedCommandsInOneBuffer) {
  EXPECT_EQ(Feed(kPipelined), std::string(kLhloReply) + kPipelinedReplies);
  EXPECT_TRUE(session_.closed());  // the NOOP after QUIT is ignored
  ASSERT_EQ(log_.deliveries.size(), 1u);
  EXPECT_EQ(log_.deliveries[0].message, "Subject: p\n\nline\n");
  EXPECT_EQ(log_.deliveries[0].envelope.mail_from, "");
  EXPECT_EQ(log_.deliveries[0].envelope.rcpt_to, (std::vector<std::string>{"a@x", "b@x"}));
}

TEST_F(LmtpSessionTest, ByteAtATimeGivesTheSameReplies) {
  std::string out;
  for (char c : std::string(kPipelined)) out += Feed(std::string_view(&c, 1));
  EXPECT_EQ(out, std::string(kLhloReply) + kPipelinedReplies);
  ASSERT_EQ(log_.deliveries.size(), 1u);
  EXPECT_EQ(log_.deliveries[0].message, "Subject: p\n\nline\n");
}

TEST_F(LmtpSessionTest, DotUnstuffingAndLineEnds) {
  Begin({"a@x"});
  Feed("DATA\r\n");
  // "..x" was ".x" before stuffing; "..." was ".."; a bare CR inside a line stays; bare LF
  // line ends are tolerated and ".\n" ends the data.
  EXPECT_EQ(Feed("S: d\r\n\r\n..x\r\n...\r\na.b\r\nc\rd\r\nbare\n.\n"),
            "250 2.0.0 Ok: queued as 1\r\n");
  ASSERT_EQ(log_.deliveries.size(), 1u);
  EXPECT_EQ(log_.deliveries[0].message, "S: d\n\n.x\n..\na.b\nc\rd\nbare\n");
}

TEST_F(LmtpSessionTest, EightBitAndNulBytesPassThrough) {
  Begin({"a@x"});
  Feed("DATA\r\n");
  const std::string body("Subject: \xd0\xbf\xd1\x80\r\n\r\n\0bin\xff\r\n", 24);
  EXPECT_EQ(Feed(body + ".\r\n"), "250 2.0.0 Ok: queued as 1\r\n");
  EXPECT_EQ(log_.deliveries[0].message,
            std::string("Subject: \xd0\xbf\xd1\x80\n\n\0bin\xff\n", 21));
}

TEST_F(LmtpSessionTest, EmptyMessageAndDotLinesAcrossReads) {
  Begin({"a@x"});
  Feed("DATA\r\n");
  EXPECT_EQ(Feed("..\r"), "");
  EXPECT_EQ(Feed("\n."), "");
  EXPECT_EQ(Feed("\r"), "");
  EXPECT_EQ(Feed("\n"), "250 2.0.0 Ok: queued as 1\r\n");
  EXPECT_EQ(log_.deliveries[0].message, ".\n");
}

TEST_F(LmtpSessionTest, SizeParameterOverLimitIsRejected) {
  Feed("LHLO mta\r\n");
  EXPECT_EQ(Feed("MAIL FROM:<a@b> SIZE=1001\r\n"),
            "552 5.3.4 Message size exceeds fixed limit\r\n");
  EXPECT_EQ(Feed("RCPT TO:<a@x>\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
  EXPECT_EQ(Feed("MAIL FROM:<a@b> SIZE=12x\r\n"), "501 5.5.4 Bad SIZE parameter\r\n");
  EXPECT_EQ(Feed("MAIL FROM:<a@b> SIZE=1000\r\n"), "250 2.1.0 Ok\r\n");
}

TEST_F(LmtpSessionTest, OversizedMessageIsReadToTheEndAndRejectedPerRecipient) {
  Begin({"a@x", "b@x"});
  Feed("DATA\r\n");
  std::string line(99, 'x');
  std::string body;
  for (int i = 0; i < 20; ++i) body += line + "\r\n";  // 2000 bytes after CRLF -> LF
  EXPECT_EQ(Feed(body), "");
  EXPECT_EQ(Feed(".\r\n"),
            "552 5.3.4 Error: message too big\r\n552 5.3.4 Error: message too big\r\n");
  EXPECT_TRUE(log_.deliveries.empty());
  // The session is back in sync: the next transaction works.
  EXPECT_EQ(Feed("MAIL FROM:<a@b>\r\nRCPT TO:<a@x>\r\nDATA\r\nsmall\r\n.\r\n"),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
            "250 2.0.0 Ok: queued as 1\r\n");
}

TEST_F(LmtpSessionTest, MessageExactlyAtTheLimitIsAccepted) {
  Begin({"a@x"});
  Feed("DATA\r\n");
  std::string body(999, 'y');
  EXPECT_EQ(Feed(body + "\r\n.\r\n"), "250 2.0.0 Ok: queued as 1\r\n");
  EXPECT_EQ(log_.deliveries[0].message.size(), 1000u);
}

TEST_F(LmtpSessionTest, LongDataLineWithoutNewlineIsBoundedAndRejected) {
  Begin({"a@x"});
  Feed("DATA\r\n");
  EXPECT_EQ(Feed(std::string(200 * 1024, 'z')), "");
  EXPECT_EQ(Feed("\r\n.\r\n"), "552 5.3.4 Error: message too big\r\n");
}

TEST_F(LmtpSessionTest, UnknownRecipientGetsNoReplyAfterData) {
  EXPECT_EQ(Begin({"a@x", "nobody@example.com", "b@x"}),
            std::string(kLhloReply) +
                "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 User unknown\r\n"
                "250 2.1.5 Ok\r\n");
  Feed("DATA\r\n");
  EXPECT_EQ(Feed("x\r\n.\r\n"), "250 2.0.0 Ok: queued as 1\r\n250 2.0.0 Ok: queued as 1\r\n");
  EXPECT_EQ(log_.deliveries[0].envelope.rcpt_to, (std::vector<std::string>{"a@x", "b@x"}));
}

TEST_F(LmtpSessionTest, DataNeedsMailAndAnAcceptedRecipient) {
  Feed("LHLO mta\r\n");
  EXPECT_EQ(Feed("DATA\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
  EXPECT_EQ(Feed("MAIL FROM:<a@b>\r\nDATA\r\n"),
            "250 2.1.0 Ok\r\n503 5.5.1 Error: no valid recipients\r\n");
  EXPECT_EQ(Feed("RCPT TO:<nobody@example.com>\r\nDATA\r\n"),
            "550 5.1.1 User unknown\r\n503 5.5.1 Error: no valid recipients\r\n");
  EXPECT_TRUE(log_.deliveries.empty());
}

TEST_F(LmtpSessionTest, RsetClearsTheTransaction) {
  Begin({"a@x"});
  EXPECT_EQ(Feed("RSET\r\n"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(Feed("RCPT TO:<a@x>\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
  EXPECT_EQ(Feed("MAIL FROM:<c@d>\r\nRCPT TO:<b@x>\r\nDATA\r\nm\r\n.\r\n").substr(0, 14),
            "250 2.1.0 Ok\r\n");
  ASSERT_EQ(log_.deliveries.size(), 1u);
  EXPECT_EQ(log_.deliveries[0].envelope.mail_from, "c@d");
  EXPECT_EQ(log_.deliveries[0].envelope.rcpt_to, std::vector<std::string>{"b@x"});
}

TEST_F(LmtpSessionTest, HandlerExceptionOnDeliverGives451ForEveryRecipient) {
  handler_.throw_on_deliver = true;
  Begin({"a@x", "b@x"});
  Feed("DATA\r\n");
  EXPECT_EQ(Feed("m\r\n.\r\n"),
            "451 4.3.0 Temporary failure, id lmtp#7\r\n451 4.3.0 Temporary failure, id lmtp#7\r\n");
  EXPECT_FALSE(session_.closed());
  EXPECT_EQ(Feed("NOOP\r\n"), "250 2.0.0 Ok\r\n");
}

TEST_F(LmtpSessionTest, HandlerExceptionOnRecipientGives451) {
  handler_.throw_on_check = true;
  EXPECT_EQ(Begin({"a@x"}),
            std::string(kLhloReply) + "250 2.1.0 Ok\r\n451 4.3.0 Temporary failure, id lmtp#7\r\n");
}

TEST_F(LmtpSessionTest, WrongNumberOfRepliesFromHandlerGives451) {
  handler_.wrong_reply_count = 1;
  Begin({"a@x"});
  Feed("DATA\r\n");
  EXPECT_EQ(Feed("m\r\n.\r\n"), "451 4.3.0 Temporary failure, id lmtp#7\r\n");
}

TEST_F(LmtpSessionTest, CommandErrors) {
  EXPECT_EQ(Feed("MAIL FROM:<a@b>\r\n"), "503 5.5.1 Error: send LHLO first\r\n");
  EXPECT_EQ(Feed("EHLO mta\r\n"), "500 5.5.1 Error: this is LMTP, use LHLO\r\n");
  EXPECT_EQ(Feed("HELO mta\r\n"), "500 5.5.1 Error: this is LMTP, use LHLO\r\n");
  EXPECT_EQ(Feed("LHLO\r\n"), "501 5.5.4 Syntax: LHLO hostname\r\n");
  EXPECT_EQ(Feed("lhlo mta\n").substr(0, 15), "250-replydesk\r\n");  // case, bare LF
  EXPECT_EQ(Feed("BDAT 10 LAST\r\n"), "500 5.5.2 Error: command not recognized\r\n");
  EXPECT_EQ(Feed("\r\n"), "500 5.5.2 Error: command not recognized\r\n");
  EXPECT_EQ(Feed("MAIL TO:<a@b>\r\n"), "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  EXPECT_EQ(Feed("MAIL FROM:<a@b\r\n"), "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  EXPECT_EQ(Feed("MAIL FROM:<a@b> BODY=BINARYMIME\r\n"), "501 5.5.4 Bad BODY parameter\r\n");
  EXPECT_EQ(Feed("MAIL FROM:<a@b> AUTH=<>\r\n"), "555 5.5.4 Unsupported option: AUTH\r\n");
  EXPECT_EQ(Feed("MAIL FROM: <@relay:a@b>\r\n"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(Feed("MAIL FROM:<a@b>\r\n"), "503 5.5.1 Error: nested MAIL command\r\n");
  EXPECT_EQ(Feed("RCPT TO:<>\r\n"), "501 5.1.3 Bad recipient address syntax\r\n");
  EXPECT_EQ(Feed("RCPT TO:<a@x> NOTIFY=NEVER\r\n"), "555 5.5.4 Unsupported option: NOTIFY\r\n");
  EXPECT_EQ(Feed("RCPT TO:<\"john >doe\"@x>\r\n"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(Feed("DATA now\r\n"), "501 5.5.4 Syntax: DATA\r\n");
  EXPECT_EQ(Feed("VRFY a@x\r\n"), "252 2.5.0 Cannot VRFY user, but will accept message\r\n");
  EXPECT_EQ(Feed("NOOP anything\r\n"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(log_.checked.back(), "\"john >doe\"@x");
}

TEST_F(LmtpSessionTest, TooManyRecipients) {
  EXPECT_EQ(Begin({"a@x", "b@x", "c@x", "d@x"}).substr(sizeof kLhloReply - 1),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
            "452 4.5.3 Error: too many recipients\r\n");
}

TEST_F(LmtpSessionTest, OverlongCommandLineIsRejectedAndSessionContinues) {
  std::string junk(LmtpSession::kMaxCommandLine * 3, 'A');
  EXPECT_EQ(Feed(junk), "");
  EXPECT_EQ(Feed("AAA\r\nNOOP\r\n"), "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");
}

TEST_F(LmtpSessionTest, TooManyErrorsCloses) {
  std::string out;
  for (int i = 0; i < LmtpSession::kMaxErrors; ++i) out += Feed("XYZZY\r\n");
  EXPECT_TRUE(session_.closed());
  EXPECT_NE(out.find("421 4.7.0 replydesk Error: too many errors\r\n"), std::string::npos);
}

TEST_F(LmtpSessionTest, TimeoutAndShutdownReplies) {
  EXPECT_EQ(session_.ShutdownReply(), "421 4.3.2 replydesk Service shutting down\r\n");
  EXPECT_TRUE(session_.closed());
  EXPECT_EQ(Feed("NOOP\r\n"), "");
}

// The fault point sits after Deliver and before any reply byte: a crash there leaves the MTA
// without an answer, so it retries (the store deduplicates).
TEST(LmtpSessionDeathTest, FaultPointBeforeReplyKillsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("REPLYDESK_FAULT", "lmtp.before_reply", 1);
        DeliveryLog log;
        RecordingHandler handler(log);
        LmtpSession session(LmtpOptions(), handler, "c", "lmtp#1");
        session.Feed("LHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nm\r\n.\r\n");
        std::exit(0);
      },
      ::testing::KilledBySignal(SIGKILL), "fault point");
}

}  // namespace
}  // namespace replydesk::channels
