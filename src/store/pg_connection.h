// PostgreSQL backend of SqlConnection over libpq: one PGconn (not thread-safe,
// one per thread), statements prepared lazily and cached by SQL text.
//
// Inside a transaction the connection runs in libpq's pipeline mode: BEGIN,
// SAVEPOINT and every Exec (a statement whose rows nobody reads) are only
// queued, and go to the server together with the next statement that needs
// an answer: a Query, a RELEASE SAVEPOINT or the COMMIT. A unit of work thus
// costs one round trip per question it asks, not one per statement. A queued
// statement's error is reported by that next call, at the latest by the
// RELEASE or COMMIT of its own level (a Savepoint sends what is queued first,
// so an error is never blamed on a level opened after it). Outside a
// transaction every statement runs at once (autocommit).
//
// Parameters go as text, blobs in binary (no hex encoding). A lost connection
// is re-established at the next Begin or autocommit statement.
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

struct pg_conn;

namespace replydesk::store {

class PgConnection final : public SqlConnection {
 public:
  // Connects; kUnavailable "store.unavailable" when the server cannot be reached.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& url);
  ~PgConnection() override;

  Backend backend() const override { return Backend::kPostgres; }

  // Statements queued in the pipeline and not yet answered (tests).
  size_t queued() const { return queue_.size(); }

 protected:
  Result<Rows> DoQuery(std::string_view sql, std::span<const SqlParam> params) override;
  // An unnamed statement: parsed and planned with its values each time.
  Result<Rows> DoQueryPlannedEachTime(std::string_view sql,
                                      std::span<const SqlParam> params) override;
  Status DoExec(std::string_view sql, std::span<const SqlParam> params,
                const std::optional<Error>& if_no_row) override;
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
  // A statement sent in the pipeline whose answer has not been read yet.
  struct Queued {
    bool prepare = false;            // a PQsendPrepare of `sql` (forgotten again if it fails)
    bool command = false;            // BEGIN/SAVEPOINT/...: not a write of the caller's
    std::string sql;                 // for a prepare: the cache key
    std::optional<Error> if_no_row;  // the error when the statement touches no row
  };

  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  // Reconnects a connection found broken (outside a transaction only).
  Status EnsureConnected();
  // Queues (in a pipeline) or prepares synchronously; returns the statement name.
  Result<const std::string*> Prepared(std::string_view sql);
  Status Send(std::string_view sql, std::span<const SqlParam> params,
              const std::optional<Error>& if_no_row = std::nullopt);
  Status SendCommand(const char* sql);
  // Syncs the pipeline and reads every queued answer; the last one's rows go
  // to `last` when given. Returns the first error.
  Status Flush(Rows* last = nullptr);
  bool HasQueuedWrites() const;
  void EndPipeline() noexcept;

  pg_conn* conn_;
  bool pipeline_ = false;
  std::vector<Queued> queue_;
  size_t queued_bytes_ = 0;
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> names_;
};

}  // namespace replydesk::store
