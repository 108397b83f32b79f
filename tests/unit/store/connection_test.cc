// SqlConnection under the store, on both backends: Exec (a statement whose
// answer nobody waits for; queued in PostgreSQL's pipeline inside a
// transaction) reports its error no later than the RELEASE or COMMIT of its
// own level, blobs travel byte for byte, long pipelines are synced on the
// way, and a connection the server dropped is replaced by the next
// transaction.
#include <string>

#include "store/pg_connection.h"
#include "store/sqlite_connection.h"
#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using util::ErrorCode;
using util::MakeError;

class ConnectionTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    store_.reset();
    conn_ = Connect();
    ASSERT_NE(conn_, nullptr);
    const bool pg = GetParam() == Backend::kPostgres;
    RD_ASSERT_OK(conn_->ExecScript(std::string("CREATE TABLE t (id INTEGER PRIMARY KEY, ") +
                                   "v TEXT NOT NULL UNIQUE, b " + (pg ? "BYTEA" : "BLOB") + ")"));
  }

  std::unique_ptr<SqlConnection> Connect() {
    const std::string url = db_->Options().url;
    if (GetParam() == Backend::kSqlite) {
      auto c = SqliteConnection::Open(url, 5000);
      EXPECT_TRUE(c.ok());
      return c.ok() ? std::move(*c) : nullptr;
    }
    auto c = PgConnection::Open(url);
    EXPECT_TRUE(c.ok());
    return c.ok() ? std::move(*c) : nullptr;
  }

  // Statements queued and not yet answered (always 0 on SQLite).
  size_t Queued() const {
    auto* pg = dynamic_cast<PgConnection*>(conn_.get());
    return pg == nullptr ? 0 : pg->queued();
  }

  Status Insert(int id, const std::string& v, std::optional<Error> if_no_row = std::nullopt) {
    return conn_->Exec("INSERT INTO t (id, v) VALUES (?, ?)", {Int(id), Text(v)},
                       std::move(if_no_row));
  }

  std::string Values() {
    auto rows = conn_->Query("SELECT v FROM t ORDER BY id", {});
    EXPECT_TRUE(rows.ok());
    std::string out;
    for (size_t r = 0; rows.ok() && r < rows->size(); ++r) out += rows->Text(r, 0) + ";";
    return out;
  }

  std::unique_ptr<SqlConnection> conn_;
};

TEST_P(ConnectionTest, ExecInATransactionWaitsForNoAnswerAndCommits) {
  RD_ASSERT_OK(conn_->Begin());
  RD_ASSERT_OK(Insert(1, "a"));
  RD_ASSERT_OK(Insert(2, "b"));
  if (GetParam() == Backend::kPostgres) {
    EXPECT_EQ(Queued(), 4u) << "BEGIN, the PREPARE and both inserts wait for the next question";
  }
  auto count = conn_->Query("SELECT COUNT(*) FROM t", {});
  RD_ASSERT_OK(count);
  EXPECT_EQ(count->Int(0, 0), 2) << "a query sees the writes queued before it";
  EXPECT_EQ(Queued(), 0u);
  RD_ASSERT_OK(Insert(3, "c"));
  RD_ASSERT_OK(conn_->Commit());
  EXPECT_EQ(Values(), "a;b;c;");
}

TEST_P(ConnectionTest, AFailedExecIsReportedByTheReleaseOfItsLevelAndUndoneThere) {
  RD_ASSERT_OK(conn_->Begin());
  RD_ASSERT_OK(Insert(1, "a"));
  RD_ASSERT_OK(conn_->Savepoint());
  Status st = Insert(2, "a");  // duplicate v: fails now (SQLite) or at the release
  if (st.ok()) st = conn_->ReleaseSavepoint();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists) << st.error().ToString();
  conn_->RollbackToSavepoint();
  RD_ASSERT_OK(Insert(3, "c"));
  RD_ASSERT_OK(conn_->Commit());
  EXPECT_EQ(Values(), "a;c;");
}

TEST_P(ConnectionTest, AParentsFailedExecIsNotBlamedOnAChildLevel) {
  RD_ASSERT_OK(Insert(1, "a"));  // autocommit
  RD_ASSERT_OK(conn_->Begin());
  Status st = Insert(2, "a");  // fails at level 1
  // Opening a level sends what the parent queued: the error belongs to the
  // parent, so no child rollback can clear it.
  if (st.ok()) st = conn_->Savepoint();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists) << st.error().ToString();
  Status commit = conn_->Commit();
  ASSERT_FALSE(commit.ok()) << "a level with a failed statement must not commit";
  EXPECT_EQ(commit.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(Values(), "a;");
}

