// SqlTx, part 3: tickets (numbers from a counter row) and their tags.
//
// NextTicketNumber is one UPDATE ... RETURNING on the counters row: the row
// lock (PostgreSQL) or the write lock (SQLite) makes concurrent transactions
// take turns, so no two ever get the same number; a rolled-back transaction
// gives its number back. On PostgreSQL a transaction's further tickets count
// on from its first in memory, and BeforeCommit writes the last one taken.
#include <algorithm>

#include "store/sql_tx.h"

namespace replydesk::store {

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

#define RD_TICKET_COLUMNS                                                                    \
  "SELECT id, number, subject, normalized_subject, status, priority, customer_id, team_id, " \
  "channel_id, created_at, updated_at, closed_at, assignee_id, language, "                   \
  "first_response_due, resolution_due, first_responded_at FROM tickets "

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
    auto s = domain::ParseByName(status, kStatuses, &domain::TicketStatusName);
    if (!s) return BadValue("ticket.status", status);
    t.status = *s;
    const std::string priority = rows.Text(r, 5);
    auto p = domain::ParseByName(priority, kPriorities, &domain::PriorityName);
    if (!p) return BadValue("ticket.priority", priority);
    t.priority = *p;
    t.customer_id = rows.Int(r, 6);
    t.team_id = rows.OptInt(r, 7);
    t.channel_id = rows.OptInt(r, 8);
    t.created_at = rows.Int(r, 9);
    t.updated_at = rows.Int(r, 10);
    t.closed_at = rows.OptInt(r, 11);
    t.assignee_id = rows.OptInt(r, 12);
    t.language = rows.TakeText(r, 13);
    t.first_response_due = rows.OptInt(r, 14);
    t.resolution_due = rows.OptInt(r, 15);
    t.first_responded_at = rows.OptInt(r, 16);
  }
  return out;
}

Result<int64_t> SqlTx::NextTicketNumber() {
  if (conn_.backend() == Backend::kPostgres && last_ticket_number_) {
    // The counter row is ours until the commit (the first number's UPDATE
    // locked it): the next numbers are counted on here and written once,
    // by BeforeCommit. No statement per ticket.
    return ++*last_ticket_number_;
  }
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("UPDATE counters SET value = value + 1 "
                                             "WHERE name = 'ticket_number' RETURNING value",
                                             {}));
  if (rows.empty()) {
    return MakeError(ErrorCode::kInternal, "store.bad_value", "counter ticket_number missing");
  }
  last_ticket_number_ = written_ticket_number_ = rows.Int(0, 0);
  return *last_ticket_number_;
}

Status SqlTx::BeforeCommit() {
  RD_RETURN_IF_ERROR(FlushMessageIds());
  if (!last_ticket_number_ || !written_ticket_number_ ||
      *last_ticket_number_ == *written_ticket_number_) {
    return util::OkStatus();
  }
  // The row cannot have moved (locked since the first number); checked anyway.
  RD_RETURN_IF_ERROR(
      conn_.Exec("UPDATE counters SET value = ? WHERE name = 'ticket_number' AND value = ?",
                 {Int(*last_ticket_number_), Int(*written_ticket_number_)},
                 MakeError(ErrorCode::kInternal, "store.counter_moved",
                           "the ticket number counter moved inside a transaction")));
  written_ticket_number_ = last_ticket_number_;
  return util::OkStatus();
}

Result<Id> SqlTx::TakeId(const char* table, std::vector<Id>& pool) {
  if (pool.empty()) {
    // A block per question; ids a transaction does not use are gaps, as
    // after any rollback. Never kept past the transaction, so ids of rows
    // written at the same time stay close to their order.
    const int64_t block = std::min<int64_t>(int64_t{8} << std::min(id_blocks_++, 4), 128);
    // The sequence's name looked up once, not per id.
    RD_ASSIGN_OR_RETURN(
        Rows rows,
        conn_.Query(std::string("SELECT nextval(q.s) FROM (SELECT pg_get_serial_sequence('") +
                        table + "', 'id')::regclass AS s) q, generate_series(1, ?)",
                    {Int(block)}));
    for (size_t r = rows.size(); r-- > 0;) pool.push_back(rows.Int(r, 0));
    if (pool.empty())
      return MakeError(ErrorCode::kInternal, "store.sql", std::string("no ids for ") + table);
  }
  const Id id = pool.back();
  pool.pop_back();
  return id;
}

