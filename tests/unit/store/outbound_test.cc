// The outbox: round trip, lookup by Message-ID (bounces), state changes with
// attempt counting, the automatic-reply rate-limit count, and the lists.
#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using domain::Outbound;
using domain::OutboundState;
using util::ErrorCode;

class OutboundTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
      domain::Customer c;
      c.name = "Alice";
      RD_ASSIGN_OR_RETURN(c, tx.CreateCustomer(c));
      domain::Ticket t;
      t.customer_id = c.id;
      RD_ASSIGN_OR_RETURN(t, tx.CreateTicket(t));
      ticket_ = t.id;
      domain::Article a;
      a.ticket_id = t.id;
      a.direction = domain::Direction::kOutbound;
      RD_ASSIGN_OR_RETURN(a, tx.CreateArticle(a));
      article_ = a.id;
      RD_ASSIGN_OR_RETURN(a, tx.CreateArticle(a));
      other_article_ = a.id;
      return Status();
    }));
  }
  Outbound NewOutbound(const std::string& message_id, const std::string& to, bool automatic,
                       UnixSeconds created_at) const {
    Outbound o;
    o.article_id = article_;
    o.ticket_id = ticket_;
    o.envelope_from = "bounces@example.org";
    o.recipients = {to};
    o.raw_sha256 = std::string(64, 'c');
    o.message_id = message_id;
    o.automatic = automatic;
    o.created_at = created_at;
    return o;
  }
  // Creates in its own transaction, returns the id (0 on failure).
  Id Create(const Outbound& o) {
    Id id = 0;
    EXPECT_TRUE(store_
                    ->Transact([&](Tx& tx) -> Status {
                      RD_ASSIGN_OR_RETURN(Outbound created, tx.CreateOutbound(o));
                      id = created.id;
                      return Status();
                    })
                    .ok());
    return id;
  }
  Id ticket_ = 0;
  Id article_ = 0;
  Id other_article_ = 0;
};

TEST_P(OutboundTest, RoundTripOfEveryField) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    Outbound o = NewOutbound("r1@example.org", "alice@example.com", true, 1000);
    o.recipients = {"alice@example.com", "bob@example.com", "carol@example.com"};
    o.state = OutboundState::kFailed;
    o.attempts = 2;
    o.smtp_code = 451;
    o.last_error = "451 4.7.1 try later";
    o.sent_at = 1005;
    RD_ASSIGN_OR_RETURN(Outbound created, tx.CreateOutbound(o));
    EXPECT_GT(created.id, 0);
    RD_ASSIGN_OR_RETURN(Outbound got, tx.GetOutbound(created.id));
    EXPECT_EQ(got.id, created.id);
    EXPECT_EQ(got.article_id, article_);
    EXPECT_EQ(got.ticket_id, ticket_);
    EXPECT_EQ(got.envelope_from, "bounces@example.org");
    EXPECT_EQ(got.recipients, o.recipients);
    EXPECT_EQ(got.raw_sha256, o.raw_sha256);
    EXPECT_EQ(got.message_id, "r1@example.org");
    EXPECT_TRUE(got.automatic);
    EXPECT_EQ(got.state, OutboundState::kFailed);
    EXPECT_EQ(got.attempts, 2);
    EXPECT_EQ(got.smtp_code, 451);
    EXPECT_EQ(got.last_error, "451 4.7.1 try later");
    EXPECT_EQ(got.created_at, 1000);
    EXPECT_EQ(got.sent_at, std::optional<UnixSeconds>(1005));

    Outbound plain = NewOutbound("r2@example.org", "alice@example.com", false, 1001);
    plain.envelope_from = "";  // null sender
    RD_ASSIGN_OR_RETURN(plain, tx.CreateOutbound(plain));
    RD_ASSIGN_OR_RETURN(got, tx.GetOutbound(plain.id));
    EXPECT_EQ(got.envelope_from, "");
    EXPECT_FALSE(got.automatic);
    EXPECT_EQ(got.state, OutboundState::kQueued);
    EXPECT_EQ(got.attempts, 0);
    EXPECT_EQ(got.smtp_code, 0);
    EXPECT_FALSE(got.sent_at.has_value());

    auto missing = tx.GetOutbound(999);
    EXPECT_FALSE(missing.ok());
    if (!missing.ok()) {
      EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
      EXPECT_EQ(missing.error().detail, "store.not_found");
    }
    return Status();
  }));
}

TEST_P(OutboundTest, FindByMessageId) {
  const Id id = Create(NewOutbound("abc@example.org", "alice@example.com", false, 10));
  ASSERT_GT(id, 0);
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(auto found, tx.FindOutboundByMessageId("abc@example.org"));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->id, id);
      EXPECT_EQ(found->recipients, std::vector<std::string>{"alice@example.com"});
    }
    RD_ASSIGN_OR_RETURN(auto none, tx.FindOutboundByMessageId("other@example.org"));
    EXPECT_FALSE(none.has_value());
    RD_ASSIGN_OR_RETURN(auto empty, tx.FindOutboundByMessageId(""));
    EXPECT_FALSE(empty.has_value());
    return Status();
  }));
}

