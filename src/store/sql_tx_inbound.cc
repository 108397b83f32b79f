// SqlTx, part 1: inbound raw messages (the accept log) and the job queue.
//
// Dedup is INSERT ... ON CONFLICT DO NOTHING + a lookup, so two sessions
// accepting the same message at once both succeed and exactly one row exists:
// the loser of the race waits on the winner's uncommitted key (PostgreSQL) or
// on the write lock (SQLite), then sees the committed row.
#include <algorithm>

#include "store/sql_tx.h"

namespace replydesk::store {

using domain::Inbound;
using domain::InboundState;
using util::ErrorCode;
using util::MakeError;

namespace {

constexpr InboundState kInboundStates[] = {InboundState::kQueued, InboundState::kProcessed,
                                           InboundState::kFailed, InboundState::kDuplicate};

#define RD_INBOUND_COLUMNS                                                                        \
  "id, raw_sha256, size, source, envelope_from, recipients, message_id, dedup_key, received_at, " \
  "state, error, attempts, ticket_id, article_id, default_channel_id"

}  // namespace

Error BadValue(const std::string& what, const std::string& value) {
  return MakeError(ErrorCode::kInternal, "store.bad_value", what + " '" + value + "'");
}

Error NotFound(const std::string& what, Id id) {
  return MakeError(ErrorCode::kNotFound, "store.not_found", what + " " + std::to_string(id));
}

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += '\n';
    out += item;
  }
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.emplace_back(text, start, end - start);
    start = end + 1;
  }
  return out;
}

Result<InsertInboundResult> SqlTx::InsertInbound(const NewInbound& in) {
  const std::string recipients = JoinLines(in.recipients);
  RD_ASSIGN_OR_RETURN(
      Rows inserted,
      conn_.Query("INSERT INTO inbound (raw_sha256, size, source, envelope_from, recipients, "
                  "message_id, dedup_key, received_at, default_channel_id) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                  {Text(in.raw_sha256), Int(in.size), Text(in.source), Text(in.envelope_from),
                   Text(recipients), Text(in.message_id), TextOrNull(in.dedup_key),
                   Int(in.received_at), OptInt(in.default_channel_id)}));
  if (!inserted.empty()) return InsertInboundResult{inserted.Int(0, 0), false};
  RD_ASSIGN_OR_RETURN(Rows existing,
                      conn_.Query("SELECT id FROM inbound WHERE raw_sha256 = ? OR dedup_key = ? "
                                  "ORDER BY id LIMIT 1",
                                  {Text(in.raw_sha256), TextOrNull(in.dedup_key)}));
  // A conflict whose row is not visible: a concurrent writer rolled back
  // between our insert and lookup. Running the transaction again settles it.
  if (existing.empty()) return BusyError("inbound: conflicting row vanished");
  return InsertInboundResult{existing.Int(0, 0), true};
}

Result<Id> SqlTx::ReserveInboundId() {
  if (conn_.backend() == Backend::kPostgres) return TakeId("inbound", inbound_ids_);
  // SQLite: this transaction holds the write lock, so the ids after the
  // highest ever given (AUTOINCREMENT's sqlite_sequence) are ours to take.
  if (last_inbound_id_ == 0) {
    RD_ASSIGN_OR_RETURN(
        Rows rows, conn_.Query("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = "
                               "'inbound'), 0), COALESCE((SELECT MAX(id) FROM inbound), 0))",
                               {}));
    last_inbound_id_ = rows.Int(0, 0);
  }
  return ++last_inbound_id_;
}

Status SqlTx::DeferInboundReferences() {
  if (conn_.backend() == Backend::kPostgres) {
    return conn_.Exec("SET CONSTRAINTS articles_inbound_id_fkey DEFERRED", {});
  }
  // Until this transaction ends (SQLite switches it off at COMMIT/ROLLBACK).
  return conn_.Exec("PRAGMA defer_foreign_keys = ON", {});
}

