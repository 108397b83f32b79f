// PostgreSQL backend: libpq connection, lazy prepared statements, the
// pipeline inside transactions, and the one place where libpq errors become
// Errors.
#include "store/pg_connection.h"

#include <libpq-fe.h>

#include <charconv>

namespace replydesk::store {

using util::ErrorCode;
using util::MakeError;

namespace {

constexpr Oid kByteaOid = 17;
// A pipeline is synced at the latest after this many statements or bytes, so
// neither side's socket buffer can fill while the other waits.
constexpr size_t kMaxQueued = 512;
constexpr size_t kMaxQueuedBytes = 8 << 20;
// division_by_zero: how an Exec that touched no row fails (DoExec).
constexpr std::string_view kNoRowState = "22012";

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

std::string Trimmed(const char* s) {
  std::string m = s == nullptr ? "" : s;
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// The error of a failed result; without a SQLSTATE it is the client's
// (connection lost, out of memory): unavailable.
Error ResultError(const PGresult* r, pg_conn* conn, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  if (r == nullptr) return UnavailableError(prefix + Trimmed(PQerrorMessage(conn)));
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string msg = Trimmed(PQresultErrorMessage(r));
  if (msg.empty()) msg = Trimmed(PQerrorMessage(conn));
  if (state == nullptr) return UnavailableError(prefix + msg);
  return FromSqlState(state, prefix + msg);
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

Rows ToRows(const PGresult* r) {
  Rows rows;
  const int cols = PQnfields(r);
  const int n = PQntuples(r);
  rows.SetColumns(cols);
  std::vector<bool> bytea(cols);
  for (int c = 0; c < cols; ++c) bytea[c] = PQftype(r, c) == kByteaOid;
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < cols; ++c) {
      Rows::Cell& cell = rows.AddCell();
      if (PQgetisnull(r, i, c)) continue;
      cell.null = false;
      const char* v = PQgetvalue(r, i, c);
      const size_t len = static_cast<size_t>(PQgetlength(r, i, c));
      cell.s = bytea[c] ? DecodeBytea(v, len) : std::string(v, len);
    }
  }
  int64_t affected = 0;
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(r));
  if (tuples != nullptr)
    std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), affected);
  rows.set_affected(affected);
  return rows;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

bool Succeeded(const PGresult* r) {
  const ExecStatusType s = PQresultStatus(r);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

// Parameters in libpq's form: text for numbers and text (NUL-terminated
// copies), binary for blobs (no copy, no hex).
class Params {
 public:
  explicit Params(std::span<const SqlParam> params)
      : storage_(params.size()),
        values_(params.size(), nullptr),
        lengths_(params.size(), 0),
        formats_(params.size(), 0) {
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlParam& p = params[i];
      switch (p.kind) {
        case SqlParam::Kind::kNull:
          continue;
        case SqlParam::Kind::kInt:
          storage_[i] = std::to_string(p.i);
          values_[i] = storage_[i].c_str();
          break;
        case SqlParam::Kind::kText:
          storage_[i] = std::string(p.s);
          values_[i] = storage_[i].c_str();
          break;
        case SqlParam::Kind::kBlob:
          values_[i] = p.s.data() == nullptr ? "" : p.s.data();
          lengths_[i] = static_cast<int>(p.s.size());
          formats_[i] = 1;
          break;
      }
      bytes_ += p.s.size() + 8;
    }
  }
  int count() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }
  size_t bytes() const { return bytes_; }

 private:
  std::vector<std::string> storage_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  size_t bytes_ = 0;
};

}  // namespace

PgConnection::~PgConnection() {
  EndPipeline();
  PQfinish(conn_);
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& url) {
  pg_conn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) return UnavailableError("connect: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    Error e = UnavailableError("connect: " + Trimmed(PQerrorMessage(conn)));
    PQfinish(conn);
    return e;
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

Status PgConnection::EnsureConnected() {
  if (PQstatus(conn_) == CONNECTION_OK) return util::OkStatus();
  names_.clear();  // the new session has no prepared statements
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return UnavailableError("reconnect: " + Trimmed(PQerrorMessage(conn_)));
  }
  PQexitPipelineMode(conn_);  // a new session starts outside the pipeline
  return util::OkStatus();
}

