// TestDatabase: fresh SQLite folders and PostgreSQL databases per test.
#include "store_test_env.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

namespace replydesk::store::testing {

using util::ErrorCode;
using util::MakeError;

namespace {

std::string RandomSuffix() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 16; ++i) s += kHex[rd() % 16];
  return s;
}

const char* PgAdminUrl() { return std::getenv("REPLYDESK_TEST_PG_URL"); }

// postgresql://user@host:port/db?x -> the same URL naming `name` instead of db.
std::string WithDatabase(const std::string& url, const std::string& name) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t slash = url.find('/', start);
  const size_t query = url.find('?', start);
  std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + name + tail;
}

Status PgAdmin(const std::string& sql) {
  PGconn* conn = PQconnectdb(PgAdminUrl());
  Status st = util::OkStatus();
  if (PQstatus(conn) != CONNECTION_OK) {
    st = MakeError(ErrorCode::kUnavailable, "test.postgres", sql + ": " + PQerrorMessage(conn));
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      st = MakeError(ErrorCode::kUnavailable, "test.postgres", sql + ": " + PQerrorMessage(conn));
    }
    PQclear(r);
  }
  PQfinish(conn);
  return st;
}

}  // namespace

const char* BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

bool PostgresConfigured() {
  const char* url = PgAdminUrl();
  return url != nullptr && *url != '\0';
}

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create(Backend backend) {
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  db->backend_ = backend;
  std::string tmpl = (std::filesystem::temp_directory_path() / "rd-store-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "test.tmp", "mkdtemp failed");
  }
  db->temp_dir_ = tmpl;
  if (backend == Backend::kSqlite) {
    db->url_ = db->temp_dir_ + "/var/replydesk.db";  // folder created by Open
    return db;
  }
  if (!PostgresConfigured()) {
    return MakeError(ErrorCode::kUnavailable, "test.no_postgres",
                     "REPLYDESK_TEST_PG_URL is not set");
  }
  db->pg_name_ = "rd_" + RandomSuffix();
  RD_RETURN_IF_ERROR(PgAdmin("CREATE DATABASE " + db->pg_name_));
  db->url_ = WithDatabase(PgAdminUrl(), db->pg_name_);
  return db;
}

TestDatabase::~TestDatabase() {
  if (!pg_name_.empty()) {
    Status st = PgAdmin("DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)");
    if (!st.ok()) ADD_FAILURE() << st.error().ToString();
  }
  std::error_code ec;
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_, ec);
}

StoreOptions TestDatabase::Options() const {
  StoreOptions options;
  options.url = url_;
  return options;
}

Result<std::unique_ptr<Store>> TestDatabase::Open() const { return Store::Open(Options()); }

Result<TestStore> OpenTestStore(Backend backend) {
  TestStore ts;
  RD_ASSIGN_OR_RETURN(ts.db, TestDatabase::Create(backend));
  RD_ASSIGN_OR_RETURN(ts.store, ts.db->Open());
  return ts;
}

void StoreTest::SetUp() {
  if (GetParam() == Backend::kPostgres && !PostgresConfigured()) {
    GTEST_SKIP() << "REPLYDESK_TEST_PG_URL is not set: PostgreSQL case skipped "
                    "(run under scripts/with-test-postgres.sh)";
  }
  auto db = TestDatabase::Create(GetParam());
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  db_ = std::move(*db);
  auto store = db_->Open();
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  store_ = std::move(*store);
}

void StoreTest::TearDown() {
  store_.reset();  // close before the database is dropped
  db_.reset();
}

void StoreTest::RunOnTwoStores(const std::function<Status(int, Store&)>& fn) {
  std::string errors[2];
  auto worker = [&](int w) {
    auto store = db_->Open();
    if (!store.ok()) {
      errors[w] = store.error().ToString();
      return;
    }
    if (Status st = fn(w, **store); !st.ok()) errors[w] = st.error().ToString();
  };
  std::thread t0(worker, 0), t1(worker, 1);
  t0.join();
  t1.join();
  EXPECT_EQ(errors[0], "") << "worker 0";
  EXPECT_EQ(errors[1], "") << "worker 1";
}

}  // namespace replydesk::store::testing
