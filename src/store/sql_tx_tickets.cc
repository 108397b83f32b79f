// SqlTx, part 3: tickets (numbers from a counter row), articles, attachments.
//
// NextTicketNumber is one UPDATE ... RETURNING on the counters row: the row
// lock (PostgreSQL) or the write lock (SQLite) makes concurrent transactions
// take turns, so no two ever get the same number; a rolled-back transaction
// gives its number back.
#include "store/sql_tx.h"

namespace replydesk::store {

using domain::Article;
using domain::Attachment;
using domain::Ticket;
using domain::TicketStatus;
using util::ErrorCode;
using util::MakeError;

namespace {

constexpr TicketStatus kStatuses[] = {TicketStatus::kNew, TicketStatus::kOpen,
                                      TicketStatus::kPending, TicketStatus::kSolved,
                                      TicketStatus::kClosed};
constexpr domain::Priority kPriorities[] = {domain::Priority::kLow, domain::Priority::kNormal,
                                            domain::Priority::kHigh, domain::Priority::kUrgent};
constexpr domain::ArticleKind kArticleKinds[] = {
    domain::ArticleKind::kEmail, domain::ArticleKind::kNote, domain::ArticleKind::kPhone,
    domain::ArticleKind::kWeb};
constexpr domain::Direction kDirections[] = {
    domain::Direction::kInbound, domain::Direction::kOutbound, domain::Direction::kInternal};

#define RD_TICKET_COLUMNS                                                                    \
  "SELECT id, number, subject, normalized_subject, status, priority, customer_id, team_id, " \
  "channel_id, created_at, updated_at, closed_at FROM tickets "

#define RD_ARTICLE_COLUMNS                                                                    \
  "id, ticket_id, kind, direction, customer_id, sender_name, sender_address, to_addresses, "  \
  "cc_addresses, subject, message_id, in_reply_to, body_text, body_html_sha256, inbound_id, " \
  "flags, created_at"

Result<std::optional<Ticket>> First(Result<std::vector<Ticket>> list) {
  if (!list.ok()) return list.error();
  if (list->empty()) return std::optional<Ticket>();
  return std::optional<Ticket>(std::move(list->front()));
}

}  // namespace

Result<std::vector<Ticket>> SqlTx::ReadTickets(Rows& rows) {
  std::vector<Ticket> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    Ticket& t = out[r];
    t.id = rows.Int(r, 0);
    t.number = rows.Int(r, 1);
    t.subject = rows.TakeText(r, 2);
    t.normalized_subject = rows.TakeText(r, 3);
    const std::string status = rows.Text(r, 4);
    auto s = ParseStoredName(status, kStatuses, &domain::TicketStatusName);
    if (!s) return BadValue("ticket.status", status);
    t.status = *s;
    const std::string priority = rows.Text(r, 5);
    auto p = ParseStoredName(priority, kPriorities, &domain::PriorityName);
    if (!p) return BadValue("ticket.priority", priority);
    t.priority = *p;
    t.customer_id = rows.Int(r, 6);
    t.team_id = rows.OptInt(r, 7);
    t.channel_id = rows.OptInt(r, 8);
    t.created_at = rows.Int(r, 9);
    t.updated_at = rows.Int(r, 10);
    t.closed_at = rows.OptInt(r, 11);
  }
  return out;
}

Result<int64_t> SqlTx::NextTicketNumber() {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("UPDATE counters SET value = value + 1 "
                                             "WHERE name = 'ticket_number' RETURNING value",
                                             {}));
  if (rows.empty()) {
    return MakeError(ErrorCode::kInternal, "store.bad_value", "counter ticket_number missing");
  }
  return rows.Int(0, 0);
}

