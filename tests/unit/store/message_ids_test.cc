// Message-ID index: ghosts, real ids, lookup order, long References: lists.
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
