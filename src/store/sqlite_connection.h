// SQLite backend of SqlConnection: one sqlite3 handle (not thread-safe, one per
// thread), WAL, synchronous=FULL, foreign keys on, prepared statements cached
// by SQL text.
//
// Durability: with journal_mode=WAL and synchronous=FULL the WAL is fsynced at
// every COMMIT, so a transaction is on disk when Commit returns ok.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/sql_connection.h"

namespace replydesk::store {

class SqliteConnection final : public SqlConnection {
 public:
  // Opens (creating the file and its folder) and applies the PRAGMAs.
  // kUnavailable "store.unavailable" when the file cannot be opened.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                        int busy_timeout_ms);
  ~SqliteConnection() override;

  Backend backend() const override { return Backend::kSqlite; }

 protected:
  Result<Rows> DoQuery(std::string_view sql, std::span<const SqlParam> params) override;
  Status DoExecScript(const std::string& sql) override;
  Status DoBegin() override;
  Status DoCommit() override;
  void DoRollback() override;
  Status DoSavepoint(int level) override;
  Status DoRelease(int level) override;
  Status DoRollbackTo(int level) override;

 private:
  struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  Result<sqlite3_stmt*> Prepare(std::string_view sql);
  Error MapError(int rc, std::string_view what) const;

  sqlite3* db_;
  std::unordered_map<std::string, StmtPtr, Hash, std::equal_to<>> cache_;
};

}  // namespace replydesk::store