Result<Ticket> SqlTx::CreateTicket(const Ticket& t) {
  Ticket out = t;
  if (out.number == 0) {
    RD_ASSIGN_OR_RETURN(out.number, NextTicketNumber());
  }
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("INSERT INTO tickets (number, subject, normalized_subject, status, priority, "
                  "customer_id, team_id, channel_id, created_at, updated_at, closed_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {Int(out.number), Text(t.subject), Text(t.normalized_subject),
                   Text(domain::TicketStatusName(t.status)), Text(domain::PriorityName(t.priority)),
                   Int(t.customer_id), OptInt(t.team_id), OptInt(t.channel_id), Int(t.created_at),
                   Int(t.updated_at), OptInt(t.closed_at)}));
  if (rows.empty()) return MakeError(ErrorCode::kInternal, "store.sql", "insert ticket: no id");
  out.id = rows.Int(0, 0);
  return out;
}

Result<Ticket> SqlTx::GetTicket(Id id) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_TICKET_COLUMNS "WHERE id = ?", {Int(id)}));
  RD_ASSIGN_OR_RETURN(auto found, First(ReadTickets(rows)));
  if (!found) return NotFound("ticket", id);
  return std::move(*found);
}

Result<std::optional<Ticket>> SqlTx::FindTicketByNumber(int64_t number) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_TICKET_COLUMNS "WHERE number = ?", {Int(number)}));
  return First(ReadTickets(rows));
}

Result<std::vector<Ticket>> SqlTx::ListTickets(const TicketFilter& f) {
  std::vector<SqlParam> params;
  const char* sql = RD_TICKET_COLUMNS "ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?";
  if (f.status && f.customer_id) {
    sql = RD_TICKET_COLUMNS
        "WHERE status = ? AND customer_id = ? "
        "ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?";
  } else if (f.status) {
    sql = RD_TICKET_COLUMNS "WHERE status = ? ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?";
  } else if (f.customer_id) {
    sql = RD_TICKET_COLUMNS
        "WHERE customer_id = ? "
        "ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?";
  }
  if (f.status) params.push_back(Text(domain::TicketStatusName(*f.status)));
  if (f.customer_id) params.push_back(Int(*f.customer_id));
  params.push_back(Int(f.limit));
  params.push_back(Int(f.offset));
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(sql, params));
  return ReadTickets(rows);
}

Result<std::optional<Ticket>> SqlTx::FindRecentOpenTicket(Id customer_id,
                                                          const std::string& normalized_subject,
                                                          UnixSeconds since) {
  RD_ASSIGN_OR_RETURN(
      Rows rows, conn_.Query(RD_TICKET_COLUMNS
                             "WHERE customer_id = ? AND normalized_subject = ? AND status <> ? "
                             "AND updated_at >= ? ORDER BY updated_at DESC, id DESC LIMIT 1",
                             {Int(customer_id), Text(normalized_subject),
                              Text(domain::TicketStatusName(TicketStatus::kClosed)), Int(since)}));
  return First(ReadTickets(rows));
}

Status SqlTx::TouchTicket(Id id, UnixSeconds updated_at, std::optional<TicketStatus> status) {
  Result<Rows> rows =
      status ? conn_.Query(
                   "UPDATE tickets SET updated_at = ?, status = ?, closed_at = ? "
                   "WHERE id = ?",
                   {Int(updated_at), Text(domain::TicketStatusName(*status)),
                    *status == TicketStatus::kClosed ? Int(updated_at) : Null(), Int(id)})
             : conn_.Query("UPDATE tickets SET updated_at = ? WHERE id = ?",
                           {Int(updated_at), Int(id)});
  if (!rows.ok()) return rows.error();
  if (rows->affected() == 0) return NotFound("ticket", id);
  return util::OkStatus();
}

// --- articles and attachments ------------------------------------------------

