// SqlTx, part 4: the Message-ID index used for threading (with notmuch-style
// ghosts: ids referenced before the message itself arrives), and Nested.
#include <array>

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

const std::string& LookupSql(size_t shape) {
  static const std::array<std::string, kShapes> kSql = [] {
    std::array<std::string, kShapes> sql;
    for (size_t s = 0; s < kShapes; ++s) {
      std::string q = "SELECT message_id, ticket_id FROM message_ids WHERE message_id IN (?";
      for (size_t i = 1; i < (size_t{1} << s); ++i) q += ", ?";
      sql[s] = q + ")";
    }
    return sql;
  }();
  return kSql[shape];
}

}  // namespace

Status SqlTx::Nested(const std::function<Status(Tx&)>& fn) {
  RD_RETURN_IF_ERROR(conn_.Savepoint());
  Status st;
  try {
    st = fn(*this);
  } catch (...) {
    conn_.RollbackToSavepoint();
    throw;
  }
  if (st.ok()) st = conn_.ReleaseSavepoint();
  if (!st.ok()) conn_.RollbackToSavepoint();
  return st;
}

Result<std::optional<Id>> SqlTx::FindTicketByMessageIds(
    const std::vector<std::string>& message_ids) {
  std::vector<const std::string*> ids;
  ids.reserve(message_ids.size());
  for (const std::string& id : message_ids) {
    if (!id.empty()) ids.push_back(&id);
  }
  std::vector<SqlParam> params;
  for (size_t begin = 0; begin < ids.size(); begin += kMaxChunk) {
    const size_t n = std::min(kMaxChunk, ids.size() - begin);
    size_t shape = 0;
    while ((size_t{1} << shape) < n) ++shape;
    params.clear();
    for (size_t i = 0; i < (size_t{1} << shape); ++i) {
      params.push_back(Text(*ids[begin + std::min(i, n - 1)]));
    }
    RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(LookupSql(shape), params));
    if (rows.empty()) continue;
    // The first id of the caller's order that is known wins.
    for (size_t i = 0; i < n; ++i) {
      for (size_t r = 0; r < rows.size(); ++r) {
        if (rows.Text(r, 0) == *ids[begin + i]) return std::optional<Id>(rows.Int(r, 1));
      }
    }
  }
  return std::optional<Id>();
}

Status SqlTx::RecordMessageId(const std::string& message_id, Id ticket_id,
                              std::optional<Id> article_id) {
  if (message_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "store.empty_message_id",
                     "RecordMessageId needs a Message-ID");
  }
  // New id: inserted. Known ghost: gains its article (its ticket is kept, the
  // thread it was referenced from). Known real id: untouched.
  RD_RETURN_IF_ERROR(
      conn_.Query("INSERT INTO message_ids (message_id, ticket_id, article_id) VALUES (?, ?, ?) "
                  "ON CONFLICT (message_id) DO UPDATE SET article_id = excluded.article_id "
                  "WHERE message_ids.article_id IS NULL AND excluded.article_id IS NOT NULL",
                  {Text(message_id), Int(ticket_id), OptInt(article_id)}));
  return util::OkStatus();
}

}  // namespace replydesk::store