TEST_P(ConnectionTest, ExecTouchingNoRowFailsWithTheGivenError) {
  RD_ASSERT_OK(Insert(1, "a"));
  RD_ASSERT_OK(conn_->Begin());
  Status st = conn_->Exec("UPDATE t SET v = ? WHERE id = ?", {Text("z"), Int(99)},
                          MakeError(ErrorCode::kNotFound, "test.none", "no row 99"));
  // Queued behind it (PostgreSQL) or refused after it (SQLite): never committed.
  (void)conn_->Exec("UPDATE t SET v = ? WHERE id = ?", {Text("b"), Int(1)},
                    MakeError(ErrorCode::kNotFound, "test.none", "no row 1"));
  if (st.ok()) st = conn_->Commit();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().detail, "test.none");
  EXPECT_EQ(st.error().message, "no row 99");
  conn_->Rollback();
  EXPECT_EQ(Values(), "a;") << "the whole transaction is undone";
}

TEST_P(ConnectionTest, ExecTouchingNoRowInASavepointIsUndoneByItsRollback) {
  RD_ASSERT_OK(Insert(1, "a"));
  RD_ASSERT_OK(conn_->Begin());
  RD_ASSERT_OK(conn_->Savepoint());
  RD_ASSERT_OK(Insert(2, "b"));
  Status st = conn_->Exec("DELETE FROM t WHERE id = ?", {Int(99)},
                          MakeError(ErrorCode::kNotFound, "test.none", "no row 99"));
  if (st.ok()) st = conn_->ReleaseSavepoint();
  ASSERT_FALSE(st.ok()) << "the RELEASE must not pass a statement that touched no row";
  EXPECT_EQ(st.error().detail, "test.none");
  conn_->RollbackToSavepoint();
  RD_ASSERT_OK(Insert(3, "c"));
  RD_ASSERT_OK(conn_->Commit());
  EXPECT_EQ(Values(), "a;c;");
}

TEST_P(ConnectionTest, BlobsTravelByteForByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  all += std::string("\0\\x00'", 6);
  RD_ASSERT_OK(conn_->Begin());
  RD_ASSERT_OK(
      conn_->Exec("INSERT INTO t (id, v, b) VALUES (?, ?, ?)", {Int(1), Text("bytes"), Blob(all)}));
  RD_ASSERT_OK(
      conn_->Exec("INSERT INTO t (id, v, b) VALUES (?, ?, ?)", {Int(2), Text("empty"), Blob("")}));
  RD_ASSERT_OK(conn_->Commit());
  auto rows = conn_->Query("SELECT b FROM t ORDER BY id", {});
  RD_ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->Text(0, 0), all);
  EXPECT_FALSE(rows->IsNull(1, 0));
  EXPECT_EQ(rows->Text(1, 0), "");
}

TEST_P(ConnectionTest, ALongPipelineIsSyncedOnTheWay) {
  constexpr int kRows = 3000;  // more than one pipeline holds
  const std::string big(4096, 'x');
  RD_ASSERT_OK(conn_->Begin());
  for (int i = 1; i <= kRows; ++i) {
    RD_ASSERT_OK(conn_->Exec("INSERT INTO t (id, v, b) VALUES (?, ?, ?)",
                             {Int(i), Text(std::to_string(i)), Blob(big)}));
    ASSERT_LE(Queued(), 600u);
  }
  RD_ASSERT_OK(conn_->Commit());
  auto count = conn_->Query("SELECT COUNT(*), SUM(LENGTH(b)) FROM t", {});
  RD_ASSERT_OK(count);
  EXPECT_EQ(count->Int(0, 0), kRows);
  EXPECT_EQ(count->Int(0, 1), int64_t{kRows} * 4096);
}

TEST_P(ConnectionTest, AConnectionTheServerDroppedIsReplacedByTheNextTransaction) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "a server connection: PostgreSQL only";
  auto pid = conn_->Query("SELECT pg_backend_pid()", {});
  RD_ASSERT_OK(pid);
  auto other = Connect();
  ASSERT_NE(other, nullptr);
  RD_ASSERT_OK(other->Query("SELECT pg_terminate_backend(?)", {Int(pid->Int(0, 0))}));
  // The loss shows at the next question, as unavailable (not retried blindly).
  Status st = conn_->Begin();
  if (st.ok()) st = Insert(1, "lost");
  if (st.ok()) st = conn_->Commit();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable) << st.error().ToString();
  conn_->Rollback();
  // The next transaction reconnects, prepared statements included.
  RD_ASSERT_OK(conn_->Begin());
  RD_ASSERT_OK(Insert(2, "back"));
  RD_ASSERT_OK(conn_->Commit());
  EXPECT_EQ(Values(), "back;");
}

RD_STORE_TEST_SUITE(ConnectionTest);

}  // namespace
}  // namespace replydesk::store::testing
