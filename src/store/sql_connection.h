// The dialect-neutral connection under the store: one Tx implementation
// (sql_tx_*.cc) is written once against it; sqlite_connection.cc and
// pg_connection.cc implement it. SQL uses `?` placeholders (rewritten to $1..$n
// for PostgreSQL); statements are prepared once and cached by their SQL text.
//
// Error discipline (the same on both backends): a failed statement poisons the
// innermost open transaction level. Later statements at that level fail with
// the first error, and Commit refuses, until the level is rolled back. This
// matches PostgreSQL (an aborted transaction) and keeps SQLite from committing
// half of a unit of work that its caller did not notice had failed.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"
#include "util/result.h"

namespace replydesk::store {

using util::Error;

// One positional parameter. Views must outlive the Query call.
struct SqlParam {
  enum class Kind { kNull, kInt, kText, kBlob };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  std::string_view s;
};

inline SqlParam Null() { return {}; }
inline SqlParam Int(int64_t v) { return {SqlParam::Kind::kInt, v, {}}; }
inline SqlParam Text(std::string_view v) { return {SqlParam::Kind::kText, 0, v}; }
inline SqlParam Blob(std::string_view v) { return {SqlParam::Kind::kBlob, 0, v}; }
// "" is stored as NULL (optional keys: UNIQUE ignores NULLs on both backends).
inline SqlParam TextOrNull(std::string_view v) { return v.empty() ? Null() : Text(v); }
inline SqlParam OptInt(std::optional<int64_t> v) { return v ? Int(*v) : Null(); }

// A materialised result: rows of typed cells, plus the affected row count.
class Rows {
 public:
  struct Cell {
    bool null = true;
    bool is_int = false;
    int64_t i = 0;
    std::string s;  // text or blob bytes (when !is_int)
  };

  size_t size() const { return cols_ == 0 ? 0 : cells_.size() / cols_; }
  bool empty() const { return size() == 0; }
  bool IsNull(size_t row, int col) const { return At(row, col).null; }
  int64_t Int(size_t row, int col) const;  // 0 when NULL or not a number
  std::optional<int64_t> OptInt(size_t row, int col) const;
  std::string Text(size_t row, int col) const;  // "" when NULL
  std::string TakeText(size_t row, int col);    // moves the bytes out
  int64_t affected() const { return affected_; }

  // Builders, for the backends.
  void SetColumns(int cols) { cols_ = cols; }
  Cell& AddCell() { return cells_.emplace_back(); }
  void set_affected(int64_t n) { affected_ = n; }

 private:
  const Cell& At(size_t row, int col) const { return cells_[row * cols_ + col]; }
  std::vector<Cell> cells_;
  int cols_ = 0;
  int64_t affected_ = 0;
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  virtual Backend backend() const = 0;

  // Runs one statement (prepared and cached by its text). Outside a
  // transaction the statement autocommits.
  Result<Rows> Query(std::string_view sql, std::initializer_list<SqlParam> params) {
    return Query(sql, std::span<const SqlParam>(params.begin(), params.size()));
  }
  Result<Rows> Query(std::string_view sql, std::span<const SqlParam> params);
  // Query for a statement whose best plan depends on its values and on the
  // tables' size now (IN lists over tables that grow during an import):
  // PostgreSQL plans it at each execution instead of keeping a plan made
  // when the table was small (a sequential scan, forever).
  Result<Rows> QueryPlannedEachTime(std::string_view sql, std::span<const SqlParam> params);
  // Runs a statement whose rows and count nobody reads (INSERT, UPDATE,
  // DELETE). Inside a transaction the backend may send it later, together
  // with the next Query (PostgreSQL's pipeline): its error is then reported
  // by a later call, at the latest by the ReleaseSavepoint or Commit of the
  // level it ran at, and poisons that level as a Query error would.
  // With `if_no_row`, a statement that touches no row fails with that error
  // (reported as late as any other error of a queued statement). The
  // statement must be a plain INSERT, UPDATE or DELETE without RETURNING.
  Status Exec(std::string_view sql, std::initializer_list<SqlParam> params,
              const std::optional<Error>& if_no_row = std::nullopt) {
    return Exec(sql, std::span<const SqlParam>(params.begin(), params.size()), if_no_row);
  }
  Status Exec(std::string_view sql, std::span<const SqlParam> params,
              const std::optional<Error>& if_no_row = std::nullopt);
  // Runs a script of statements without parameters (migrations), unprepared.
  Status ExecScript(const std::string& sql);

  // Transaction levels: Begin opens the top level (SQLite: BEGIN IMMEDIATE;
  // PostgreSQL: READ COMMITTED), Savepoint nests one more.
  Status Begin();
  Status Commit();  // refuses (and rolls back) a poisoned transaction
  void Rollback();  // never fails; the connection is usable afterwards
  Status Savepoint();
  Status ReleaseSavepoint();
  void RollbackToSavepoint();
  bool in_transaction() const { return depth_ > 0; }

 protected:
  // A query refused on a poisoned level; its failure poisons the level.
  template <typename Run>
  Result<Rows> Guarded(Run run);
  virtual Result<Rows> DoQuery(std::string_view sql, std::span<const SqlParam> params) = 0;
  virtual Result<Rows> DoQueryPlannedEachTime(std::string_view sql,
                                              std::span<const SqlParam> params) {
    return DoQuery(sql, params);
  }
  // Default: runs at once (SQLite: there is no round trip to save).
  virtual Status DoExec(std::string_view sql, std::span<const SqlParam> params,
                        const std::optional<Error>& if_no_row) {
    Result<Rows> r = DoQuery(sql, params);
    if (!r.ok()) return r.error();
    if (if_no_row && r->affected() == 0) return *if_no_row;
    return util::OkStatus();
  }
  virtual Status DoExecScript(const std::string& sql) = 0;
  virtual Status DoBegin() = 0;
  virtual Status DoCommit() = 0;
  virtual void DoRollback() = 0;
  virtual Status DoSavepoint(int level) = 0;
  virtual Status DoRelease(int level) = 0;
  virtual Status DoRollbackTo(int level) = 0;

 private:
  void Poison(const Error& e);

  int depth_ = 0;           // 0: autocommit, 1: top level, 2+: savepoints
  int poisoned_level_ = 0;  // 0: healthy; else the level that failed
  Error poison_;            // the first error at that level
};

// Rewrites `?` placeholders to `$1..$n` (outside quoted strings) for PostgreSQL.
std::string RewritePlaceholders(std::string_view sql);

// Retryable errors make Store::Transact run the whole function again.
bool IsRetryable(const Error& e);
Error BusyError(const std::string& message);         // kUnavailable "store.busy"
Error UnavailableError(const std::string& message);  // kUnavailable "store.unavailable"

}  // namespace replydesk::store
