// SqlTx, part 4: the Message-ID index used for threading (with notmuch-style
// ghosts: ids referenced before the message itself arrives), and Nested.
#include <algorithm>
#include <functional>
#include <string_view>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "store/sql_tx.h"

namespace replydesk::store {

using util::ErrorCode;
using util::MakeError;

namespace {

constexpr size_t kMaxChunk = 64;

}  // namespace

Status SqlTx::QueryIn(std::string_view select, std::string_view suffix,
                      const std::vector<SqlParam>& keys,
                      const std::function<bool(Rows&, std::span<const SqlParam>)>& on_rows) {
  std::vector<SqlParam> params;
  std::string sql;
  for (size_t begin = 0; begin < keys.size(); begin += kMaxChunk) {
    const size_t n = std::min(kMaxChunk, keys.size() - begin);
    size_t padded = 1;
    while (padded < n) padded *= 2;
    params.clear();
    for (size_t i = 0; i < padded; ++i) params.push_back(keys[begin + std::min(i, n - 1)]);
    sql.assign(select);
    sql += "?";
    for (size_t i = 1; i < padded; ++i) sql += ", ?";
    sql += ")";
    sql += suffix;
    RD_ASSIGN_OR_RETURN(Rows rows, conn_.QueryPlannedEachTime(sql, params));
    if (rows.empty()) continue;
    if (on_rows(rows, std::span<const SqlParam>(keys).subspan(begin, n))) break;
  }
  return util::OkStatus();
}

namespace {

std::vector<SqlParam> TextKeys(const std::vector<std::string>& values) {
  std::vector<SqlParam> keys;
  keys.reserve(values.size());
  for (const std::string& v : values) {
    if (!v.empty()) keys.push_back(Text(v));
  }
  return keys;
}

}  // namespace

Status SqlTx::Nested(const std::function<Status(Tx&)>& fn) {
  // Message-IDs recorded before this level are sent before it opens, those
  // recorded at it before it is released: none is undone with the wrong level.
  RD_RETURN_IF_ERROR(FlushMessageIds());
  RD_RETURN_IF_ERROR(conn_.Savepoint());
  // Ticket numbers taken at this level go back with it; those taken before
  // stay taken (and, on PostgreSQL, still to be written).
  const auto numbers = std::pair(last_ticket_number_, written_ticket_number_);
  auto undo = [&] {
    conn_.RollbackToSavepoint();
    DropPendingMessageIds();
    ForgetUndone();
    std::tie(last_ticket_number_, written_ticket_number_) = numbers;
  };
  Status st;
  ++depth_;
  try {
    st = fn(*this);
  } catch (...) {
    --depth_;
    undo();
    throw;
  }
  --depth_;
  if (st.ok()) st = FlushMessageIds();
  if (st.ok()) st = conn_.ReleaseSavepoint();
  if (!st.ok()) undo();
  return st;
}

void SqlTx::ForgetUndone() {
  channels_by_address_.clear();  // it may hold a channel written at the level undone
  customers_by_email_.clear();   // ReadAhead's answers: asked again when needed
  ticket_of_message_id_.clear();
  tickets_.clear();
}

Result<std::optional<Id>> SqlTx::FindTicketByMessageIds(
    const std::vector<std::string>& message_ids) {
  if (read_ahead_) {
    // Answered from memory when every id is known there.
    bool all_known = true;
    std::optional<Id> first;
    for (const std::string& id : message_ids) {
      if (id.empty()) continue;
      auto it = ticket_of_message_id_.find(id);
      if (it == ticket_of_message_id_.end()) {
        all_known = false;
        break;
      }
      if (!first && it->second) first = it->second;
    }
    if (all_known) return first;
  }
  RD_RETURN_IF_ERROR(FlushMessageIds());  // the rows below must see them
  std::optional<Id> found;
  RD_RETURN_IF_ERROR(QueryIn("SELECT message_id, ticket_id FROM message_ids WHERE message_id IN (",
                             "", TextKeys(message_ids),
                             [&](Rows& rows, std::span<const SqlParam> ids) {
                               // The first id of the caller's order that is known wins.
                               for (const SqlParam& id : ids) {
                                 for (size_t r = 0; r < rows.size(); ++r) {
                                   if (rows.Text(r, 0) == id.s) return found = rows.Int(r, 1), true;
                                 }
                               }
                               return false;
                             }));
  return found;
}

namespace {

// The distinct non-empty values not answered in `cache` yet: what ReadAhead
// asks the database for. Recorded as answered ("none" unless found) only
// once the query succeeded (Remember).
template <typename Cache>
std::vector<std::string_view> Unasked(const std::vector<std::string>& values, const Cache& cache) {
  std::vector<std::string_view> out;
  std::unordered_set<std::string_view> seen;
  for (const std::string& v : values) {
    if (!v.empty() && !cache.contains(v) && seen.insert(v).second) out.push_back(v);
  }
  return out;
}

std::vector<SqlParam> TextParams(const std::vector<std::string_view>& keys) {
  std::vector<SqlParam> out;
  out.reserve(keys.size());
  for (std::string_view k : keys) out.push_back(Text(k));
  return out;
}

template <typename Cache>
void Remember(const std::vector<std::string_view>& keys, Cache& cache) {
  for (std::string_view k : keys) cache.try_emplace(std::string(k));  // found, or none
}

}  // namespace

Status SqlTx::ReadAhead(const std::vector<std::string>& email_addresses,
                        const std::vector<std::string>& message_ids) {
  read_ahead_ = true;
  const std::vector<std::string_view> emails = Unasked(email_addresses, customers_by_email_);
  const std::unordered_set<std::string_view> asked(emails.begin(), emails.end());
  std::unordered_map<std::string, std::optional<domain::Customer>> found_customers;
  std::optional<Error> unreadable;
  RD_RETURN_IF_ERROR(QueryIn(
      RD_CUSTOMER_COLUMNS
      "FROM customer_identities i JOIN customers c ON c.id = i.customer_id" RD_CUSTOMER_IDENTITIES
      "WHERE i.kind = 'email' AND i.value IN (",
      RD_CUSTOMER_ORDER, TextParams(emails), [&](Rows& rows, std::span<const SqlParam>) {
        auto customers = ReadCustomers(rows);
        if (!customers.ok()) {
          unreadable = customers.error();
          return true;
        }
        for (const domain::Customer& c : *customers) {
          for (const domain::Identity& identity : c.identities) {
            if (identity.kind == domain::IdentityKind::kEmail && asked.contains(identity.value)) {
              found_customers[identity.value] = c;
            }
          }
        }
        return false;
      }));
  if (unreadable) return *unreadable;
  customers_by_email_.merge(found_customers);
  Remember(emails, customers_by_email_);

  RD_RETURN_IF_ERROR(FlushMessageIds());  // the rows below must see them
  const std::vector<std::string_view> ids = Unasked(message_ids, ticket_of_message_id_);
  std::unordered_map<std::string, std::optional<Id>> found_tickets;
  std::vector<SqlParam> ticket_ids;
  RD_RETURN_IF_ERROR(QueryIn("SELECT message_id, ticket_id FROM message_ids WHERE message_id IN (",
                             "", TextParams(ids), [&](Rows& rows, std::span<const SqlParam>) {
                               for (size_t r = 0; r < rows.size(); ++r) {
                                 const Id ticket = rows.Int(r, 1);
                                 found_tickets[rows.Text(r, 0)] = ticket;
                                 if (!tickets_.contains(ticket)) ticket_ids.push_back(Int(ticket));
                               }
                               return false;
                             }));
  ticket_of_message_id_.merge(found_tickets);
  Remember(ids, ticket_of_message_id_);
  std::sort(ticket_ids.begin(), ticket_ids.end(),
            [](const SqlParam& a, const SqlParam& b) { return a.i < b.i; });
  ticket_ids.erase(std::unique(ticket_ids.begin(), ticket_ids.end(),
                               [](const SqlParam& a, const SqlParam& b) { return a.i == b.i; }),
                   ticket_ids.end());
  return ReadTicketsAhead(ticket_ids);
}

Result<std::vector<std::pair<std::string, Id>>> SqlTx::FindQueuedInbound(
    const std::vector<std::string>& message_ids) {
  std::vector<std::pair<std::string, Id>> out;
  RD_RETURN_IF_ERROR(
      QueryIn("SELECT message_id, id FROM inbound WHERE state = 'queued' AND message_id IN (", "",
              TextKeys(message_ids), [&](Rows& rows, std::span<const SqlParam>) {
                for (size_t r = 0; r < rows.size(); ++r)
                  out.emplace_back(rows.Text(r, 0), rows.Int(r, 1));
                return false;
              }));
  return out;
}

Status SqlTx::RecordMessageId(const std::string& message_id, Id ticket_id,
                              std::optional<Id> article_id) {
  if (message_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "store.empty_message_id",
                     "RecordMessageId needs a Message-ID");
  }
  // New id: inserted. Known ghost: gains its article (its ticket is kept, the
  // thread it was referenced from). Known real id: untouched.
  if (read_ahead_) {
    // Only an id known to be new changes its answer: an id not read ahead
    // may have a row with another ticket, which the statement keeps.
    auto it = ticket_of_message_id_.find(message_id);
    if (it != ticket_of_message_id_.end() && !it->second) it->second = ticket_id;
  }
  // Kept to be sent with others (FlushMessageIds), merged per id as the
  // statement would merge them one after another: the first ticket stays,
  // the first article fills a ghost.
  auto [at, added] = pending_message_id_index_.try_emplace(message_id, pending_message_ids_.size());
  if (added) {
    pending_message_ids_.push_back({message_id, ticket_id, article_id});
  } else if (PendingMessageId& p = pending_message_ids_[at->second]; !p.article_id) {
    p.article_id = article_id;
  }
  if (pending_message_ids_.size() >= kMaxPendingMessageIds) return FlushMessageIds();
  return util::OkStatus();
}

