// Inbound accept log: dedup by raw SHA-256 and by dedup_key, round trip,
// processing results.
#include <cstdio>

#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using domain::InboundState;

class InboundTest : public StoreTest {
 protected:
  static NewInbound Message(const std::string& sha, const std::string& dedup_key) {
    NewInbound in;
    in.raw_sha256 = sha;
    in.size = 1234;
    in.source = "lmtp";
    in.envelope_from = "alice@example.com";
    in.recipients = {"support@example.org", "sales@example.org"};
    in.message_id = dedup_key.empty() ? "" : "id-" + dedup_key + "@example.com";
    in.dedup_key = dedup_key;
    in.received_at = 1700000000;
    return in;
  }

  InsertInboundResult Insert(const NewInbound& in) {
    InsertInboundResult out;
    Status st = store_->Transact([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(out, tx.InsertInbound(in));
      return Status();
    });
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    return out;
  }
};

TEST_P(InboundTest, RoundTrip) {
  InsertInboundResult r = Insert(Message(std::string(64, 'a'), "k1"));
  EXPECT_FALSE(r.duplicate);
  domain::Inbound got;
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(got, tx.GetInbound(r.id));
    return Status();
  }));
  EXPECT_EQ(got.id, r.id);
  EXPECT_EQ(got.raw_sha256, std::string(64, 'a'));
  EXPECT_EQ(got.size, 1234);
  EXPECT_EQ(got.source, "lmtp");
  EXPECT_EQ(got.envelope_from, "alice@example.com");
  EXPECT_EQ(got.recipients, (std::vector<std::string>{"support@example.org", "sales@example.org"}));
  EXPECT_EQ(got.message_id, "id-k1@example.com");
  EXPECT_EQ(got.dedup_key, "k1");
  EXPECT_EQ(got.received_at, 1700000000);
  EXPECT_EQ(got.state, InboundState::kQueued);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_FALSE(got.ticket_id.has_value());
}

TEST_P(InboundTest, DuplicateBySha) {
  InsertInboundResult first = Insert(Message(std::string(64, 'b'), "k1"));
  InsertInboundResult again = Insert(Message(std::string(64, 'b'), "other"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.id, first.id);
}

TEST_P(InboundTest, DuplicateByDedupKey) {
  InsertInboundResult first = Insert(Message(std::string(64, 'c'), "same"));
  InsertInboundResult again = Insert(Message(std::string(64, 'd'), "same"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.id, first.id);
}

TEST_P(InboundTest, EmptyDedupKeysNeverCollide) {
  InsertInboundResult a = Insert(Message(std::string(64, 'e'), ""));
  InsertInboundResult b = Insert(Message(std::string(64, 'f'), ""));
  EXPECT_FALSE(a.duplicate);
  EXPECT_FALSE(b.duplicate);
  EXPECT_NE(a.id, b.id);
}

TEST_P(InboundTest, DuplicateInsideOneTransaction) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(auto a, tx.InsertInbound(Message(std::string(64, '1'), "x")));
    RD_ASSIGN_OR_RETURN(auto b, tx.InsertInbound(Message(std::string(64, '1'), "x")));
    EXPECT_FALSE(a.duplicate);
    EXPECT_TRUE(b.duplicate);
    EXPECT_EQ(a.id, b.id);
    return Status();
  }));
}

TEST_P(InboundTest, SetResultAndList) {
  InsertInboundResult a = Insert(Message(std::string(64, '2'), "a"));
  InsertInboundResult b = Insert(Message(std::string(64, '3'), "b"));
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(
        tx.SetInboundResult(a.id, InboundState::kFailed, "boom", std::nullopt, std::nullopt));
    RD_RETURN_IF_ERROR(tx.SetInboundResult(a.id, InboundState::kProcessed, "", 7, 9));
    RD_ASSIGN_OR_RETURN(auto got, tx.GetInbound(a.id));
    EXPECT_EQ(got.state, InboundState::kProcessed);
    EXPECT_EQ(got.attempts, 2);
    EXPECT_EQ(got.error, "");
    EXPECT_EQ(got.ticket_id, std::optional<Id>(7));
    EXPECT_EQ(got.article_id, std::optional<Id>(9));
    RD_ASSIGN_OR_RETURN(auto queued, tx.ListInbound({InboundState::kQueued, 10}));
    EXPECT_EQ(queued.size(), 1u);
    if (!queued.empty()) {
      EXPECT_EQ(queued[0].id, b.id);
    }
    RD_ASSIGN_OR_RETURN(auto all, tx.ListInbound({std::nullopt, 10}));
    EXPECT_EQ(all.size(), 2u);
    return Status();
  }));
}

