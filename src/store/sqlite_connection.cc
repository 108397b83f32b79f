// SQLite backend: open + PRAGMAs, statement cache, typed binding and reading.
#include "store/sqlite_connection.h"

#include <unistd.h>

#include <string>

#include "util/durable_file.h"

namespace replydesk::store {

using util::ErrorCode;
using util::MakeError;

namespace {

std::string FolderOf(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return {};
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 int busy_timeout_ms) {
  if (path.empty()) return UnavailableError("empty SQLite path");
  RD_RETURN_IF_ERROR(util::MakeDirs(FolderOf(path)));
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return UnavailableError(msg);
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  // WAL: readers never block the writer. synchronous=FULL: the WAL is fsynced
  // at each commit, so a committed transaction survives a power cut.
  // page_size (effective only when the file is new): blobs live in the
  // database, and 16 KiB pages write them with a quarter of the syscalls.
  // temp_store=MEMORY keeps statement and savepoint journals (the undo of one
  // INSERT, of one message's savepoint) in memory: in a file they spill after
  // 64 KiB, four of our pages, so nearly every statement of a batch wrote
  // pages to a temporary file (~20 % of `import` time). They are never needed
  // after a crash: the WAL alone makes a transaction durable or absent. (Also
  // one temp file creation less for every short-lived `ingest` process.)
  // Switching a new database to WAL can answer SQLITE_BUSY at once, without
  // the busy handler, while another connection is doing the same (two
  // processes starting on a fresh database): wait and try again.
  Status st;
  for (int attempt = 0; attempt < 100; ++attempt) {
    st = conn->DoExecScript(
        "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
        "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;");
    if (st.ok() || st.error().detail != "store.busy") break;
    usleep(10 * 1000);
  }
  if (!st.ok()) return UnavailableError("configure " + path + ": " + st.error().message);
  return conn;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // statements must be finalized before the handle closes
  sqlite3_close_v2(db_);
}

Error SqliteConnection::MapError(int rc, std::string_view what) const {
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db_);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return BusyError(msg);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return MakeError(ErrorCode::kAlreadyExists, "store.duplicate", msg);
      }
      return MakeError(ErrorCode::kInvalidArgument, "store.constraint", msg);
    case SQLITE_FULL:
      return MakeError(ErrorCode::kResourceExhausted, "store.no_space", msg);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return UnavailableError(msg);
    default:
      return MakeError(ErrorCode::kInternal, "store.sql", msg);
  }
}

Result<sqlite3_stmt*> SqliteConnection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second.get();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return MapError(rc, "prepare " + std::string(sql));
  cache_.emplace(std::string(sql), StmtPtr(stmt));
  return stmt;
}

Result<Rows> SqliteConnection::DoQuery(std::string_view sql, std::span<const SqlParam> params) {
  RD_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  int i = 1;
  for (const SqlParam& p : params) {
    switch (p.kind) {
      case SqlParam::Kind::kNull:
        sqlite3_bind_null(stmt, i);
        break;
      case SqlParam::Kind::kInt:
        sqlite3_bind_int64(stmt, i, p.i);
        break;
      case SqlParam::Kind::kText:
        sqlite3_bind_text64(stmt, i, p.s.data(), p.s.size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
      case SqlParam::Kind::kBlob:
        sqlite3_bind_blob64(stmt, i, p.s.data(), p.s.size(), SQLITE_STATIC);
        break;
    }
    ++i;
  }
  Rows rows;
  const int cols = sqlite3_column_count(stmt);
  rows.SetColumns(cols);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    for (int c = 0; c < cols; ++c) {
      Rows::Cell& cell = rows.AddCell();
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL:
          break;
        case SQLITE_INTEGER:
          cell.null = false;
          cell.is_int = true;
          cell.i = sqlite3_column_int64(stmt, c);
          break;
        default: {
          cell.null = false;
          const void* data = sqlite3_column_blob(stmt, c);
          int n = sqlite3_column_bytes(stmt, c);
          if (data != nullptr) cell.s.assign(static_cast<const char*>(data), n);
        }
      }
    }
  }
  Error err;
  if (rc != SQLITE_DONE) err = MapError(rc, "step");
  rows.set_affected(sqlite3_changes64(db_));
  // Reset at once: an unreset statement would keep a read snapshot open.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (rc != SQLITE_DONE) return err;
  return rows;
}

Status SqliteConnection::DoExecScript(const std::string& sql) {
  char* errmsg = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &errmsg);
  if (rc == SQLITE_OK) return util::OkStatus();
  std::string msg = errmsg ? errmsg : sqlite3_errstr(rc);
  sqlite3_free(errmsg);
  Error e = MapError(rc, "exec");
  e.message = msg;
  return e;
}

// Every transaction takes the write lock at BEGIN (IMMEDIATE): waiting happens
// there, under busy_timeout, instead of failing mid-transaction on upgrade.
Status SqliteConnection::DoBegin() { return DoExecScript("BEGIN IMMEDIATE"); }
Status SqliteConnection::DoCommit() { return DoExecScript("COMMIT"); }
void SqliteConnection::DoRollback() { (void)DoExecScript("ROLLBACK"); }

Status SqliteConnection::DoSavepoint(int level) {
  return DoExecScript("SAVEPOINT sp" + std::to_string(level));
}

Status SqliteConnection::DoRelease(int level) {
  return DoExecScript("RELEASE sp" + std::to_string(level));
}

Status SqliteConnection::DoRollbackTo(int level) {
  const std::string name = "sp" + std::to_string(level);
  return DoExecScript("ROLLBACK TO " + name + "; RELEASE " + name);
}

}  // namespace replydesk::store
