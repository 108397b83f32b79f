// Migration 0003 on tickets, tags, users and articles: assignee, language and
// SLA due times on every ticket reader, UpdateTicket, idempotent tags, agent
// profiles, and the delivery state of outgoing articles.
#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using domain::Article;
using domain::Ticket;
using domain::TicketStatus;
using domain::User;
using util::ErrorCode;

class TicketFieldsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
      domain::Customer c;
      c.name = "Alice";
      RD_ASSIGN_OR_RETURN(c, tx.CreateCustomer(c));
      customer_ = c.id;
      User u;
      u.email = "agent@example.org";
      u.name = "Ana Agent";
      u.password_hash = "x";
      u.created_at = 50;
      u.position = "Support engineer";
      u.signature = "{{agent.name}}\n{{agent.position}}";
      RD_ASSIGN_OR_RETURN(u, tx.CreateUser(u));
      agent_ = u.id;
      return Status();
    }));
  }
  Ticket NewTicket(const std::string& subject) const {
    Ticket t;
    t.subject = subject;
    t.normalized_subject = subject;
    t.customer_id = customer_;
    t.created_at = 100;
    t.updated_at = 100;
    return t;
  }
  static void ExpectSlaFields(const Ticket& got, const Ticket& want) {
    EXPECT_EQ(got.assignee_id, want.assignee_id);
    EXPECT_EQ(got.language, want.language);
    EXPECT_EQ(got.first_response_due, want.first_response_due);
    EXPECT_EQ(got.resolution_due, want.resolution_due);
    EXPECT_EQ(got.first_responded_at, want.first_responded_at);
  }
  Id customer_ = 0;
  Id agent_ = 0;
};

TEST_P(TicketFieldsTest, EveryTicketReaderCarriesTheNewFields) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    Ticket t = NewTicket("vpn");
    t.assignee_id = agent_;
    t.language = "bg";
    t.first_response_due = 1000;
    t.resolution_due = 5000;
    t.first_responded_at = 400;
    RD_ASSIGN_OR_RETURN(Ticket created, tx.CreateTicket(t));
    RD_ASSIGN_OR_RETURN(Ticket got, tx.GetTicket(created.id));
    ExpectSlaFields(got, t);
    RD_ASSIGN_OR_RETURN(auto by_number, tx.FindTicketByNumber(created.number));
    EXPECT_TRUE(by_number.has_value());
    if (by_number) ExpectSlaFields(*by_number, t);
    RD_ASSIGN_OR_RETURN(auto list, tx.ListTickets({}));
    EXPECT_EQ(list.size(), 1u);
    if (!list.empty()) ExpectSlaFields(list[0], t);
    RD_ASSIGN_OR_RETURN(auto recent, tx.FindRecentOpenTicket(customer_, "vpn", 0));
    EXPECT_TRUE(recent.has_value());
    if (recent) ExpectSlaFields(*recent, t);

    RD_ASSIGN_OR_RETURN(Ticket plain, tx.CreateTicket(NewTicket("plain")));
    RD_ASSIGN_OR_RETURN(got, tx.GetTicket(plain.id));
    ExpectSlaFields(got, Ticket{});
    return Status();
  }));
}