TEST_P(OutboundTest, SetStateCountsAttemptsAndKeepsSentAt) {
  const Id id = Create(NewOutbound("s@example.org", "alice@example.com", false, 10));
  ASSERT_GT(id, 0);
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(
        tx.SetOutboundState(id, OutboundState::kQueued, 451, "greylisted", std::nullopt, true));
    RD_ASSIGN_OR_RETURN(Outbound got, tx.GetOutbound(id));
    EXPECT_EQ(got.attempts, 1);
    EXPECT_EQ(got.smtp_code, 451);
    EXPECT_EQ(got.last_error, "greylisted");
    EXPECT_FALSE(got.sent_at.has_value());

    RD_RETURN_IF_ERROR(tx.SetOutboundState(id, OutboundState::kSent, 250, "", 77, true));
    RD_ASSIGN_OR_RETURN(got, tx.GetOutbound(id));
    EXPECT_EQ(got.state, OutboundState::kSent);
    EXPECT_EQ(got.attempts, 2);
    EXPECT_EQ(got.smtp_code, 250);
    EXPECT_EQ(got.last_error, "");
    EXPECT_EQ(got.sent_at, std::optional<UnixSeconds>(77));

    // A bounce is not an attempt, and keeps the time it was sent.
    RD_RETURN_IF_ERROR(tx.SetOutboundState(id, OutboundState::kBounced, 550, "5.1.1 unknown user",
                                           std::nullopt, false));
    RD_ASSIGN_OR_RETURN(got, tx.GetOutbound(id));
    EXPECT_EQ(got.state, OutboundState::kBounced);
    EXPECT_EQ(got.attempts, 2);
    EXPECT_EQ(got.smtp_code, 550);
    EXPECT_EQ(got.last_error, "5.1.1 unknown user");
    EXPECT_EQ(got.sent_at, std::optional<UnixSeconds>(77));

    Status st = tx.SetOutboundState(999, OutboundState::kSent, 250, "", 1, true);
    EXPECT_FALSE(st.ok());
    if (!st.ok()) {
      EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
    }
    return Status();
  }));
}

TEST_P(OutboundTest, RateLimitCountsAutomaticToTheFirstRecipientSince) {
  ASSERT_GT(Create(NewOutbound("a1@x", "alice@example.com", true, 100)), 0);
  ASSERT_GT(Create(NewOutbound("a2@x", "alice@example.com", true, 200)), 0);
  ASSERT_GT(Create(NewOutbound("a3@x", "alice@example.com", true, 300)), 0);
  ASSERT_GT(Create(NewOutbound("m1@x", "alice@example.com", false, 300)), 0);  // a person's reply
  ASSERT_GT(Create(NewOutbound("b1@x", "bob@example.com", true, 300)), 0);
  Outbound cc = NewOutbound("c1@x", "carol@example.com", true, 300);
  cc.recipients.push_back("alice@example.com");  // alice only as a second recipient
  ASSERT_GT(Create(cc), 0);
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(int64_t all, tx.CountAutomaticOutbound("alice@example.com", 0));
    EXPECT_EQ(all, 3);
    RD_ASSIGN_OR_RETURN(int64_t since, tx.CountAutomaticOutbound("alice@example.com", 200));
    EXPECT_EQ(since, 2) << "since is inclusive";
    RD_ASSIGN_OR_RETURN(int64_t later, tx.CountAutomaticOutbound("alice@example.com", 301));
    EXPECT_EQ(later, 0);
    RD_ASSIGN_OR_RETURN(int64_t bob, tx.CountAutomaticOutbound("bob@example.com", 0));
    EXPECT_EQ(bob, 1);
    RD_ASSIGN_OR_RETURN(int64_t nobody, tx.CountAutomaticOutbound("dan@example.com", 0));
    EXPECT_EQ(nobody, 0);
    return Status();
  }));
}

TEST_P(OutboundTest, ListsNewestFirstByStateAndPerArticle) {
  const Id first = Create(NewOutbound("l1@x", "alice@example.com", false, 10));
  const Id second = Create(NewOutbound("l2@x", "alice@example.com", false, 10));
  Outbound other = NewOutbound("l3@x", "alice@example.com", false, 5);
  other.article_id = other_article_;
  const Id third = Create(other);
  ASSERT_GT(first, 0);
  ASSERT_GT(second, 0);
  ASSERT_GT(third, 0);
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.SetOutboundState(second, OutboundState::kSent, 250, "", 20, true));
    RD_ASSIGN_OR_RETURN(auto all, tx.ListOutbound(std::nullopt, 10));
    EXPECT_EQ(all.size(), 3u);
    if (all.size() == 3) {
      EXPECT_EQ(all[0].id, third);
      EXPECT_EQ(all[1].id, second);
      EXPECT_EQ(all[2].id, first);
    }
    RD_ASSIGN_OR_RETURN(auto limited, tx.ListOutbound(std::nullopt, 1));
    EXPECT_EQ(limited.size(), 1u);
    RD_ASSIGN_OR_RETURN(auto queued, tx.ListOutbound(OutboundState::kQueued, 10));
    EXPECT_EQ(queued.size(), 2u);
    if (queued.size() == 2) {
      EXPECT_EQ(queued[0].id, third);
      EXPECT_EQ(queued[1].id, first);
    }
    RD_ASSIGN_OR_RETURN(auto sent, tx.ListOutbound(OutboundState::kSent, 10));
    EXPECT_EQ(sent.size(), 1u);
    RD_ASSIGN_OR_RETURN(auto for_article, tx.ListOutboundForArticle(article_));
    EXPECT_EQ(for_article.size(), 2u);
    if (for_article.size() == 2) {
      EXPECT_EQ(for_article[0].id, first);
      EXPECT_EQ(for_article[1].id, second);
    }
    RD_ASSIGN_OR_RETURN(auto none, tx.ListOutboundForArticle(999));
    EXPECT_TRUE(none.empty());
    return Status();
  }));
}

RD_STORE_TEST_SUITE(OutboundTest);

}  // namespace
}  // namespace replydesk::store::testing