Status SqlTx::InsertFinishedInbound(std::span<const FinishedInbound> rows) {
  // Up to kRowsPerInsert rows per statement (fewer statements: on
  // PostgreSQL each costs the server about as much as a row). No ON
  // CONFLICT: a key already stored fails the statement (23505).
  constexpr size_t kRowsPerInsert = 64;
  std::vector<SqlParam> params;
  std::vector<std::string> recipients;  // the views in params point here
  std::string sql;
  for (size_t begin = 0; begin < rows.size(); begin += kRowsPerInsert) {
    const size_t n = std::min(kRowsPerInsert, rows.size() - begin);
    params.clear();
    recipients.clear();
    recipients.reserve(n);
    sql =
        "INSERT INTO inbound (id, raw_sha256, size, source, envelope_from, recipients, "
        "message_id, dedup_key, received_at, default_channel_id, state, error, attempts, "
        "ticket_id, article_id) VALUES ";
    for (size_t i = 0; i < n; ++i) {
      const FinishedInbound& f = rows[begin + i];
      const NewInbound& in = *f.in;
      sql += i == 0 ? "" : ", ";
      sql += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";
      for (const SqlParam& p :
           {Int(f.id), Text(in.raw_sha256), Int(in.size), Text(in.source), Text(in.envelope_from),
            Text(recipients.emplace_back(JoinLines(in.recipients))), Text(in.message_id),
            TextOrNull(in.dedup_key), Int(in.received_at), OptInt(in.default_channel_id),
            Text(domain::InboundStateName(f.state)), Text(f.error), OptInt(f.ticket_id),
            OptInt(f.article_id)}) {
        params.push_back(p);
      }
    }
    RD_RETURN_IF_ERROR(conn_.Exec(sql, params));
  }
  return util::OkStatus();
}

Result<std::vector<KnownInbound>> SqlTx::FindInbound(const std::vector<std::string>& raw_sha256s,
                                                     const std::vector<std::string>& dedup_keys) {
  std::vector<KnownInbound> out;
  auto collect = [&](Rows& rows, std::span<const SqlParam>) {
    for (size_t r = 0; r < rows.size(); ++r) {
      out.push_back({rows.Int(r, 0), rows.TakeText(r, 1), rows.TakeText(r, 2)});
    }
    return false;
  };
  for (const auto* list : {&raw_sha256s, &dedup_keys}) {
    std::vector<SqlParam> keys;
    for (const std::string& key : *list) {
      if (!key.empty()) keys.push_back(Text(key));
    }
    RD_RETURN_IF_ERROR(QueryIn(list == &raw_sha256s
                                   ? "SELECT id, raw_sha256, COALESCE(dedup_key, '') FROM inbound "
                                     "WHERE raw_sha256 IN ("
                                   : "SELECT id, raw_sha256, COALESCE(dedup_key, '') FROM inbound "
                                     "WHERE dedup_key IN (",
                               "", keys, collect));
  }
  return out;
}

Result<std::vector<Inbound>> SqlTx::ReadInbound(Rows& rows) {
  std::vector<Inbound> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    Inbound& in = out[r];
    in.id = rows.Int(r, 0);
    in.raw_sha256 = rows.TakeText(r, 1);
    in.size = rows.Int(r, 2);
    in.source = rows.TakeText(r, 3);
    in.envelope_from = rows.TakeText(r, 4);
    in.recipients = SplitLines(rows.Text(r, 5));
    in.message_id = rows.TakeText(r, 6);
    in.dedup_key = rows.TakeText(r, 7);
    in.received_at = rows.Int(r, 8);
    const std::string state = rows.Text(r, 9);
    auto parsed = domain::ParseByName(state, kInboundStates, &domain::InboundStateName);
    if (!parsed) return BadValue("inbound.state", state);
    in.state = *parsed;
    in.error = rows.TakeText(r, 10);
    in.attempts = static_cast<int>(rows.Int(r, 11));
    in.ticket_id = rows.OptInt(r, 12);
    in.article_id = rows.OptInt(r, 13);
    in.default_channel_id = rows.OptInt(r, 14);
  }
  return out;
}

Result<Inbound> SqlTx::GetInbound(Id id) {
  RD_ASSIGN_OR_RETURN(
      Rows rows, conn_.Query("SELECT " RD_INBOUND_COLUMNS " FROM inbound WHERE id = ?", {Int(id)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadInbound(rows));
  if (list.empty()) return NotFound("inbound", id);
  return std::move(list.front());
}

Result<std::vector<Inbound>> SqlTx::ListInbound(const InboundFilter& f) {
  Result<Rows> rows =
      f.state ? conn_.Query("SELECT " RD_INBOUND_COLUMNS
                            " FROM inbound WHERE state = ? ORDER BY id LIMIT ?",
                            {Text(domain::InboundStateName(*f.state)), Int(f.limit)})
              : conn_.Query("SELECT " RD_INBOUND_COLUMNS " FROM inbound ORDER BY id LIMIT ?",
                            {Int(f.limit)});
  if (!rows.ok()) return rows.error();
  return ReadInbound(*rows);
}

Status SqlTx::SetInboundResult(Id id, InboundState state, const std::string& error,
                               std::optional<Id> ticket_id, std::optional<Id> article_id) {
  const int attempt = state == InboundState::kFailed || state == InboundState::kProcessed ? 1 : 0;
  return conn_.Exec(
      "UPDATE inbound SET state = ?, error = ?, ticket_id = ?, "
      "article_id = ?, attempts = attempts + ? WHERE id = ?",
      {Text(domain::InboundStateName(state)), Text(error), OptInt(ticket_id), OptInt(article_id),
       Int(attempt), Int(id)},
      NotFound("inbound", id));
}

// --- job queue ---------------------------------------------------------------

Result<Id> SqlTx::EnqueueJob(const std::string& kind, const std::string& payload,
                             UnixSeconds run_at) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("INSERT INTO jobs (kind, payload, run_at) VALUES (?, ?, ?) RETURNING id",
                  {Text(kind), Text(payload), Int(run_at)}));
  if (rows.empty()) return MakeError(ErrorCode::kInternal, "store.sql", "insert job: no id");
  return rows.Int(0, 0);
}