Result<Ticket> SqlTx::CreateTicket(const Ticket& t) {
  Ticket out = t;
  static constexpr char kColumns[] =
      "INSERT INTO tickets (number, subject, normalized_subject, status, priority, "
      "customer_id, team_id, channel_id, created_at, updated_at, closed_at, "
      "assignee_id, language, first_response_due, resolution_due, first_responded_at";
  static constexpr char kValues[] = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
  if (conn_.backend() == Backend::kPostgres) {
    // No round trip per ticket: the id comes from a block taken ahead, the
    // number from the counter row this transaction locked with its first
    // ticket (NextTicketNumber), and the INSERT goes out with the next
    // question.
    RD_ASSIGN_OR_RETURN(out.id, TakeId("tickets", ticket_ids_));
  }
  if (out.number == 0) {
    RD_ASSIGN_OR_RETURN(out.number, NextTicketNumber());
  }
  const SqlParam params[] = {Int(out.number),
                             Text(t.subject),
                             Text(t.normalized_subject),
                             Text(domain::TicketStatusName(t.status)),
                             Text(domain::PriorityName(t.priority)),
                             Int(t.customer_id),
                             OptInt(t.team_id),
                             OptInt(t.channel_id),
                             Int(t.created_at),
                             Int(t.updated_at),
                             OptInt(t.closed_at),
                             OptInt(t.assignee_id),
                             Text(t.language),
                             OptInt(t.first_response_due),
                             OptInt(t.resolution_due),
                             OptInt(t.first_responded_at),
                             Int(out.id)};
  std::span<const SqlParam> all(params);
  if (out.id != 0) {
    static const std::string kWithId = std::string(kColumns) + ", id) VALUES (" + kValues + ", ?)";
    RD_RETURN_IF_ERROR(conn_.Exec(kWithId, all));
  } else {
    static const std::string kReturning =
        std::string(kColumns) + ") VALUES (" + kValues + ") RETURNING id";
    RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kReturning, all.first(all.size() - 1)));
    if (rows.empty()) return MakeError(ErrorCode::kInternal, "store.sql", "insert ticket: no id");
    out.id = rows.Int(0, 0);
  }
  if (read_ahead_) tickets_[out.id] = out;  // every column is written from `out`
  return out;
}

Result<Ticket> SqlTx::GetTicket(Id id) {
  if (read_ahead_) {
    if (auto it = tickets_.find(id); it != tickets_.end()) return it->second;
  }
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_TICKET_COLUMNS "WHERE id = ?", {Int(id)}));
  RD_ASSIGN_OR_RETURN(auto found, First(ReadTickets(rows)));
  if (!found) return NotFound("ticket", id);
  if (read_ahead_) tickets_[id] = *found;
  return std::move(*found);
}

Status SqlTx::ReadTicketsAhead(const std::vector<SqlParam>& ids) {
  std::optional<Error> unreadable;
  RD_RETURN_IF_ERROR(QueryIn(RD_TICKET_COLUMNS "WHERE id IN (", "", ids,
                             [&](Rows& rows, std::span<const SqlParam>) {
                               auto tickets = ReadTickets(rows);
                               if (!tickets.ok()) {
                                 unreadable = tickets.error();
                                 return true;
                               }
                               for (Ticket& t : *tickets) tickets_[t.id] = std::move(t);
                               return false;
                             }));
  if (unreadable) return *unreadable;
  return util::OkStatus();
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
  if (auto it = tickets_.find(id); it != tickets_.end()) {
    it->second.updated_at = updated_at;
    if (status) {
      it->second.status = *status;
      it->second.closed_at =
          *status == TicketStatus::kClosed ? std::optional<UnixSeconds>(updated_at) : std::nullopt;
    }
  }
  if (!status) {
    return conn_.Exec("UPDATE tickets SET updated_at = ? WHERE id = ?", {Int(updated_at), Int(id)},
                      NotFound("ticket", id));
  }
  return conn_.Exec("UPDATE tickets SET updated_at = ?, status = ?, closed_at = ? WHERE id = ?",
                    {Int(updated_at), Text(domain::TicketStatusName(*status)),
                     *status == TicketStatus::kClosed ? Int(updated_at) : Null(), Int(id)},
                    NotFound("ticket", id));
}

Status SqlTx::UpdateTicket(const Ticket& t) {
  tickets_.erase(t.id);  // read again when asked
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(
          "UPDATE tickets SET status = ?, priority = ?, team_id = ?, assignee_id = ?, "
          "language = ?, first_response_due = ?, resolution_due = ?, "
          "first_responded_at = ?, updated_at = ?, closed_at = ? WHERE id = ?",
          {Text(domain::TicketStatusName(t.status)), Text(domain::PriorityName(t.priority)),
           OptInt(t.team_id), OptInt(t.assignee_id), Text(t.language), OptInt(t.first_response_due),
           OptInt(t.resolution_due), OptInt(t.first_responded_at), Int(t.updated_at),
           OptInt(t.closed_at), Int(t.id)}));
  if (rows.affected() == 0) return NotFound("ticket", t.id);
  return util::OkStatus();
}

// --- tags --------------------------------------------------------------------

Status SqlTx::AddTicketTag(Id ticket_id, const std::string& tag) {
  if (tag.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "store.empty_tag", "a tag cannot be empty");
  }
  // INSERT ... SELECT: a missing ticket inserts nothing instead of failing the
  // transaction on the foreign key.
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("INSERT INTO ticket_tags (ticket_id, tag) "
                                             "SELECT id, ? FROM tickets WHERE id = ? "
                                             "ON CONFLICT DO NOTHING",
                                             {Text(tag), Int(ticket_id)}));
  if (rows.affected() > 0) return util::OkStatus();
  RD_ASSIGN_OR_RETURN(Rows ticket,
                      conn_.Query("SELECT 1 FROM tickets WHERE id = ?", {Int(ticket_id)}));
  if (ticket.empty()) return NotFound("ticket", ticket_id);
  return util::OkStatus();  // already tagged
}

Result<std::vector<std::string>> SqlTx::ListTicketTags(Id ticket_id) {
  RD_ASSIGN_OR_RETURN(
      Rows rows, conn_.Query("SELECT tag FROM ticket_tags WHERE ticket_id = ?", {Int(ticket_id)}));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) out.push_back(rows.TakeText(r, 0));
  // Byte order on both backends (a PostgreSQL ORDER BY follows the database's collation).
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace replydesk::store