TEST_P(TicketFieldsTest, UpdateTicketWritesItsFields) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(domain::Team team, tx.CreateTeam("Support"));
    RD_ASSIGN_OR_RETURN(Ticket t, tx.CreateTicket(NewTicket("printer")));
    t.status = TicketStatus::kClosed;
    t.priority = domain::Priority::kHigh;
    t.team_id = team.id;
    t.assignee_id = agent_;
    t.language = "ro";
    t.first_response_due = 200;
    t.resolution_due = 300;
    t.first_responded_at = 150;
    t.updated_at = 160;
    t.closed_at = 160;
    t.subject = "ignored";  // not written by UpdateTicket
    RD_RETURN_IF_ERROR(tx.UpdateTicket(t));
    RD_ASSIGN_OR_RETURN(Ticket got, tx.GetTicket(t.id));
    EXPECT_EQ(got.status, TicketStatus::kClosed);
    EXPECT_EQ(got.priority, domain::Priority::kHigh);
    EXPECT_EQ(got.team_id, std::optional<Id>(team.id));
    EXPECT_EQ(got.updated_at, 160);
    EXPECT_EQ(got.closed_at, std::optional<UnixSeconds>(160));
    EXPECT_EQ(got.subject, "printer");
    ExpectSlaFields(got, t);

    // Clearing: optional fields written back as NULL.
    t.status = TicketStatus::kOpen;
    t.team_id.reset();
    t.assignee_id.reset();
    t.first_response_due.reset();
    t.closed_at.reset();
    RD_RETURN_IF_ERROR(tx.UpdateTicket(t));
    RD_ASSIGN_OR_RETURN(got, tx.GetTicket(t.id));
    EXPECT_EQ(got.status, TicketStatus::kOpen);
    EXPECT_FALSE(got.team_id.has_value());
    EXPECT_FALSE(got.closed_at.has_value());
    ExpectSlaFields(got, t);
    return Status();
  }));
}

TEST_P(TicketFieldsTest, UpdateMissingTicketIsNotFound) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    Ticket t = NewTicket("x");
    t.id = 424242;
    Status st = tx.UpdateTicket(t);
    EXPECT_FALSE(st.ok());
    if (!st.ok()) {
      EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
      EXPECT_EQ(st.error().detail, "store.not_found");
    }
    return Status();
  }));
}

TEST_P(TicketFieldsTest, TagsAreIdempotentAndSorted) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(Ticket a, tx.CreateTicket(NewTicket("a")));
    RD_ASSIGN_OR_RETURN(Ticket b, tx.CreateTicket(NewTicket("b")));
    RD_RETURN_IF_ERROR(tx.AddTicketTag(a.id, "vip"));
    RD_RETURN_IF_ERROR(tx.AddTicketTag(a.id, "billing"));
    RD_RETURN_IF_ERROR(tx.AddTicketTag(a.id, "vip"));  // no-op
    RD_RETURN_IF_ERROR(tx.AddTicketTag(a.id, "Urgent"));
    RD_RETURN_IF_ERROR(tx.AddTicketTag(b.id, "vip"));
    RD_ASSIGN_OR_RETURN(auto tags, tx.ListTicketTags(a.id));
    EXPECT_EQ(tags, (std::vector<std::string>{"Urgent", "billing", "vip"})) << "byte order";
    RD_ASSIGN_OR_RETURN(auto other, tx.ListTicketTags(b.id));
    EXPECT_EQ(other, (std::vector<std::string>{"vip"}));
    RD_ASSIGN_OR_RETURN(auto none, tx.ListTicketTags(999));
    EXPECT_TRUE(none.empty());
    Status missing = tx.AddTicketTag(999, "vip");
    EXPECT_FALSE(missing.ok());
    if (!missing.ok()) {
      EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    }
    Status empty = tx.AddTicketTag(a.id, "");
    EXPECT_FALSE(empty.ok());
    if (!empty.ok()) {
      EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
    }
    return Status();  // neither failure poisoned the transaction
  }));
}

