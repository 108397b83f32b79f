// Transact and Nested: commit, rollback, savepoints, failed statements.
#include <chrono>
#include <future>
#include <thread>

#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using util::ErrorCode;
using util::MakeError;

class TransactTest : public StoreTest {
 protected:
  bool TeamExists(const std::string& name) {
    bool exists = false;
    Status st = store_->Transact([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(auto team, tx.FindTeamByName(name));
      exists = team.has_value();
      return Status();
    });
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    return exists;
  }
};

TEST_P(TransactTest, ErrorRollsBackEverything) {
  Status st = store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.CreateTeam("A"));
    return MakeError(ErrorCode::kInvalidArgument, "test.fail");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().detail, "test.fail");
  EXPECT_FALSE(TeamExists("A"));
}

TEST_P(TransactTest, NestedRollbackKeepsOuterTransaction) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.CreateTeam("outer"));
    Status inner = tx.Nested([](Tx& t) -> Status {
      RD_RETURN_IF_ERROR(t.CreateTeam("inner"));
      return MakeError(ErrorCode::kInvalidArgument, "test.inner");
    });
    EXPECT_FALSE(inner.ok());
    RD_RETURN_IF_ERROR(tx.Nested([](Tx& t) -> Status {
      RD_RETURN_IF_ERROR(t.CreateTeam("kept"));
      return t.Nested([](Tx& t2) -> Status {
        RD_RETURN_IF_ERROR(t2.CreateTeam("deep"));
        return Status();
      });
    }));
    RD_RETURN_IF_ERROR(tx.CreateTeam("after"));
    return Status();
  }));
  EXPECT_TRUE(TeamExists("outer"));
  EXPECT_FALSE(TeamExists("inner"));
  EXPECT_TRUE(TeamExists("kept"));
  EXPECT_TRUE(TeamExists("deep"));
  EXPECT_TRUE(TeamExists("after"));
}

TEST_P(TransactTest, FailedStatementInNestedIsUndoneAndOuterCommits) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.CreateTeam("outer"));
    Status inner = tx.Nested([](Tx& t) -> Status {
      domain::Article a;
      a.ticket_id = 424242;  // no such ticket: a foreign-key failure
      RD_RETURN_IF_ERROR(t.CreateArticle(a));
      return Status();
    });
    EXPECT_FALSE(inner.ok());
    return Status();
  }));
  EXPECT_TRUE(TeamExists("outer"));
}

TEST_P(TransactTest, IgnoredStatementFailureRefusesCommit) {
  Status st = store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.CreateTeam("half"));
    domain::Article a;
    a.ticket_id = 424242;
    (void)tx.CreateArticle(a);  // error ignored by a careless caller
    return Status();
  });
  ASSERT_FALSE(st.ok()) << "a transaction with a failed statement must not commit";
  EXPECT_FALSE(TeamExists("half"));
}

TEST_P(TransactTest, TransactInsideTransactIsRefused) {
  Status inner;
  RD_ASSERT_OK(store_->Transact([&](Tx&) -> Status {
    inner = store_->Transact([](Tx&) { return Status(); });
    return Status();
  }));
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().detail, "store.nested_transact");
}

TEST_P(TransactTest, WaitsOutAnotherWriter) {
  // A second store with a tiny busy_timeout: its BEGIN IMMEDIATE fails with
  // SQLITE_BUSY while the first holds the write lock, and Transact retries
  // (10+20+40+80+160 ms backoff) until the lock is free. On PostgreSQL both
  // just run: READ COMMITTED writers of different rows do not conflict.
  StoreOptions options = db_->Options();
  options.busy_timeout_ms = 1;
  auto second = Store::Open(options);
  RD_ASSERT_OK(second);
  std::promise<void> locked;
  std::thread holder([&] {
    Status st = store_->Transact([&](Tx& tx) -> Status {
      RD_RETURN_IF_ERROR(tx.CreateTeam("first"));
      locked.set_value();
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
      return Status();
    });
    EXPECT_TRUE(st.ok()) << st.error().ToString();
  });
  locked.get_future().wait();
  Status st = (*second)->Transact([](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.CreateTeam("second"));
    return Status();
  });
  holder.join();
  RD_ASSERT_OK(st);
  EXPECT_TRUE(TeamExists("first"));
  EXPECT_TRUE(TeamExists("second"));
}

RD_STORE_TEST_SUITE(TransactTest);

}  // namespace
}  // namespace replydesk::store::testing