TEST_P(InboundTest, FinishedRowWrittenAfterTheArticleThatNamesIt) {
  Insert(Message(std::string(64, 'a'), "k1"));
  Id article_id = 0, ticket_id = 0, reserved = 0;
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.DeferInboundReferences());
    RD_ASSIGN_OR_RETURN(
        auto known, tx.FindInbound({std::string(64, 'a'), std::string(64, 'b')}, {"k1", "k9", ""}));
    EXPECT_EQ(known.size(), 2u) << "the stored row, once per key that matched";
    for (const KnownInbound& k : known) {
      EXPECT_EQ(k.raw_sha256, std::string(64, 'a'));
      EXPECT_EQ(k.dedup_key, "k1");
    }
    RD_ASSIGN_OR_RETURN(reserved, tx.ReserveInboundId());
    RD_ASSIGN_OR_RETURN(Id next, tx.ReserveInboundId());
    EXPECT_GT(next, reserved);
    domain::Customer c;
    RD_ASSIGN_OR_RETURN(c, tx.CreateCustomer(c));
    domain::Ticket t;
    t.customer_id = c.id;
    RD_ASSIGN_OR_RETURN(t, tx.CreateTicket(t));
    ticket_id = t.id;
    domain::Article a;
    a.ticket_id = t.id;
    a.inbound_id = reserved;  // not written yet
    RD_ASSIGN_OR_RETURN(a, tx.CreateArticle(a));
    article_id = a.id;
    const NewInbound in = Message(std::string(64, 'b'), "k2");
    const store::FinishedInbound row{reserved, &in,       InboundState::kProcessed,
                                     "",       ticket_id, article_id};
    return tx.InsertFinishedInbound({&row, 1});
  }));
  domain::Inbound got;
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(got, tx.GetInbound(reserved));
    return Status();
  }));
  EXPECT_EQ(got.raw_sha256, std::string(64, 'b'));
  EXPECT_EQ(got.state, InboundState::kProcessed);
  EXPECT_EQ(got.attempts, 1);
  EXPECT_EQ(got.ticket_id, std::optional<Id>(ticket_id));
  EXPECT_EQ(got.article_id, std::optional<Id>(article_id));
  // The next ordinary insert comes after the reserved ids.
  InsertInboundResult later = Insert(Message(std::string(64, 'c'), "k3"));
  EXPECT_GT(later.id, reserved);
}

TEST_P(InboundTest, ManyFinishedRowsInOneCall) {
  // More rows than one statement takes: each stored with its own values.
  constexpr int kRows = 150;
  std::vector<NewInbound> ins;
  for (int i = 0; i < kRows; ++i) {
    char sha[65];
    std::snprintf(sha, sizeof sha, "%064d", i);
    ins.push_back(Message(sha, i % 3 == 0 ? "" : "key" + std::to_string(i)));
    ins.back().recipients = {"r" + std::to_string(i) + "@example.org"};
  }
  std::vector<Id> ids;
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    std::vector<store::FinishedInbound> rows;
    for (int i = 0; i < kRows; ++i) {
      RD_ASSIGN_OR_RETURN(Id id, tx.ReserveInboundId());
      ids.push_back(id);
      rows.push_back({id, &ins[i], i == 7 ? InboundState::kFailed : InboundState::kProcessed,
                      i == 7 ? "parse error" : "", std::nullopt, std::nullopt});
    }
    return tx.InsertFinishedInbound(rows);
  }));
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    for (int i : {0, 1, 7, 63, 64, 65, 128, 149}) {
      RD_ASSIGN_OR_RETURN(domain::Inbound got, tx.GetInbound(ids[i]));
      EXPECT_EQ(got.raw_sha256, ins[i].raw_sha256) << i;
      EXPECT_EQ(got.dedup_key, ins[i].dedup_key) << i;
      EXPECT_EQ(got.recipients, ins[i].recipients) << i;
      EXPECT_EQ(got.state, i == 7 ? InboundState::kFailed : InboundState::kProcessed) << i;
      EXPECT_EQ(got.error, i == 7 ? "parse error" : "") << i;
      EXPECT_EQ(got.attempts, 1) << i;
    }
    RD_ASSIGN_OR_RETURN(auto all, tx.ListInbound({std::nullopt, 1000}));
    EXPECT_EQ(all.size(), static_cast<size_t>(kRows));
    return Status();
  }));
}

