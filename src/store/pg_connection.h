// PostgreSQL backend of SqlConnection over libpqxx 6.x: one pqxx::connection
// (not thread-safe, one per thread), statements prepared lazily and cached by
// SQL text, transactions as pqxx::work (READ COMMITTED) with SAVEPOINT
// statements run on it. (libpqxx 6.4's subtransaction does not issue its
// SAVEPOINT before exec_prepared, so it is not used.) Every libpqxx exception is caught here
// and mapped to an Error; none escapes the store.
//
// Durability: a transaction is durable when COMMIT returns (the server's
// synchronous_commit, on by default). A connection lost during COMMIT is
// reported as kUnavailable "store.unavailable" and is NOT retried: its outcome
// is unknown, and the callers' idempotency keys make a later retry safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sql_connection.h"

namespace pqxx {
class dbtransaction;
}  // namespace pqxx

namespace replydesk::store {

class PgConnection final : public SqlConnection {
 public:
  // Connects; kUnavailable "store.unavailable" when the server cannot be reached.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& url);
  ~PgConnection() override;

  Backend backend() const override { return Backend::kPostgres; }

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
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  struct Conn;  // holds the pqxx::connection (defined in the .cc)
  explicit PgConnection(std::unique_ptr<Conn> conn);
  const std::string& StatementName(std::string_view sql);
  void AbortWork() noexcept;
  Status ExecInWork(const std::string& sql, std::string_view what);

  std::unique_ptr<Conn> conn_;
  std::unique_ptr<pqxx::dbtransaction> work_;  // the open transaction, if any
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> names_;
};

// Maps any exception thrown by libpqxx to an Error (used by the test helpers too).
Error PgErrorFromException(std::string_view what);

}  // namespace replydesk::store