Result<Article> SqlTx::CreateArticle(const Article& a) {
  const std::string flags = JoinLines(a.flags);
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("INSERT INTO articles (ticket_id, kind, direction, customer_id, sender_name, "
                  "sender_address, to_addresses, cc_addresses, subject, message_id, in_reply_to, "
                  "body_text, body_html_sha256, inbound_id, flags, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {Int(a.ticket_id), Text(domain::ArticleKindName(a.kind)),
                   Text(domain::DirectionName(a.direction)), OptInt(a.customer_id),
                   Text(a.sender_name), Text(a.sender_address), Text(a.to), Text(a.cc),
                   Text(a.subject), Text(a.message_id), Text(a.in_reply_to), Text(a.body_text),
                   a.body_html_sha256 ? Text(*a.body_html_sha256) : Null(), OptInt(a.inbound_id),
                   Text(flags), Int(a.created_at)}));
  if (rows.empty()) return MakeError(ErrorCode::kInternal, "store.sql", "insert article: no id");
  Article out = a;
  out.id = rows.Int(0, 0);
  return out;
}

Result<std::vector<Article>> SqlTx::ListArticles(Id ticket_id) {
  RD_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query("SELECT " RD_ARTICLE_COLUMNS " FROM articles WHERE "
                                  "ticket_id = ? ORDER BY created_at, COALESCE(inbound_id, 0), id",
                                  {Int(ticket_id)}));
  return ReadArticles(rows);
}

Result<std::vector<Article>> SqlTx::ReadArticles(Rows& rows) {
  std::vector<Article> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    Article& a = out[r];
    a.id = rows.Int(r, 0);
    a.ticket_id = rows.Int(r, 1);
    const std::string kind = rows.Text(r, 2);
    auto k = ParseStoredName(kind, kArticleKinds, &domain::ArticleKindName);
    if (!k) return BadValue("article.kind", kind);
    a.kind = *k;
    const std::string direction = rows.Text(r, 3);
    auto d = ParseStoredName(direction, kDirections, &domain::DirectionName);
    if (!d) return BadValue("article.direction", direction);
    a.direction = *d;
    a.customer_id = rows.OptInt(r, 4);
    a.sender_name = rows.TakeText(r, 5);
    a.sender_address = rows.TakeText(r, 6);
    a.to = rows.TakeText(r, 7);
    a.cc = rows.TakeText(r, 8);
    a.subject = rows.TakeText(r, 9);
    a.message_id = rows.TakeText(r, 10);
    a.in_reply_to = rows.TakeText(r, 11);
    a.body_text = rows.TakeText(r, 12);
    if (!rows.IsNull(r, 13)) a.body_html_sha256 = rows.TakeText(r, 13);
    a.inbound_id = rows.OptInt(r, 14);
    a.flags = SplitLines(rows.Text(r, 15));
    a.created_at = rows.Int(r, 16);
  }
  return out;
}

Result<Attachment> SqlTx::AddAttachment(const Attachment& a) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("INSERT INTO attachments (article_id, filename, content_type, size, sha256, "
                  "content_id, inline_part) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {Int(a.article_id), Text(a.filename), Text(a.content_type), Int(a.size),
                   Text(a.sha256), Text(a.content_id), Int(a.inline_part ? 1 : 0)}));
  if (rows.empty()) return MakeError(ErrorCode::kInternal, "store.sql", "insert attachment: no id");
  Attachment out = a;
  out.id = rows.Int(0, 0);
  return out;
}

Result<std::vector<Attachment>> SqlTx::ListAttachments(Id article_id) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT id, article_id, filename, content_type, "
                                             "size, sha256, content_id, inline_part FROM "
                                             "attachments WHERE article_id = ? ORDER BY id",
                                             {Int(article_id)}));
  std::vector<Attachment> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    out[r] =
        Attachment{rows.Int(r, 0), rows.Int(r, 1),      rows.TakeText(r, 2), rows.TakeText(r, 3),
                   rows.Int(r, 4), rows.TakeText(r, 5), rows.TakeText(r, 6), rows.Int(r, 7) != 0};
  }
  return out;
}

}  // namespace replydesk::store