Result<const std::string*> PgConnection::Prepared(std::string_view sql) {
  auto it = names_.find(sql);
  if (it != names_.end()) return &it->second;
  std::string name = "rd" + std::to_string(names_.size() + 1);
  const std::string text = RewritePlaceholders(sql);
  if (pipeline_) {
    if (PQsendPrepare(conn_, name.c_str(), text.c_str(), 0, nullptr) != 1) {
      return ResultError(nullptr, conn_, "prepare");
    }
    queue_.push_back({true, true, std::string(sql), std::nullopt});
  } else {
    ResultPtr r(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
    if (r == nullptr || !Succeeded(r.get())) return ResultError(r.get(), conn_, "prepare");
  }
  return &names_.emplace(std::string(sql), std::move(name)).first->second;
}

Status PgConnection::Send(std::string_view sql, std::span<const SqlParam> params,
                          const std::optional<Error>& if_no_row) {
  RD_ASSIGN_OR_RETURN(const std::string* name, Prepared(sql));
  const Params p(params);
  if (PQsendQueryPrepared(conn_, name->c_str(), p.count(), p.values(), p.lengths(), p.formats(),
                          0) != 1) {
    return ResultError(nullptr, conn_, "query");
  }
  queue_.push_back({false, false, {}, if_no_row});
  queued_bytes_ += p.bytes();
  return util::OkStatus();
}

Status PgConnection::SendCommand(const char* sql) {
  if (PQsendQueryParams(conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
    return ResultError(nullptr, conn_, sql);
  }
  queue_.push_back({false, true, {}, std::nullopt});
  return util::OkStatus();
}

bool PgConnection::HasQueuedWrites() const {
  for (const Queued& q : queue_) {
    if (!q.command) return true;
  }
  return false;
}

Status PgConnection::Flush(Rows* last) {
  if (queue_.empty()) return util::OkStatus();
  std::vector<Queued> queue;
  queue.swap(queue_);
  queued_bytes_ = 0;
  if (PQpipelineSync(conn_) != 1) return ResultError(nullptr, conn_, "sync");
  Status first = util::OkStatus();
  for (size_t i = 0; i < queue.size(); ++i) {
    ResultPtr r(PQgetResult(conn_));
    if (r == nullptr) return ResultError(nullptr, conn_, "query");  // connection lost
    const ExecStatusType s = PQresultStatus(r.get());
    if (s == PGRES_FATAL_ERROR) {
      const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
      if (first.ok() && queue[i].if_no_row && state != nullptr &&
          std::string_view(state) == kNoRowState) {
        first = *queue[i].if_no_row;  // the division below: no row touched
      }
      if (first.ok()) first = ResultError(r.get(), conn_, queue[i].prepare ? "prepare" : "query");
      if (queue[i].prepare) names_.erase(queue[i].sql);
    } else if (s == PGRES_PIPELINE_ABORTED) {
      if (queue[i].prepare) names_.erase(queue[i].sql);
    } else if (!Succeeded(r.get())) {
      if (first.ok()) first = ResultError(r.get(), conn_, "query");
    } else if (last != nullptr && i + 1 == queue.size()) {
      *last = ToRows(r.get());
    }
    // Each statement's results end with a null.
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  }
  ResultPtr sync(PQgetResult(conn_));
  if (sync == nullptr || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
    if (first.ok()) first = ResultError(sync.get(), conn_, "sync");
  }
  return first;
}

Result<Rows> PgConnection::DoQuery(std::string_view sql, std::span<const SqlParam> params) {
  if (pipeline_) {
    RD_RETURN_IF_ERROR(Send(sql, params));
    Rows rows;
    RD_RETURN_IF_ERROR(Flush(&rows));
    return rows;
  }
  RD_RETURN_IF_ERROR(EnsureConnected());
  RD_ASSIGN_OR_RETURN(const std::string* name, Prepared(sql));
  const Params p(params);
  ResultPtr r(
      PQexecPrepared(conn_, name->c_str(), p.count(), p.values(), p.lengths(), p.formats(), 0));
  if (r == nullptr || !Succeeded(r.get())) return ResultError(r.get(), conn_, "query");
  return ToRows(r.get());
}

Result<Rows> PgConnection::DoQueryPlannedEachTime(std::string_view sql,
                                                  std::span<const SqlParam> params) {
  const std::string text = RewritePlaceholders(sql);
  const Params p(params);
  if (pipeline_) {
    if (PQsendQueryParams(conn_, text.c_str(), p.count(), nullptr, p.values(), p.lengths(),
                          p.formats(), 0) != 1) {
      return ResultError(nullptr, conn_, "query");
    }
    queue_.push_back({false, false, {}, std::nullopt});
    Rows rows;
    RD_RETURN_IF_ERROR(Flush(&rows));
    return rows;
  }
  RD_RETURN_IF_ERROR(EnsureConnected());
  ResultPtr r(PQexecParams(conn_, text.c_str(), p.count(), nullptr, p.values(), p.lengths(),
                           p.formats(), 0));
  if (r == nullptr || !Succeeded(r.get())) return ResultError(r.get(), conn_, "query");
  return ToRows(r.get());
}

Status PgConnection::DoExec(std::string_view sql, std::span<const SqlParam> params,
                            const std::optional<Error>& if_no_row) {
  if (!pipeline_) {
    Result<Rows> r = DoQuery(sql, params);
    if (!r.ok()) return r.error();
    if (if_no_row && r->affected() == 0) return *if_no_row;
    return util::OkStatus();
  }
  if (if_no_row) {
    // The check has to fail on the server, so that the pipeline stops there
    // and skips the RELEASE or COMMIT queued after it: the statement's rows
    // are counted and 1 is divided by the count (22012 when none).
    const std::string checked = "WITH rd_touched AS (" + std::string(sql) +
                                " RETURNING 1) SELECT 1 / COUNT(*) FROM rd_touched";
    RD_RETURN_IF_ERROR(Send(checked, params, if_no_row));
  } else {
    RD_RETURN_IF_ERROR(Send(sql, params));
  }
  if (queue_.size() >= kMaxQueued || queued_bytes_ >= kMaxQueuedBytes) return Flush();
  return util::OkStatus();
}

Status PgConnection::DoExecScript(const std::string& sql) {
  // A script may hold several statements: the simple protocol, outside the pipeline.
  if (pipeline_) {
    RD_RETURN_IF_ERROR(Flush());
    PQexitPipelineMode(conn_);
  } else {
    RD_RETURN_IF_ERROR(EnsureConnected());
  }
  ResultPtr r(PQexec(conn_, sql.c_str()));
  Status st = util::OkStatus();
  if (r == nullptr || !Succeeded(r.get())) st = ResultError(r.get(), conn_, "exec");
  if (pipeline_ && PQenterPipelineMode(conn_) != 1) {
    if (st.ok()) st = ResultError(nullptr, conn_, "pipeline");
  }
  return st;
}

Status PgConnection::DoBegin() {
  RD_RETURN_IF_ERROR(EnsureConnected());
  if (PQenterPipelineMode(conn_) != 1) return ResultError(nullptr, conn_, "begin");
  pipeline_ = true;
  Status st = SendCommand("BEGIN");  // goes with the transaction's first question
  if (!st.ok()) EndPipeline();
  return st;
}

Status PgConnection::DoCommit() {
  Status st = SendCommand("COMMIT");
  if (st.ok()) st = Flush();
  if (!st.ok()) {
    // A statement failed (the server skipped the COMMIT) or the connection
    // broke (the outcome is unknown): SqlConnection rolls back.
    if (PQstatus(conn_) != CONNECTION_OK) {
      st = UnavailableError("commit outcome unknown: " + st.error().message);
    }
    return st;
  }
  EndPipeline();
  return st;
}

void PgConnection::DoRollback() {
  if (!pipeline_) return;
  if (PQstatus(conn_) == CONNECTION_OK) {
    // The server rolls back a transaction whose connection is gone.
    [[maybe_unused]] Status st = Flush();
    if (SendCommand("ROLLBACK").ok()) st = Flush();
  }
  EndPipeline();
}

void PgConnection::EndPipeline() noexcept {
  if (!pipeline_) return;
  queue_.clear();
  queued_bytes_ = 0;
  if (PQstatus(conn_) == CONNECTION_OK && PQexitPipelineMode(conn_) != 1) {
    // Results still unread (an interrupted flush): drop the session.
    PQreset(conn_);
    names_.clear();
  }
  pipeline_ = false;
}

Status PgConnection::DoSavepoint(int level) {
  // What the parent level queued is answered first, so that its error is the parent's.
  if (HasQueuedWrites()) RD_RETURN_IF_ERROR(Flush());
  const std::string sql = "SAVEPOINT sp" + std::to_string(level);
  return SendCommand(sql.c_str());
}

Status PgConnection::DoRelease(int level) {
  const std::string sql = "RELEASE SAVEPOINT sp" + std::to_string(level);
  RD_RETURN_IF_ERROR(SendCommand(sql.c_str()));
  return Flush();
}

Status PgConnection::DoRollbackTo(int level) {
  // What the level queued is being undone: its answers only have to be read.
  Status queued = Flush();
  if (!queued.ok() && PQstatus(conn_) != CONNECTION_OK) return queued;
  // Undoes the level's work and clears the aborted state a failed statement left.
  const std::string name = "sp" + std::to_string(level);
  RD_RETURN_IF_ERROR(SendCommand(("ROLLBACK TO SAVEPOINT " + name).c_str()));
  RD_RETURN_IF_ERROR(SendCommand(("RELEASE SAVEPOINT " + name).c_str()));
  return Flush();
}

}  // namespace replydesk::store