TEST_P(InboundTest, FinishedRowUnderAStoredKeyFailsAndAnArticleNamingNoRowFailsTheCommit) {
  Insert(Message(std::string(64, 'a'), "k1"));
  Status taken = store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(Id id, tx.ReserveInboundId());
    const NewInbound in = Message(std::string(64, 'z'), "k1");
    const store::FinishedInbound row{id, &in,          InboundState::kProcessed,
                                     "", std::nullopt, std::nullopt};
    return tx.InsertFinishedInbound({&row, 1});
  });
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, util::ErrorCode::kAlreadyExists) << taken.error().ToString();
  Status dangling = store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.DeferInboundReferences());
    RD_ASSIGN_OR_RETURN(Id id, tx.ReserveInboundId());
    domain::Customer c;
    RD_ASSIGN_OR_RETURN(c, tx.CreateCustomer(c));
    domain::Ticket t;
    t.customer_id = c.id;
    RD_ASSIGN_OR_RETURN(t, tx.CreateTicket(t));
    domain::Article a;
    a.ticket_id = t.id;
    a.inbound_id = id;  // and never written
    RD_ASSIGN_OR_RETURN(a, tx.CreateArticle(a));
    return Status();
  });
  EXPECT_FALSE(dangling.ok()) << "the reference is checked at COMMIT";
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(auto all, tx.ListInbound({}));
    EXPECT_EQ(all.size(), 1u);
    return Status();
  }));
}

TEST_P(InboundTest, MissingIsNotFound) {
  Status st = store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.GetInbound(424242));
    return Status();
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, util::ErrorCode::kNotFound);
}

TEST_P(InboundTest, ConcurrentAcceptsOfTheSameMessagesLeaveOneRowEach) {
  constexpr int kMessages = 40;
  std::vector<InsertInboundResult> got[2];
  RunOnTwoStores([&](int w, Store& store) -> Status {
    for (int i = 0; i < kMessages; ++i) {
      // Same dedup key, different bytes for each session: a re-delivery with
      // another Received: header.
      NewInbound in = Message(std::to_string(w) + std::string(62, 'a' + i % 26) + std::to_string(i),
                              "key" + std::to_string(i));
      InsertInboundResult r;
      RD_RETURN_IF_ERROR(store.Transact([&](Tx& tx) -> Status {
        RD_ASSIGN_OR_RETURN(r, tx.InsertInbound(in));
        return Status();
      }));
      got[w].push_back(r);
    }
    return Status();
  });
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(got[0].size(), static_cast<size_t>(kMessages));
  ASSERT_EQ(got[1].size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(got[0][i].id, got[1][i].id) << "message " << i;
    EXPECT_NE(got[0][i].duplicate, got[1][i].duplicate) << "exactly one insert wins";
  }
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(auto all, tx.ListInbound({std::nullopt, 1000}));
    EXPECT_EQ(all.size(), static_cast<size_t>(kMessages));
    return Status();
  }));
}

RD_STORE_TEST_SUITE(InboundTest);

}  // namespace
}  // namespace replydesk::store::testing
