// Message-ID index: ghosts, real ids, lookup order, long References: lists.
#include <map>
#include <memory>

#include "store/pg_connection.h"
#include "store/sqlite_connection.h"
#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

class MessageIdsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
      domain::Customer c;
      RD_ASSIGN_OR_RETURN(c, tx.CreateCustomer(c));
      for (int i = 0; i < 2; ++i) {
        domain::Ticket t;
        t.customer_id = c.id;
        RD_ASSIGN_OR_RETURN(t, tx.CreateTicket(t));
        ticket_[i] = t.id;
        domain::Article a;
        a.ticket_id = t.id;
        RD_ASSIGN_OR_RETURN(a, tx.CreateArticle(a));
        article_[i] = a.id;
      }
      return Status();
    }));
  }
  std::optional<Id> Find(const std::vector<std::string>& ids) {
    std::optional<Id> out;
    Status st = store_->Transact([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(out, tx.FindTicketByMessageIds(ids));
      return Status();
    });
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    return out;
  }
  Status Record(const std::string& id, Id ticket, std::optional<Id> article) {
    return store_->Transact([&](Tx& tx) { return tx.RecordMessageId(id, ticket, article); });
  }
  // The index as stored: message_id -> (ticket, article), read on a
  // connection of its own.
  std::map<std::string, std::pair<Id, std::optional<Id>>> Index() {
    std::map<std::string, std::pair<Id, std::optional<Id>>> out;
    std::unique_ptr<SqlConnection> conn;
    if (GetParam() == Backend::kSqlite) {
      auto c = SqliteConnection::Open(db_->Options().url, 5000);
      if (c.ok()) conn = std::move(*c);
    } else {
      auto c = PgConnection::Open(db_->Options().url);
      if (c.ok()) conn = std::move(*c);
    }
    EXPECT_NE(conn, nullptr);
    if (conn == nullptr) return out;
    auto rows = conn->Query("SELECT message_id, ticket_id, article_id FROM message_ids", {});
    EXPECT_TRUE(rows.ok());
    for (size_t r = 0; rows.ok() && r < rows->size(); ++r) {
      out[rows->Text(r, 0)] = {rows->Int(r, 1), rows->OptInt(r, 2)};
    }
    return out;
  }
  Id ticket_[2] = {0, 0};
  Id article_[2] = {0, 0};
};

TEST_P(MessageIdsTest, GhostThenRealKeepsTicketAndFillsArticle) {
  RD_ASSERT_OK(Record("ghost@x", ticket_[0], std::nullopt));
  EXPECT_EQ(Find({"ghost@x"}), std::optional<Id>(ticket_[0]));
  // The real message arrives, filed (wrongly) under the other ticket: the
  // ghost's thread is kept, the article is filled in.
  RD_ASSERT_OK(Record("ghost@x", ticket_[1], article_[1]));
  EXPECT_EQ(Find({"ghost@x"}), std::optional<Id>(ticket_[0]));
  // A known real id is left as is.
  RD_ASSERT_OK(Record("ghost@x", ticket_[1], article_[0]));
  RD_ASSERT_OK(Record("ghost@x", ticket_[1], std::nullopt));
  EXPECT_EQ(Find({"ghost@x"}), std::optional<Id>(ticket_[0]));
}

