// Test databases for the store on both backends, reusable by other test
// folders: a fresh SQLite file in a temp folder, or a fresh PostgreSQL database
// (CREATE DATABASE rd_<random>) through REPLYDESK_TEST_PG_URL, which
// scripts/with-test-postgres.sh exports. Each is removed/dropped afterwards,
// so tests run in parallel. Without the variable, PostgreSQL cases skip.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "store/store.h"

namespace replydesk::store::testing {

const char* BackendName(Backend backend);
bool PostgresConfigured();  // REPLYDESK_TEST_PG_URL is set

class TestDatabase {
 public:
  // kUnavailable "test.no_postgres" when PostgreSQL is asked for but not configured.
  static Result<std::unique_ptr<TestDatabase>> Create(Backend backend);
  ~TestDatabase();

  Backend backend() const { return backend_; }
  // Options for this database (blob_dir empty: the backend's default placement).
  StoreOptions Options() const;
  // A new Store (own connection) on this database.
  Result<std::unique_ptr<Store>> Open() const;
  const std::string& temp_dir() const { return temp_dir_; }  // always a fresh folder

 private:
  TestDatabase() = default;
  Backend backend_ = Backend::kSqlite;
  std::string temp_dir_;
  std::string url_;
  std::string pg_name_;  // database to drop, PostgreSQL only
};

struct TestStore {
  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<Store> store;
};
// Creates a database and opens a store on it.
Result<TestStore> OpenTestStore(Backend backend);

// Fixture parameterised on the backend; PostgreSQL cases GTEST_SKIP when
// REPLYDESK_TEST_PG_URL is unset.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Runs fn(worker, store) on two threads at once (worker 0 and 1), each
  // with a Store of its own on this database; expects both to return ok.
  void RunOnTwoStores(const std::function<Status(int, Store&)>& fn);

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

}  // namespace replydesk::store::testing

// Runs a test suite derived from StoreTest on SQLite and PostgreSQL. Test
// names read "store/Suite.Test/SQLite", so `ctest -R store` selects them.
#define RD_STORE_TEST_SUITE(Suite)                                                \
  INSTANTIATE_TEST_SUITE_P(                                                       \
      store, Suite,                                                               \
      ::testing::Values(::replydesk::store::Backend::kSqlite,                     \
                        ::replydesk::store::Backend::kPostgres),                  \
      [](const ::testing::TestParamInfo<::replydesk::store::Backend>& info) {     \
        return std::string(::replydesk::store::testing::BackendName(info.param)); \
      })

// ASSERT that a Status or Result is ok, printing the error.
#define RD_ASSERT_OK(expr)                                         \
  do {                                                             \
    const auto& rd_assert_ = (expr);                               \
    ASSERT_TRUE(rd_assert_.ok()) << rd_assert_.error().ToString(); \
  } while (0)
#define RD_EXPECT_OK(expr)                                         \
  do {                                                             \
    const auto& rd_expect_ = (expr);                               \
    EXPECT_TRUE(rd_expect_.ok()) << rd_expect_.error().ToString(); \
  } while (0)