TEST_P(TicketFieldsTest, UserProfiles) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(User got, tx.GetUser(agent_));
    EXPECT_EQ(got.email, "agent@example.org");
    EXPECT_EQ(got.position, "Support engineer");
    EXPECT_EQ(got.signature, "{{agent.name}}\n{{agent.position}}");
    EXPECT_EQ(got.created_at, 50);
    RD_ASSIGN_OR_RETURN(auto by_email, tx.FindUserByEmail("agent@example.org"));
    EXPECT_TRUE(by_email.has_value() && by_email->position == "Support engineer");

    User admin;
    admin.email = "admin@example.org";
    admin.role = domain::Role::kAdmin;
    admin.password_hash = "y";
    RD_ASSIGN_OR_RETURN(admin, tx.CreateUser(admin));
    RD_ASSIGN_OR_RETURN(auto users, tx.ListUsers());
    EXPECT_EQ(users.size(), 2u);
    if (users.size() == 2) {
      EXPECT_EQ(users[0].id, agent_) << "by id";
      EXPECT_EQ(users[1].id, admin.id);
      EXPECT_EQ(users[1].role, domain::Role::kAdmin);
      EXPECT_EQ(users[1].position, "");
    }

    got.name = "Ana Popescu";
    got.position = "Team lead";
    got.signature = "";
    got.email = "ignored@example.org";  // not part of the profile
    RD_RETURN_IF_ERROR(tx.UpdateUserProfile(got));
    RD_ASSIGN_OR_RETURN(User after, tx.GetUser(agent_));
    EXPECT_EQ(after.name, "Ana Popescu");
    EXPECT_EQ(after.position, "Team lead");
    EXPECT_EQ(after.signature, "");
    EXPECT_EQ(after.email, "agent@example.org");

    User missing;
    missing.id = 999;
    Status st = tx.UpdateUserProfile(missing);
    EXPECT_FALSE(st.ok());
    if (!st.ok()) {
      EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
    }
    auto none = tx.GetUser(999);
    EXPECT_FALSE(none.ok());
    if (!none.ok()) {
      EXPECT_EQ(none.error().detail, "store.not_found");
    }
    return Status();
  }));
}

TEST_P(TicketFieldsTest, ArticleAuthorAutoReplyDeliveryAndDuration) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(Ticket t, tx.CreateTicket(NewTicket("call")));
    Article reply;
    reply.ticket_id = t.id;
    reply.direction = domain::Direction::kOutbound;
    reply.author_user_id = agent_;
    reply.auto_reply = true;
    reply.delivery_status = "queued";
    reply.body_text = "We got your message";
    reply.created_at = 110;
    RD_ASSIGN_OR_RETURN(reply, tx.CreateArticle(reply));
    Article call;
    call.ticket_id = t.id;
    call.kind = domain::ArticleKind::kPhone;
    call.direction = domain::Direction::kInternal;
    call.author_user_id = agent_;
    call.duration_seconds = 754;
    call.created_at = 120;
    RD_ASSIGN_OR_RETURN(call, tx.CreateArticle(call));

    RD_ASSIGN_OR_RETURN(Article got, tx.GetArticle(reply.id));
    EXPECT_EQ(got.author_user_id, std::optional<Id>(agent_));
    EXPECT_TRUE(got.auto_reply);
    EXPECT_EQ(got.delivery_status, "queued");
    EXPECT_EQ(got.delivery_error, "");
    EXPECT_EQ(got.body_text, "We got your message");
    EXPECT_EQ(got.duration_seconds, 0);

    RD_RETURN_IF_ERROR(tx.SetArticleDelivery(reply.id, "failed", "550 5.1.1 no such user"));
    RD_ASSIGN_OR_RETURN(auto list, tx.ListArticles(t.id));
    EXPECT_EQ(list.size(), 2u);
    if (list.size() == 2) {
      EXPECT_EQ(list[0].delivery_status, "failed");
      EXPECT_EQ(list[0].delivery_error, "550 5.1.1 no such user");
      EXPECT_EQ(list[1].duration_seconds, 754);
      EXPECT_FALSE(list[1].auto_reply);
      EXPECT_EQ(list[1].delivery_status, "");
    }

    auto none = tx.GetArticle(999);
    EXPECT_FALSE(none.ok());
    if (!none.ok()) {
      EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
    }
    Status st = tx.SetArticleDelivery(999, "sent", "");
    EXPECT_FALSE(st.ok());
    if (!st.ok()) {
      EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
    }
    return Status();
  }));
}

RD_STORE_TEST_SUITE(TicketFieldsTest);

}  // namespace
}  // namespace replydesk::store::testing
