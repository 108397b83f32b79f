// PostgreSQL backend: libpqxx 6.x connection, lazy prepared statements, and
// the one place where libpqxx exceptions become Errors.
#include "store/pg_connection.h"

#include <pqxx/pqxx>

namespace replydesk::store {

using util::ErrorCode;
using util::MakeError;

namespace {

constexpr unsigned kByteaOid = 17;

Error FromSqlState(const std::string& state, const std::string& msg) {
  if (state == "23505") return MakeError(ErrorCode::kAlreadyExists, "store.duplicate", msg);
  if (state.rfind("23", 0) == 0)
    return MakeError(ErrorCode::kInvalidArgument, "store.constraint", msg);
  // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available.
  if (state == "40001" || state == "40P01" || state == "55P03") return BusyError(msg);
  if (state == "53100") return MakeError(ErrorCode::kResourceExhausted, "store.no_space", msg);
  // 08: connection exception, 53: insufficient resources, 57P: operator intervention.
  if (state.rfind("08", 0) == 0 || state.rfind("53", 0) == 0 || state.rfind("57P", 0) == 0) {
    return UnavailableError(msg);
  }
  return MakeError(ErrorCode::kInternal, "store.sql", msg);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

// bytea arrives in the text protocol as "\x" + hex (bytea_output = hex).
std::string DecodeBytea(const char* s, size_t n) {
  if (n < 2 || s[0] != '\\' || s[1] != 'x') return std::string(s, n);
  std::string out;
  out.resize((n - 2) / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(HexValue(s[2 + 2 * i]) * 16 + HexValue(s[3 + 2 * i]));
  }
  return out;
}

std::string EncodeBytea(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + data.size() * 2);
  for (unsigned char c : data) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Rows ToRows(const pqxx::result& r) {
  Rows rows;
  const int cols = static_cast<int>(r.columns());
  rows.SetColumns(cols);
  std::vector<bool> bytea(cols);
  for (int c = 0; c < cols; ++c) bytea[c] = r.column_type(c) == kByteaOid;
  for (const auto& row : r) {
    for (int c = 0; c < cols; ++c) {
      Rows::Cell& cell = rows.AddCell();
      const pqxx::field f = row[c];
      if (f.is_null()) continue;
      cell.null = false;
      cell.s = bytea[c] ? DecodeBytea(f.c_str(), f.size()) : std::string(f.c_str(), f.size());
    }
  }
  rows.set_affected(static_cast<int64_t>(r.affected_rows()));
  return rows;
}

}  // namespace

Error PgErrorFromException(std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return UnavailableError(prefix + e.what());
  } catch (const pqxx::in_doubt_error& e) {
    return UnavailableError(prefix + "commit outcome unknown: " + e.what());
  } catch (const pqxx::statement_completion_unknown& e) {
    return UnavailableError(prefix + e.what());
  } catch (const pqxx::transaction_rollback& e) {  // serialization failure, deadlock
    return BusyError(prefix + e.what());
  } catch (const pqxx::sql_error& e) {
    return FromSqlState(e.sqlstate(), prefix + e.what());
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, "store.sql", prefix + e.what());
  } catch (...) {
    return MakeError(ErrorCode::kInternal, "store.sql", prefix + "unknown exception");
  }
}

struct PgConnection::Conn {
  explicit Conn(const std::string& url) : c(url) {}
  pqxx::connection c;
};

PgConnection::PgConnection(std::unique_ptr<Conn> conn) : conn_(std::move(conn)) {}

PgConnection::~PgConnection() { AbortWork(); }

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& url) {
  try {
    auto conn = std::make_unique<Conn>(url);
    return std::unique_ptr<PgConnection>(new PgConnection(std::move(conn)));
  } catch (...) {
    Error e = PgErrorFromException("connect");
    return UnavailableError(e.message);
  }
}

const std::string& PgConnection::StatementName(std::string_view sql) {
  auto it = names_.find(sql);
  if (it != names_.end()) return it->second;
  std::string name = "rd" + std::to_string(names_.size() + 1);
  conn_->c.prepare(name, RewritePlaceholders(sql));  // prepared on the server at first use
  return names_.emplace(std::string(sql), std::move(name)).first->second;
}

Result<Rows> PgConnection::DoQuery(std::string_view sql, std::span<const SqlParam> params) {
  // Text protocol: every parameter is sent as a NUL-terminated string.
  std::vector<std::string> storage(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i) {
    const SqlParam& p = params[i];
    switch (p.kind) {
      case SqlParam::Kind::kNull:
        continue;
      case SqlParam::Kind::kInt:
        storage[i] = std::to_string(p.i);
        break;
      case SqlParam::Kind::kText:
        storage[i] = std::string(p.s);
        break;
      case SqlParam::Kind::kBlob:
        storage[i] = EncodeBytea(p.s);
        break;
    }
    values[i] = storage[i].c_str();
  }
  try {
    const std::string& name = StatementName(sql);
    auto dynamic = pqxx::prepare::make_dynamic_params(values);
    if (work_) return ToRows(work_->exec_prepared(name, dynamic));
    pqxx::nontransaction autocommit(conn_->c);
    return ToRows(autocommit.exec_prepared(name, dynamic));
  } catch (...) {
    return PgErrorFromException("query");
  }
}

Status PgConnection::DoExecScript(const std::string& sql) {
  try {
    if (work_) {
      work_->exec(sql);
    } else {
      pqxx::nontransaction autocommit(conn_->c);
      autocommit.exec(sql);
    }
    return util::OkStatus();
  } catch (...) {
    return PgErrorFromException("exec");
  }
}

Status PgConnection::DoBegin() {
  try {
    work_ = std::make_unique<pqxx::work>(conn_->c);
    return util::OkStatus();
  } catch (...) {
    work_.reset();
    return PgErrorFromException("begin");
  }
}

Status PgConnection::DoCommit() {
  try {
    work_->commit();
  } catch (...) {
    Error e = PgErrorFromException("commit");
    AbortWork();
    return e;
  }
  work_.reset();  // committed: destroying the work object sends nothing
  return util::OkStatus();
}

void PgConnection::DoRollback() { AbortWork(); }

void PgConnection::AbortWork() noexcept {
  if (!work_) return;
  try {
    work_->abort();
  } catch (...) {
    // The connection is gone: the server has rolled the transaction back.
  }
  work_.reset();
}

Status PgConnection::ExecInWork(const std::string& sql, std::string_view what) {
  try {
    work_->exec(sql);
    return util::OkStatus();
  } catch (...) {
    return PgErrorFromException(what);
  }
}

Status PgConnection::DoSavepoint(int level) {
  return ExecInWork("SAVEPOINT sp" + std::to_string(level), "savepoint");
}

Status PgConnection::DoRelease(int level) {
  return ExecInWork("RELEASE SAVEPOINT sp" + std::to_string(level), "release savepoint");
}

Status PgConnection::DoRollbackTo(int level) {
  const std::string name = "sp" + std::to_string(level);
  // Undoes the level's work and clears the aborted state a failed statement left.
  return ExecInWork("ROLLBACK TO SAVEPOINT " + name + "; RELEASE SAVEPOINT " + name,
                    "rollback to savepoint");
}

}  // namespace replydesk::store
