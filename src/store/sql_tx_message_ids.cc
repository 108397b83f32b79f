// SqlTx, part 4: the Message-ID index used for threading (with notmuch-style
// ghosts: ids referenced before the message itself arrives), and Nested.
#include <array>
#include <functional>

#include "store/sql_tx.h"

namespace replydesk::store {

using util::ErrorCode;
using util::MakeError;

namespace {

// Lookups go in chunks of at most kMaxChunk ids, padded up to a power of two
// (repeating the last id), so a handful of statement shapes serve any
// References: header and the statement cache stays small.
constexpr size_t kMaxChunk = 64;
constexpr size_t kShapes = 7;  // 1, 2, 4, ..., 64

constexpr char kTicketsByMessageId[] =
    "SELECT message_id, ticket_id FROM message_ids WHERE message_id IN (";
constexpr char kQueuedByMessageId[] =
    "SELECT message_id, id FROM inbound WHERE state = 'queued' AND message_id IN (";

template <const char* kSelect>
const std::string& InSql(size_t shape) {
  static const std::array<std::string, kShapes> kSql = [] {
    std::array<std::string, kShapes> sql;
    for (size_t s = 0; s < kShapes; ++s) {
      std::string q = std::string(kSelect) + "?";
      for (size_t i = 1; i < (size_t{1} << s); ++i) q += ", ?";
      sql[s] = q + ")";
    }
    return sql;
  }();
  return kSql[shape];
}

// Runs kSelect for the non-empty `message_ids` in chunks; on_rows gets each
// non-empty result with the chunk's ids and stops the lookup by returning true.
template <const char* kSelect>
Status LookupIn(SqlConnection& conn, const std::vector<std::string>& message_ids,
                const std::function<bool(Rows&, const std::vector<const std::string*>&)>& on_rows) {
  std::vector<const std::string*> ids;
  ids.reserve(message_ids.size());
  for (const std::string& id : message_ids) {
    if (!id.empty()) ids.push_back(&id);
  }
  std::vector<SqlParam> params;
  std::vector<const std::string*> chunk;
  for (size_t begin = 0; begin < ids.size(); begin += kMaxChunk) {
    const size_t n = std::min(kMaxChunk, ids.size() - begin);
    size_t shape = 0;
    while ((size_t{1} << shape) < n) ++shape;
    params.clear();
    for (size_t i = 0; i < (size_t{1} << shape); ++i) {
      params.push_back(Text(*ids[begin + std::min(i, n - 1)]));
    }
    RD_ASSIGN_OR_RETURN(Rows rows, conn.Query(InSql<kSelect>(shape), params));
    if (rows.empty()) continue;
    chunk.assign(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                 ids.begin() + static_cast<std::ptrdiff_t>(begin + n));
    if (on_rows(rows, chunk)) break;
  }
  return util::OkStatus();
}

}  // namespace

Status SqlTx::Nested(const std::function<Status(Tx&)>& fn) {
  RD_RETURN_IF_ERROR(conn_.Savepoint());
  Status st;
  ++depth_;
  try {
    st = fn(*this);
  } catch (...) {
    --depth_;
    conn_.RollbackToSavepoint();
    throw;
  }
  --depth_;
  if (st.ok()) st = conn_.ReleaseSavepoint();
  if (!st.ok()) {
    conn_.RollbackToSavepoint();
    channels_by_address_.clear();  // it may hold a channel written at the level undone
  }
  return st;
}

Result<std::optional<Id>> SqlTx::FindTicketByMessageIds(
    const std::vector<std::string>& message_ids) {
  std::optional<Id> found;
  RD_RETURN_IF_ERROR(LookupIn<kTicketsByMessageId>(
      conn_, message_ids, [&](Rows& rows, const std::vector<const std::string*>& ids) {
        // The first id of the caller's order that is known wins.
        for (const std::string* id : ids) {
          for (size_t r = 0; r < rows.size(); ++r) {
            if (rows.Text(r, 0) == *id) return found = rows.Int(r, 1), true;
          }
        }
        return false;
      }));
  return found;
}

Result<std::vector<std::pair<std::string, Id>>> SqlTx::FindQueuedInbound(
    const std::vector<std::string>& message_ids) {
  std::vector<std::pair<std::string, Id>> out;
  RD_RETURN_IF_ERROR(LookupIn<kQueuedByMessageId>(
      conn_, message_ids, [&](Rows& rows, const std::vector<const std::string*>&) {
        for (size_t r = 0; r < rows.size(); ++r) out.emplace_back(rows.Text(r, 0), rows.Int(r, 1));
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
  return conn_.Exec(
      "INSERT INTO message_ids (message_id, ticket_id, article_id) VALUES (?, ?, ?) "
      "ON CONFLICT (message_id) DO UPDATE SET article_id = excluded.article_id "
      "WHERE message_ids.article_id IS NULL AND excluded.article_id IS NOT NULL",
      {Text(message_id), Int(ticket_id), OptInt(article_id)});
}

}  // namespace replydesk::store