Status SqlTx::QueueJob(const std::string& kind, const std::string& payload, UnixSeconds run_at) {
  return conn_.Exec("INSERT INTO jobs (kind, payload, run_at) VALUES (?, ?, ?)",
                    {Text(kind), Text(payload), Int(run_at)});
}

Result<std::vector<Job>> SqlTx::ClaimJobs(const std::string& worker,
                                          const std::vector<std::string>& kinds, UnixSeconds now,
                                          int lease_seconds, int limit) {
  // Ready jobs that are due, and running jobs whose worker's lease expired (it
  // crashed or hung). PostgreSQL: rows locked by another claimer are skipped;
  // SQLite: BEGIN IMMEDIATE already serialises claimers.
  std::string sql =
      "UPDATE jobs SET state = 'running', locked_by = ?, locked_until = ?, "
      "attempts = attempts + 1 WHERE id IN (SELECT id FROM jobs WHERE "
      "((state = 'ready' AND run_at <= ?) OR (state = 'running' AND locked_until < ?))";
  if (!kinds.empty()) {
    sql += " AND kind IN (?";
    for (size_t i = 1; i < kinds.size(); ++i) sql += ", ?";
    sql += ")";
  }
  sql += " ORDER BY run_at, id LIMIT ?";
  if (conn_.backend() == Backend::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
  sql += ") RETURNING id, kind, payload, attempts, run_at, last_error";

  std::vector<SqlParam> params = {Text(worker), Int(now + lease_seconds), Int(now), Int(now)};
  for (const std::string& kind : kinds) params.push_back(Text(kind));
  params.push_back(Int(limit));
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(sql, params));
  std::vector<Job> jobs(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    jobs[r].id = rows.Int(r, 0);
    jobs[r].kind = rows.TakeText(r, 1);
    jobs[r].payload = rows.TakeText(r, 2);
    jobs[r].attempts = static_cast<int>(rows.Int(r, 3)) - 1;  // before this claim
    jobs[r].run_at = rows.Int(r, 4);
    jobs[r].last_error = rows.TakeText(r, 5);
  }
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return a.run_at != b.run_at ? a.run_at < b.run_at : a.id < b.id;
  });
  return jobs;
}

Status SqlTx::CompleteJob(Id job_id) {
  // Nothing deleted: the job's lease ran out and another worker finished it;
  // the caller's work is rolled back, so the message is not processed twice.
  return conn_.Exec("DELETE FROM jobs WHERE id = ?", {Int(job_id)}, NotFound("job", job_id));
}

Status SqlTx::FailJob(Id job_id, const std::string& error, std::optional<UnixSeconds> retry_at) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(
          "UPDATE jobs SET state = ?, last_error = ?, run_at = COALESCE(?, run_at), "
          "locked_by = NULL, locked_until = NULL WHERE id = ?",
          {Text(retry_at ? "ready" : "parked"), Text(error), OptInt(retry_at), Int(job_id)}));
  if (rows.affected() == 0) return NotFound("job", job_id);
  return util::OkStatus();
}

Status SqlTx::DeferJob(Id job_id, UnixSeconds run_at) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("UPDATE jobs SET state = 'ready', run_at = ?, "
                                             "locked_by = NULL, locked_until = NULL WHERE id = ?",
                                             {Int(run_at), Int(job_id)}));
  if (rows.affected() == 0) return NotFound("job", job_id);
  return util::OkStatus();
}

Result<int64_t> SqlTx::CountJobs(const std::string& kind) {
  Result<Rows> rows = kind.empty()
                          ? conn_.Query("SELECT COUNT(*) FROM jobs", {})
                          : conn_.Query("SELECT COUNT(*) FROM jobs WHERE kind = ?", {Text(kind)});
  if (!rows.ok()) return rows.error();
  return rows->empty() ? 0 : rows->Int(0, 0);
}

}  // namespace replydesk::store
