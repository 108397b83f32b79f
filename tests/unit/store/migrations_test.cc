// Migrations: applied once, idempotent on reopen, safe when two processes
// start together, and the counters they seed.
#include <thread>

#include "store/migrations.h"
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
  EXPECT_GE(Latest(), 2);
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
