// TestDb: see test_db.h.
#include "test_db.h"

namespace replydesk::testing {

TestDb::TestDb(store::Backend backend) {
  auto db = store::testing::TestDatabase::Create(backend);
  if (db.ok()) {
    db_ = std::move(db).value();
  } else {
    skip_reason_ = db.error().ToString() + " (run under scripts/with-test-postgres.sh)";
  }
}

store::StoreOptions TestDb::Options() const {
  store::StoreOptions o = db_->Options();
  o.blob_dir = dir() + "/blobs";
  return o;
}

::testing::internal::ParamGenerator<store::Backend> BackendValues() {
  return ::testing::Values(store::Backend::kSqlite, store::Backend::kPostgres);
}

std::string BackendName(const ::testing::TestParamInfo<store::Backend>& info) {
  return store::testing::BackendName(info.param);
}

}  // namespace replydesk::testing
