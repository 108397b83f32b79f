// Throwaway databases for tests that run on both backends: a fresh SQLite
// folder, or a fresh PostgreSQL database in the cluster named by
// REPLYDESK_TEST_PG_URL (set by scripts/with-test-postgres.sh under `make test`).
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "store/store.h"

namespace replydesk::testing {

class TestDb {
 public:
  // Creates the database; ok() is false (with a reason) when PostgreSQL is not
  // configured, so tests can GTEST_SKIP.
  explicit TestDb(store::Backend backend);
  ~TestDb();  // drops the database and removes the folder

  bool ok() const { return !url_.empty(); }
  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& url() const { return url_; }  // --db value
  const std::string& dir() const { return dir_; }  // temp folder (blobs, files)
  store::StoreOptions Options() const;             // url + blob_dir in dir()

 private:
  store::Backend backend_;
  std::string url_, dir_, admin_url_, db_name_, skip_reason_;
};

// For INSTANTIATE_TEST_SUITE_P(..., BackendValues(), BackendName).
::testing::internal::ParamGenerator<store::Backend> BackendValues();
std::string BackendName(const ::testing::TestParamInfo<store::Backend>& info);

}  // namespace replydesk::testing
