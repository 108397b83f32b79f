// The outbox: retries with backoff on temporary failures, stops on permanent
// ones with the server's words on the article, bounces recorded on the article
// they concern without a new ticket. SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include "outbound_test_env.h"

namespace replydesk::services {
namespace {

using Kind = SubmitOutcome::Kind;

class OutboxTest : public OutboundTest {
 protected:
  domain::Article Article(domain::Id id) {
    return Read<domain::Article>([&](store::Tx& tx) { return tx.GetArticle(id); });
  }
  domain::Outbound Only() {
    auto all = Outbox();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? domain::Outbound{} : all[0];
  }
};

TEST_P(OutboxTest, TemporaryFailureIsRetriedWithBackoffThenSent) {
  Deliver(Mail("<m1@x>", "a@x.com", "Question", "text"));
  transport_.outcomes = {{Kind::kTempFail, 0, "Failed to connect to 127.0.0.1 port 2525"},
                         {Kind::kTempFail, 451, "451 4.3.0 try later"}};
  SendResult first = Send();
  EXPECT_EQ(first.retrying, 1);
  auto o = Only();
  EXPECT_EQ(o.state, domain::OutboundState::kQueued);
  EXPECT_EQ(o.attempts, 1);
  EXPECT_EQ(Article(o.article_id).delivery_status, "queued");
  EXPECT_NE(Article(o.article_id).delivery_error.find("Failed to connect"), std::string::npos);
  // Not due yet: nothing is tried before the backoff ends.
  EXPECT_EQ(Send().claimed, 0);
  clock_.Advance(60);
  EXPECT_EQ(Send().retrying, 1);
  clock_.Advance(119);
  EXPECT_EQ(Send().claimed, 0);  // the second wait is twice as long
  clock_.Advance(1);
  EXPECT_EQ(Send().sent, 1);
  ASSERT_EQ(transport_.attempts.size(), 3u);
  // Every attempt carries the same bytes, so the same Message-ID.
  EXPECT_EQ(transport_.attempts[0].raw, transport_.attempts[2].raw);
  o = Only();
  EXPECT_EQ(o.state, domain::OutboundState::kSent);
  EXPECT_EQ(o.attempts, 3);
  EXPECT_EQ(Article(o.article_id).delivery_status, "sent");
  EXPECT_EQ(Article(o.article_id).delivery_error, "");
}

TEST_P(OutboxTest, PermanentFailureStopsAndShowsOnTheArticle) {
  Deliver(Mail("<m1@x>", "a@x.com", "Question", "text"));
  transport_.outcomes = {{Kind::kPermFail, 550, "550 5.1.1 <a@x.com>: Recipient address rejected"}};
  EXPECT_EQ(Send().failed, 1);
  auto o = Only();
  EXPECT_EQ(o.state, domain::OutboundState::kFailed);
  EXPECT_EQ(o.smtp_code, 550);
  auto a = Article(o.article_id);
  EXPECT_EQ(a.delivery_status, "failed");
  EXPECT_NE(a.delivery_error.find("Recipient address rejected"), std::string::npos);
  clock_.Advance(86400);
  EXPECT_EQ(Send().claimed, 0);
  EXPECT_EQ(transport_.attempts.size(), 1u);
}

TEST_P(OutboxTest, GivesUpAfterMaxAttempts) {
  Deliver(Mail("<m1@x>", "a@x.com", "Question", "text"));
  transport_.outcomes = {{Kind::kTempFail, 421, "421 busy"},
                         {Kind::kTempFail, 421, "421 busy"},
                         {Kind::kTempFail, 421, "421 still busy"}};
  for (int i = 0; i < 5; ++i) {
    Send();
    clock_.Advance(3600);
  }
  EXPECT_EQ(transport_.attempts.size(), 3u);  // max_attempts = 3
  auto o = Only();
  EXPECT_EQ(o.state, domain::OutboundState::kFailed);
  EXPECT_EQ(Article(o.article_id).delivery_status, "failed");
}

TEST_P(OutboxTest, BounceOfOurMailMarksTheArticleAndOpensNoTicket) {
  Deliver(Mail("<m1@x>", "Ivan <ivan@x.com>", "Question", "text"));
  ASSERT_EQ(Send().sent, 1);
  auto o = Only();
  const std::string dsn =
      "From: MAILER-DAEMON@mx.x.com (Mail Delivery System)\n"
      "To: support@ours.example\n"
      "Subject: Undelivered Mail Returned to Sender\n"
      "Message-ID: <bounce1@mx.x.com>\n"
      "Date: Tue, 24 Nov 2026 09:01:00 +0000\n"
      "Auto-Submitted: auto-replied\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
      "--B\nContent-Type: text/plain\n\nThis is the mail system at host mx.x.com.\n"
      "I'm sorry to have to inform you that your message could not be delivered.\n\n"
      "--B\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mx.x.com\n\n"
      "Final-Recipient: rfc822; ivan@x.com\nAction: failed\nStatus: 5.1.1\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <ivan@x.com>: Recipient address rejected: User unknown\n\n"
      "--B\nContent-Type: text/rfc822-headers\n\n"
      "From: Customer Care <support@ours.example>\nTo: ivan@x.com\n"
      "Subject: whatever\nMessage-ID: <" +
      o.message_id + ">\n\n--B--\n";
  Deliver(dsn);
  EXPECT_EQ(Tickets().size(), 1u);  // no ticket for the bounce
  o = Only();
  EXPECT_EQ(o.state, domain::OutboundState::kBounced);
  auto a = Article(o.article_id);
  EXPECT_EQ(a.delivery_status, "bounced");
  EXPECT_NE(a.delivery_error.find("5.1.1"), std::string::npos) << a.delivery_error;
  EXPECT_EQ(Articles(Tickets()[0].id).size(), 2u);
  // The bounce itself is kept and points at the ticket.
  auto inbound =
      Read<std::vector<domain::Inbound>>([](store::Tx& tx) { return tx.ListInbound({}); });
  bool found = false;
  for (const auto& i : inbound) {
    if (i.message_id == "bounce1@mx.x.com") {
      found = true;
      EXPECT_EQ(i.state, domain::InboundState::kProcessed);
      EXPECT_EQ(i.ticket_id, std::optional<domain::Id>(Tickets()[0].id));
    }
  }
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::services
