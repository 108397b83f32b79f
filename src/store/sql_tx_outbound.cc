// SqlTx, part 7: the outbox. A row is written in the same transaction as the
// article it sends, so a committed reply always has its outgoing message; the
// outbound worker then moves it through queued -> sent | failed, and a bounce
// (found by Message-ID) marks it bounced.
//
// first_recipient is copied out of the newline-separated recipients so the
// per-sender acknowledgement rate limit (RFC 3834 §2: do not answer the same
// sender over and over) is one index range scan.
#include "store/sql_tx.h"

namespace replydesk::store {

using domain::Outbound;
using domain::OutboundState;
using util::ErrorCode;
using util::MakeError;

namespace {

constexpr OutboundState kOutboundStates[] = {OutboundState::kQueued, OutboundState::kSent,
                                             OutboundState::kFailed, OutboundState::kBounced};

#define RD_OUTBOUND_COLUMNS                                                               \
  "SELECT id, article_id, ticket_id, envelope_from, recipients, raw_sha256, message_id, " \
  "automatic, state, attempts, smtp_code, last_error, created_at, sent_at FROM outbound "

}  // namespace

Result<std::vector<Outbound>> SqlTx::ReadOutbound(Rows& rows) {
  std::vector<Outbound> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    Outbound& o = out[r];
    o.id = rows.Int(r, 0);
    o.article_id = rows.Int(r, 1);
    o.ticket_id = rows.Int(r, 2);
    o.envelope_from = rows.TakeText(r, 3);
    o.recipients = SplitLines(rows.Text(r, 4));
    o.raw_sha256 = rows.TakeText(r, 5);
    o.message_id = rows.TakeText(r, 6);
    o.automatic = rows.Int(r, 7) != 0;
    const std::string state = rows.Text(r, 8);
    auto parsed = domain::ParseByName(state, kOutboundStates, &domain::OutboundStateName);
    if (!parsed) return BadValue("outbound.state", state);
    o.state = *parsed;
    o.attempts = static_cast<int>(rows.Int(r, 9));
    o.smtp_code = static_cast<int>(rows.Int(r, 10));
    o.last_error = rows.TakeText(r, 11);
    o.created_at = rows.Int(r, 12);
    o.sent_at = rows.OptInt(r, 13);
  }
  return out;
}

Result<Outbound> SqlTx::CreateOutbound(const Outbound& o) {
  const std::string recipients = JoinLines(o.recipients);
  const std::string first = o.recipients.empty() ? std::string() : o.recipients.front();
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("INSERT INTO outbound (article_id, ticket_id, envelope_from, recipients, "
                  "first_recipient, raw_sha256, message_id, automatic, state, attempts, "
                  "smtp_code, last_error, created_at, sent_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {Int(o.article_id), Int(o.ticket_id), Text(o.envelope_from), Text(recipients),
                   Text(first), Text(o.raw_sha256), Text(o.message_id), Int(o.automatic ? 1 : 0),
                   Text(domain::OutboundStateName(o.state)), Int(o.attempts), Int(o.smtp_code),
                   Text(o.last_error), Int(o.created_at), OptInt(o.sent_at)}));
  if (rows.empty()) return MakeError(ErrorCode::kInternal, "store.sql", "insert outbound: no id");
  Outbound out = o;
  out.id = rows.Int(0, 0);
  return out;
}

Result<Outbound> SqlTx::GetOutbound(Id id) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_OUTBOUND_COLUMNS "WHERE id = ?", {Int(id)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadOutbound(rows));
  if (list.empty()) return NotFound("outbound", id);
  return std::move(list.front());
}

Result<std::optional<Outbound>> SqlTx::FindOutboundByMessageId(const std::string& message_id) {
  if (message_id.empty()) return std::optional<Outbound>();
  // Normally one row per Message-ID; should a message be queued twice, the
  // newest row is the one a bounce is about.
  RD_ASSIGN_OR_RETURN(
      Rows rows, conn_.Query(RD_OUTBOUND_COLUMNS "WHERE message_id = ? ORDER BY id DESC LIMIT 1",
                             {Text(message_id)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadOutbound(rows));
  if (list.empty()) return std::optional<Outbound>();
  return std::optional<Outbound>(std::move(list.front()));
}

Status SqlTx::SetOutboundState(Id id, OutboundState state, int smtp_code, const std::string& error,
                               std::optional<UnixSeconds> sent_at, bool attempted) {
  RD_ASSIGN_OR_RETURN(
      Rows rows, conn_.Query("UPDATE outbound SET state = ?, smtp_code = ?, last_error = ?, "
                             "sent_at = COALESCE(?, sent_at), attempts = attempts + ? WHERE id = ?",
                             {Text(domain::OutboundStateName(state)), Int(smtp_code), Text(error),
                              OptInt(sent_at), Int(attempted ? 1 : 0), Int(id)}));
  if (rows.affected() == 0) return NotFound("outbound", id);
  return util::OkStatus();
}

Result<int64_t> SqlTx::CountAutomaticOutbound(const std::string& recipient, UnixSeconds since) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT COUNT(*) FROM outbound WHERE "
                                             "first_recipient = ? AND automatic = 1 AND "
                                             "created_at >= ?",
                                             {Text(recipient), Int(since)}));
  return rows.empty() ? 0 : rows.Int(0, 0);
}

Result<std::vector<Outbound>> SqlTx::ListOutbound(std::optional<OutboundState> state, int limit) {
  Result<Rows> rows =
      state ? conn_.Query(RD_OUTBOUND_COLUMNS "WHERE state = ? ORDER BY id DESC LIMIT ?",
                          {Text(domain::OutboundStateName(*state)), Int(limit)})
            : conn_.Query(RD_OUTBOUND_COLUMNS "ORDER BY id DESC LIMIT ?", {Int(limit)});
  if (!rows.ok()) return rows.error();
  return ReadOutbound(*rows);
}

Result<std::vector<Outbound>> SqlTx::ListOutboundForArticle(Id article_id) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_OUTBOUND_COLUMNS "WHERE article_id = ? ORDER BY id",
                                             {Int(article_id)}));
  return ReadOutbound(rows);
}

}  // namespace replydesk::store
