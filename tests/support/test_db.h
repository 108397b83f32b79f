// TestDb: the throwaway database of store_test_env.h in the shape the
// binary-level tests want: a --db URL, a temp folder for files and blobs, and
// a skip reason when PostgreSQL is not configured.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/store.h"
#include "store_test_env.h"

namespace replydesk::testing {

class TestDb {
 public:
  explicit TestDb(store::Backend backend);

  bool ok() const { return db_ != nullptr; }
  const std::string& skip_reason() const { return skip_reason_; }
  std::string url() const { return db_->Options().url; }  // --db value
  const std::string& dir() const { return db_->temp_dir(); }
  store::StoreOptions Options() const;  // url + blob_dir = dir()/blobs

 private:
  std::unique_ptr<store::testing::TestDatabase> db_;
  std::string skip_reason_;
};

// For INSTANTIATE_TEST_SUITE_P(..., BackendValues(), BackendName).
::testing::internal::ParamGenerator<store::Backend> BackendValues();
std::string BackendName(const ::testing::TestParamInfo<store::Backend>& info);

}  // namespace replydesk::testing