TEST_P(MessageIdsTest, ReadAheadAnswersAsTheDatabaseWouldThroughWritesAndRollbacks) {
  RD_ASSERT_OK(Record("known@x", ticket_[0], article_[0]));
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    domain::Customer c;
    c.identities = {{domain::IdentityKind::kEmail, "alice@x"}};
    RD_ASSIGN_OR_RETURN(c, tx.CreateCustomer(c));
    return Status();
  }));
  auto same_as_database = [&](const std::string& what, auto in_tx, auto fresh) {
    // The transaction's answer, then the committed truth asked anew.
    SCOPED_TRACE(what);
    EXPECT_EQ(in_tx, fresh);
  };
  std::optional<Id> alice, bob;
  int64_t touched_at = 0;
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.LockThreading());
    // 70 ids: more than one chunk of the IN list.
    std::vector<std::string> ids = {"known@x", "new@x", "later@x", ""};
    for (int i = 0; i < 66; ++i) ids.push_back("filler" + std::to_string(i) + "@x");
    RD_RETURN_IF_ERROR(tx.ReadAhead({"alice@x", "bob@x", ""}, ids));
    RD_ASSIGN_OR_RETURN(auto a,
                        tx.FindCustomerByIdentity({domain::IdentityKind::kEmail, "alice@x"}));
    EXPECT_TRUE(a.has_value());
    if (a) alice = a->id;
    RD_ASSIGN_OR_RETURN(auto b, tx.FindCustomerByIdentity({domain::IdentityKind::kEmail, "bob@x"}));
    EXPECT_FALSE(b.has_value());
    RD_ASSIGN_OR_RETURN(auto t, tx.FindTicketByMessageIds({"new@x", "known@x"}));
    EXPECT_EQ(t, std::optional<Id>(ticket_[0]));
    RD_ASSIGN_OR_RETURN(t, tx.FindTicketByMessageIds({"new@x", "filler65@x"}));
    EXPECT_FALSE(t.has_value());
    // Writes keep the answers true.
    domain::Customer bob_row;
    bob_row.identities = {{domain::IdentityKind::kEmail, "bob@x"}};
    RD_ASSIGN_OR_RETURN(bob_row, tx.CreateCustomer(bob_row));
    bob = bob_row.id;
    RD_RETURN_IF_ERROR(tx.UpdateCustomerName(*alice, "Alice"));
    RD_ASSIGN_OR_RETURN(a, tx.FindCustomerByIdentity({domain::IdentityKind::kEmail, "alice@x"}));
    EXPECT_EQ(a ? a->name : "", "Alice");
    RD_ASSIGN_OR_RETURN(b, tx.FindCustomerByIdentity({domain::IdentityKind::kEmail, "bob@x"}));
    EXPECT_EQ(b ? b->id : 0, bob_row.id);
    RD_RETURN_IF_ERROR(tx.RecordMessageId("new@x", ticket_[1], article_[1]));
    RD_RETURN_IF_ERROR(tx.RecordMessageId("known@x", ticket_[1], std::nullopt));  // kept
    RD_ASSIGN_OR_RETURN(t, tx.FindTicketByMessageIds({"new@x"}));
    EXPECT_EQ(t, std::optional<Id>(ticket_[1]));
    RD_ASSIGN_OR_RETURN(t, tx.FindTicketByMessageIds({"known@x"}));
    EXPECT_EQ(t, std::optional<Id>(ticket_[0]));
    RD_ASSIGN_OR_RETURN(domain::Ticket before, tx.GetTicket(ticket_[0]));
    touched_at = before.updated_at + 50;
    RD_RETURN_IF_ERROR(tx.TouchTicket(ticket_[0], touched_at, domain::TicketStatus::kClosed));
    RD_ASSIGN_OR_RETURN(domain::Ticket after, tx.GetTicket(ticket_[0]));
    EXPECT_EQ(after.updated_at, touched_at);
    EXPECT_EQ(after.status, domain::TicketStatus::kClosed);
    EXPECT_EQ(after.closed_at, std::optional<UnixSeconds>(touched_at));
    domain::Ticket created;
    created.customer_id = bob_row.id;
    created.subject = "made here";
    RD_ASSIGN_OR_RETURN(created, tx.CreateTicket(created));
    RD_ASSIGN_OR_RETURN(domain::Ticket got, tx.GetTicket(created.id));
    EXPECT_EQ(got.subject, "made here");
    EXPECT_EQ(got.number, created.number);
    // A rolled-back level takes its writes with it, and the answers too.
    Status undone = tx.Nested([&](Tx& inner) -> Status {
      domain::Customer carol;
      carol.identities = {{domain::IdentityKind::kEmail, "carol@x"}};
      RD_ASSIGN_OR_RETURN(carol, inner.CreateCustomer(carol));
      RD_RETURN_IF_ERROR(inner.RecordMessageId("later@x", ticket_[1], std::nullopt));
      RD_RETURN_IF_ERROR(inner.TouchTicket(ticket_[1], touched_at, domain::TicketStatus::kOpen));
      return util::MakeError(util::ErrorCode::kInternal, "test.undo", "undo");
    });
    EXPECT_FALSE(undone.ok());
    RD_ASSIGN_OR_RETURN(auto c,
                        tx.FindCustomerByIdentity({domain::IdentityKind::kEmail, "carol@x"}));
    EXPECT_FALSE(c.has_value());
    RD_ASSIGN_OR_RETURN(t, tx.FindTicketByMessageIds({"later@x"}));
    EXPECT_FALSE(t.has_value());
    RD_ASSIGN_OR_RETURN(domain::Ticket other, tx.GetTicket(ticket_[1]));
    EXPECT_NE(other.updated_at, touched_at);
    RD_ASSIGN_OR_RETURN(b, tx.FindCustomerByIdentity({domain::IdentityKind::kEmail, "bob@x"}));
    EXPECT_EQ(b ? b->id : 0, bob_row.id) << "what the outer level wrote stays";
    return Status();
  }));
  // What the transaction was told is what it committed.
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(auto a,
                        tx.FindCustomerByIdentity({domain::IdentityKind::kEmail, "alice@x"}));
    same_as_database("alice's name", std::string("Alice"), a ? a->name : "");
    RD_ASSIGN_OR_RETURN(auto b, tx.FindCustomerByIdentity({domain::IdentityKind::kEmail, "bob@x"}));
    same_as_database("bob", bob, b ? std::optional<Id>(b->id) : std::nullopt);
    RD_ASSIGN_OR_RETURN(auto t, tx.FindTicketByMessageIds({"new@x"}));
    same_as_database("new@x", std::optional<Id>(ticket_[1]), t);
    RD_ASSIGN_OR_RETURN(domain::Ticket touched, tx.GetTicket(ticket_[0]));
    same_as_database("touched", touched_at, touched.updated_at);
    same_as_database("closed", true, touched.status == domain::TicketStatus::kClosed);
    return Status();
  }));
  EXPECT_FALSE(Find({"later@x"}).has_value());
}

