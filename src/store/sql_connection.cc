// SqlConnection: transaction levels, statement poisoning, placeholder rewrite,
// and the Rows accessors shared by both backends.
#include "store/sql_connection.h"

#include <charconv>

namespace replydesk::store {

using util::ErrorCode;
using util::MakeError;

int64_t Rows::Int(size_t row, int col) const {
  const Cell& c = At(row, col);
  if (c.null) return 0;
  if (c.is_int) return c.i;
  int64_t v = 0;
  std::from_chars(c.s.data(), c.s.data() + c.s.size(), v);  // 0 when not a number
  return v;
}

std::optional<int64_t> Rows::OptInt(size_t row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int(row, col);
}

std::string Rows::Text(size_t row, int col) const {
  const Cell& c = At(row, col);
  if (c.null) return {};
  if (c.is_int) return std::to_string(c.i);
  return c.s;
}

std::string Rows::TakeText(size_t row, int col) {
  Cell& c = cells_[row * cols_ + col];
  if (c.null) return {};
  if (c.is_int) return std::to_string(c.i);
  return std::move(c.s);
}

void SqlConnection::Poison(const Error& e) {
  if (depth_ > 0 && poisoned_level_ == 0) {
    poisoned_level_ = depth_;
    poison_ = e;
  }
}

template <typename Run>
Result<Rows> SqlConnection::Guarded(Run run) {
  if (poisoned_level_ != 0) return poison_;
  Result<Rows> r = run();
  if (!r.ok()) {
    Poison(r.error());
    return r.error();
  }
  return r;
}

Result<Rows> SqlConnection::Query(std::string_view sql, std::span<const SqlParam> params) {
  return Guarded([&] { return DoQuery(sql, params); });
}

Result<Rows> SqlConnection::QueryPlannedEachTime(std::string_view sql,
                                                 std::span<const SqlParam> params) {
  return Guarded([&] { return DoQueryPlannedEachTime(sql, params); });
}

Status SqlConnection::Exec(std::string_view sql, std::span<const SqlParam> params,
                           const std::optional<Error>& if_no_row) {
  if (poisoned_level_ != 0) return poison_;
  Status st = DoExec(sql, params, if_no_row);
  if (!st.ok()) Poison(st.error());
  return st;
}

Status SqlConnection::ExecScript(const std::string& sql) {
  if (poisoned_level_ != 0) return poison_;
  Status st = DoExecScript(sql);
  if (!st.ok()) Poison(st.error());
  return st;
}

Status SqlConnection::Begin() {
  if (depth_ != 0) {
    return MakeError(ErrorCode::kInternal, "store.nested_transact",
                     "Transact called inside a transaction; use Tx::Nested");
  }
  RD_RETURN_IF_ERROR(DoBegin());
  depth_ = 1;
  poisoned_level_ = 0;
  return util::OkStatus();
}

Status SqlConnection::Commit() {
  if (poisoned_level_ != 0) {
    Error e = poison_;
    Rollback();
    return e;
  }
  Status st = DoCommit();
  // A failed COMMIT (SQLite: busy) may leave the transaction open: end it.
  if (!st.ok()) DoRollback();
  depth_ = 0;
  return st;
}

void SqlConnection::Rollback() {
  if (depth_ == 0) return;
  DoRollback();
  depth_ = 0;
  poisoned_level_ = 0;
}

Status SqlConnection::Savepoint() {
  if (poisoned_level_ != 0) return poison_;
  Status st = DoSavepoint(depth_ + 1);
  if (!st.ok()) {
    Poison(st.error());
    return st;
  }
  ++depth_;
  return st;
}

Status SqlConnection::ReleaseSavepoint() {
  // A level that saw a failed statement is never released: the caller rolls
  // it back (Tx::Nested does), so its half-done work is undone.
  if (poisoned_level_ != 0 && poisoned_level_ <= depth_) return poison_;
  Status st = DoRelease(depth_);
  if (!st.ok()) {
    Poison(st.error());  // the caller rolls the level back
    return st;
  }
  --depth_;
  return st;
}

void SqlConnection::RollbackToSavepoint() {
  if (depth_ <= 1) return;
  Status st = DoRollbackTo(depth_);
  --depth_;
  if (poisoned_level_ > depth_) poisoned_level_ = 0;
  // Could not undo the level (lost connection): its parent must not commit.
  if (!st.ok()) Poison(st.error());
}

std::string RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

bool IsRetryable(const Error& e) {
  return e.code == ErrorCode::kUnavailable && e.detail == "store.busy";
}

Error BusyError(const std::string& message) {
  return MakeError(ErrorCode::kUnavailable, "store.busy", message);
}

Error UnavailableError(const std::string& message) {
  return MakeError(ErrorCode::kUnavailable, "store.unavailable", message);
}

}  // namespace replydesk::store
