// Throwaway test databases: see test_db.h.
#include "test_db.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

namespace replydesk::testing {
namespace {

bool AdminExec(const std::string& url, const std::string& sql, std::string* error) {
  PGconn* conn = PQconnectdb(url.c_str());
  bool ok = PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(conn, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok && error) *error = PQresultErrorMessage(r);
    PQclear(r);
  } else if (error) {
    *error = PQerrorMessage(conn);
  }
  PQfinish(conn);
  return ok;
}

std::string RandomName() {
  std::random_device rd;
  return "rd_test_" + std::to_string(getpid()) + "_" + std::to_string(rd() % 1000000000);
}

}  // namespace

TestDb::TestDb(store::Backend backend) : backend_(backend) {
  char tmpl[] = "/tmp/replydesk-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
  if (backend == store::Backend::kSqlite) {
    url_ = dir_ + "/replydesk.db";
    return;
  }
  const char* admin = std::getenv("REPLYDESK_TEST_PG_URL");
  if (admin == nullptr || *admin == '\0') {
    skip_reason_ = "REPLYDESK_TEST_PG_URL not set (run under scripts/with-test-postgres.sh)";
    return;
  }
  admin_url_ = admin;
  db_name_ = RandomName();
  std::string error;
  if (!AdminExec(admin_url_, "CREATE DATABASE " + db_name_, &error)) {
    skip_reason_ = "cannot create test database: " + error;
    return;
  }
  // Replace the database name at the end of the admin URL.
  url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + db_name_;
}

TestDb::~TestDb() {
  if (!db_name_.empty() && !url_.empty()) {
    AdminExec(admin_url_, "DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)", nullptr);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

store::StoreOptions TestDb::Options() const {
  store::StoreOptions o;
  o.url = url_;
  o.blob_dir = dir_ + "/blobs";
  return o;
}

::testing::internal::ParamGenerator<store::Backend> BackendValues() {
  return ::testing::Values(store::Backend::kSqlite, store::Backend::kPostgres);
}

std::string BackendName(const ::testing::TestParamInfo<store::Backend>& info) {
  return info.param == store::Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

}  // namespace replydesk::testing