Status SqlTx::FlushMessageIds() {
  // A few rows per statement (no id twice in one: merged above).
  constexpr size_t kRowsPerInsert = 64;
  std::vector<SqlParam> params;
  std::string sql;
  for (size_t begin = 0; begin < pending_message_ids_.size(); begin += kRowsPerInsert) {
    const size_t n = std::min(kRowsPerInsert, pending_message_ids_.size() - begin);
    params.clear();
    sql = "INSERT INTO message_ids (message_id, ticket_id, article_id) VALUES (?, ?, ?)";
    for (size_t i = 0; i < n; ++i) {
      const PendingMessageId& p = pending_message_ids_[begin + i];
      if (i > 0) sql += ", (?, ?, ?)";
      params.push_back(Text(p.message_id));
      params.push_back(Int(p.ticket_id));
      params.push_back(OptInt(p.article_id));
    }
    sql +=
        " ON CONFLICT (message_id) DO UPDATE SET article_id = excluded.article_id "
        "WHERE message_ids.article_id IS NULL AND excluded.article_id IS NOT NULL";
    if (Status st = conn_.Exec(sql, params); !st.ok()) {
      DropPendingMessageIds();
      return st;
    }
  }
  DropPendingMessageIds();
  return util::OkStatus();
}

void SqlTx::DropPendingMessageIds() {
  pending_message_ids_.clear();
  pending_message_id_index_.clear();
}

}  // namespace replydesk::store
