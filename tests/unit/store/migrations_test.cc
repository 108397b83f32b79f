// Migrations: applied once, idempotent on reopen, safe when two processes
// start together, and the counters they seed.
#include <thread>

#include "store/migrations.h"
#include "store/pg_connection.h"
#include "store/sqlite_connection.h"
#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

class MigrationsTest : public StoreTest {};

// The version of the newest embedded migration.
int Latest() {
  size_t count = 0;
  const EmbeddedMigration* all = EmbeddedMigrations(&count);
  return count == 0 ? 0 : all[count - 1].version;
}

TEST_P(MigrationsTest, FreshDatabaseIsAtLatestVersion) {
  EXPECT_GE(Latest(), 3);
  EXPECT_EQ(store_->SchemaVersion(), Latest());
}

TEST_P(MigrationsTest, ReopenKeepsDataAndVersion) {
  RD_ASSERT_OK(store_->Transact([](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.CreateTeam("Support"));
    return Status();
  }));
  store_.reset();
  for (int i = 0; i < 2; ++i) {
    auto again = db_->Open();
    RD_ASSERT_OK(again);
    EXPECT_EQ((*again)->SchemaVersion(), Latest());
    std::optional<domain::Team> team;
    RD_ASSERT_OK((*again)->Transact([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(team, tx.FindTeamByName("Support"));
      return Status();
    }));
    ASSERT_TRUE(team.has_value());
    EXPECT_EQ(team->name, "Support");
  }
}

TEST_P(MigrationsTest, FirstTicketNumberIs100001) {
  int64_t number = 0;
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(number, tx.NextTicketNumber());
    return Status();
  }));
  EXPECT_EQ(number, 100001);
}

TEST_P(MigrationsTest, MigrateFalseLeavesFreshDatabaseAtZero) {
  store_.reset();
  db_.reset();
  auto db = TestDatabase::Create(GetParam());
  RD_ASSERT_OK(db);
  db_ = std::move(*db);
  StoreOptions options = db_->Options();
  options.migrate = false;
  auto store = Store::Open(options);
  RD_ASSERT_OK(store);
  EXPECT_EQ((*store)->SchemaVersion(), 0);
}

TEST_P(MigrationsTest, TwoStoresOpeningTogetherBothSucceed) {
  store_.reset();
  db_.reset();
  auto db = TestDatabase::Create(GetParam());
  RD_ASSERT_OK(db);
  db_ = std::move(*db);
  Result<std::unique_ptr<Store>> a = util::MakeError(util::ErrorCode::kInternal, "unset");
  Result<std::unique_ptr<Store>> b = util::MakeError(util::ErrorCode::kInternal, "unset");
  std::thread ta([&] { a = db_->Open(); });
  std::thread tb([&] { b = db_->Open(); });
  ta.join();
  tb.join();
  RD_ASSERT_OK(a);
  RD_ASSERT_OK(b);
  EXPECT_EQ((*a)->SchemaVersion(), Latest());
  EXPECT_EQ((*b)->SchemaVersion(), Latest());
}

// Applies the embedded migrations up to `version` by hand, as an older binary
// would have, so the next Store::Open upgrades a database holding rows.
Status MigrateTo(SqlConnection& conn, int version) {
  RD_RETURN_IF_ERROR(conn.Begin());
  RD_RETURN_IF_ERROR(
      conn.ExecScript("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, "
                      "applied_at BIGINT NOT NULL)"));
  size_t count = 0;
  const EmbeddedMigration* all = EmbeddedMigrations(&count);
  for (size_t i = 0; i < count && all[i].version <= version; ++i) {
    RD_RETURN_IF_ERROR(conn.ExecScript(ExpandDialect(all[i].sql, conn.backend())));
    RD_RETURN_IF_ERROR(
        conn.Query("INSERT INTO schema_migrations (version, applied_at) "
                   "VALUES (?, 0)",
                   {Int(all[i].version)}));
  }
  return conn.Commit();
}

// Migration 0003 adds columns to tables that already hold rows: the rows get
// the defaults (SQLite's ADD COLUMN rules: NOT NULL with a default, REFERENCES
// only with a NULL default).
TEST_P(MigrationsTest, Upgrade0002To0003KeepsRowsWithDefaults) {
  store_.reset();
  db_.reset();
  auto db = TestDatabase::Create(GetParam());
  RD_ASSERT_OK(db);
  db_ = std::move(*db);
  {
    const std::string url = db_->Options().url;
    std::unique_ptr<SqlConnection> conn;
    if (GetParam() == Backend::kSqlite) {
      auto opened = SqliteConnection::Open(url, 10000);
      RD_ASSERT_OK(opened);
      conn = std::move(*opened);
    } else {
      auto opened = PgConnection::Open(url);
      RD_ASSERT_OK(opened);
      conn = std::move(*opened);
    }
    RD_ASSERT_OK(MigrateTo(*conn, 2));
    RD_ASSERT_OK(conn->Begin());
    for (const char* sql :
         {"INSERT INTO customers (name, created_at) VALUES ('Alice', 1)",
          "INSERT INTO channels (address) VALUES ('help@example.org')",
          "INSERT INTO users (email, role, password_hash, created_at) "
          "VALUES ('a@example.org', 'agent', 'x', 1)",
          "INSERT INTO tickets (number, status, priority, customer_id, created_at, updated_at) "
          "VALUES (100001, 'new', 'normal', 1, 1, 1)",
          "INSERT INTO articles (ticket_id, kind, direction, created_at) "
          "VALUES (1, 'email', 'inbound', 1)"}) {
      RD_ASSERT_OK(conn->Query(sql, {}));
    }
    RD_ASSERT_OK(conn->Commit());
  }
  auto store = db_->Open();
  RD_ASSERT_OK(store);
  EXPECT_EQ((*store)->SchemaVersion(), Latest());
  RD_ASSERT_OK((*store)->Transact([](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(domain::Channel channel, tx.GetChannel(1));
    EXPECT_EQ(channel.kind, "email");
    EXPECT_EQ(channel.hours, "24/7");
    EXPECT_EQ(channel.first_response_minutes, 0);
    RD_ASSIGN_OR_RETURN(domain::User user, tx.GetUser(1));
    EXPECT_EQ(user.position, "");
    EXPECT_EQ(user.signature, "");
    RD_ASSIGN_OR_RETURN(domain::Ticket ticket, tx.GetTicket(1));
    EXPECT_FALSE(ticket.assignee_id.has_value());
    EXPECT_EQ(ticket.language, "");
    EXPECT_FALSE(ticket.first_response_due.has_value());
    RD_ASSIGN_OR_RETURN(domain::Article article, tx.GetArticle(1));
    EXPECT_FALSE(article.author_user_id.has_value());
    EXPECT_FALSE(article.auto_reply);
    EXPECT_EQ(article.delivery_status, "");
    EXPECT_EQ(article.duration_seconds, 0);
    // The new foreign key works on the upgraded table.
    ticket.assignee_id = user.id;
    RD_RETURN_IF_ERROR(tx.UpdateTicket(ticket));
    RD_RETURN_IF_ERROR(tx.AddTicketTag(ticket.id, "upgraded"));
    return Status();
  }));
}

TEST_P(MigrationsTest, UnreachablePostgresIsUnavailable) {
  StoreOptions options;
  options.url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
  auto store = Store::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, util::ErrorCode::kUnavailable);
  EXPECT_EQ(store.error().detail, "store.unavailable");
}

RD_STORE_TEST_SUITE(MigrationsTest);

}  // namespace
}  // namespace replydesk::store::testing