TEST_P(MessageIdsTest, RecordsKeptForLaterAreStoredAsIfWrittenOneByOne) {
  RD_ASSERT_OK(Record("before@x", ticket_[0], std::nullopt));  // a ghost stored earlier
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.RecordMessageId("g@x", ticket_[0], std::nullopt));
    RD_RETURN_IF_ERROR(tx.RecordMessageId("g@x", ticket_[1], article_[1]));  // fills the ghost
    RD_RETURN_IF_ERROR(tx.RecordMessageId("r@x", ticket_[0], article_[0]));
    RD_RETURN_IF_ERROR(tx.RecordMessageId("r@x", ticket_[1], std::nullopt));  // left as is
    RD_RETURN_IF_ERROR(tx.RecordMessageId("before@x", ticket_[1], article_[1]));
    RD_ASSIGN_OR_RETURN(auto found, tx.FindTicketByMessageIds({"g@x"}));
    EXPECT_EQ(found, std::optional<Id>(ticket_[0])) << "read inside the transaction";
    for (int i = 0; i < 600; ++i) {
      RD_RETURN_IF_ERROR(
          tx.RecordMessageId("n" + std::to_string(i) + "@x", ticket_[1],
                             i % 2 == 0 ? std::optional<Id>(article_[1]) : std::nullopt));
    }
    Status undone = tx.Nested([&](Tx& inner) -> Status {
      RD_RETURN_IF_ERROR(inner.RecordMessageId("undone@x", ticket_[0], std::nullopt));
      return util::MakeError(util::ErrorCode::kInternal, "test.undo", "undo");
    });
    EXPECT_FALSE(undone.ok());
    return tx.Nested(
        [&](Tx& inner) { return inner.RecordMessageId("kept@x", ticket_[1], std::nullopt); });
  }));
  const auto index = Index();
  using Row = std::pair<Id, std::optional<Id>>;
  EXPECT_EQ(index.at("g@x"), Row(ticket_[0], article_[1]));
  EXPECT_EQ(index.at("r@x"), Row(ticket_[0], article_[0]));
  EXPECT_EQ(index.at("before@x"), Row(ticket_[0], article_[1]));
  EXPECT_EQ(index.at("n598@x"), Row(ticket_[1], article_[1]));
  EXPECT_EQ(index.at("n599@x"), Row(ticket_[1], std::nullopt));
  EXPECT_EQ(index.at("kept@x"), Row(ticket_[1], std::nullopt));
  EXPECT_FALSE(index.contains("undone@x"));
  EXPECT_EQ(index.size(), size_t{600 + 4});
}

TEST_P(MessageIdsTest, FirstKnownIdInCallersOrderWins) {
  RD_ASSERT_OK(Record("a@x", ticket_[0], article_[0]));
  RD_ASSERT_OK(Record("b@x", ticket_[1], article_[1]));
  EXPECT_EQ(Find({"unknown@x", "b@x", "a@x"}), std::optional<Id>(ticket_[1]));
  EXPECT_EQ(Find({"a@x", "b@x"}), std::optional<Id>(ticket_[0]));
  EXPECT_EQ(Find({"unknown@x"}), std::nullopt);
  EXPECT_EQ(Find({}), std::nullopt);
  EXPECT_EQ(Find({""}), std::nullopt);
}

TEST_P(MessageIdsTest, LongReferencesList) {
  RD_ASSERT_OK(Record("late@x", ticket_[1], article_[1]));
  RD_ASSERT_OK(Record("early@x", ticket_[0], article_[0]));
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back("n" + std::to_string(i) + "@x");
  ids[140] = "late@x";
  ids[100] = "early@x";
  EXPECT_EQ(Find(ids), std::optional<Id>(ticket_[0]));
  ids[3] = "late@x";
  EXPECT_EQ(Find(ids), std::optional<Id>(ticket_[1]));
}

TEST_P(MessageIdsTest, EmptyIdIsInvalid) {
  Status st = Record("", ticket_[0], std::nullopt);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, util::ErrorCode::kInvalidArgument);
}

RD_STORE_TEST_SUITE(MessageIdsTest);

}  // namespace
}  // namespace replydesk::store::testing
