// TableBlobStore: content-addressed rows, INSERT ... ON CONFLICT DO NOTHING.
#include "store/table_blob_store.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "util/sha256.h"

namespace replydesk::store {

using util::ErrorCode;
using util::MakeError;

util::Result<std::string> TableBlobStore::Put(std::string_view data, util::Sync /*sync*/) {
  std::string sha = util::Sha256Hex(data);
  // A large blob is looked for first: attachments repeat (the same PDF
  // forwarded again), and re-sending megabytes only to have them ignored is
  // the waste this avoids. A small one is sent at once: the look-up would cost
  // a round trip, the insert (queued in PostgreSQL's pipeline) none. ON
  // CONFLICT covers a concurrent writer of the same blob.
  if (data.size() >= kLookFirstBytes) {
    RD_ASSIGN_OR_RETURN(Rows found,
                        conn_.Query("SELECT 1 FROM blobs WHERE sha256 = ?", {Text(sha)}));
    if (!found.empty()) return sha;
  }
  RD_RETURN_IF_ERROR(PutHashed(sha, data));
  return sha;
}

util::Status TableBlobStore::PutHashed(const std::string& sha, std::string_view data) {
  // No look first (Put does): the accept path calls this right after
  // inserting a new inbound row for these bytes, so the blob is new but for
  // an attachment with exactly the same bytes, which ON CONFLICT covers. One
  // statement, one round trip on PostgreSQL, less per accepted message.
  return conn_.Exec(
      "INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      {Text(sha), Int(static_cast<int64_t>(data.size())), Blob(data)});
}

util::Status TableBlobStore::PutHashedMany(std::span<const HashedBlob> blobs) {
  // Each digest once. The large ones are looked for first, as Put does, all
  // in one query: re-importing a folder sends no attachment or big message
  // again.
  std::vector<const HashedBlob*> todo;
  std::unordered_set<std::string_view> seen;
  std::vector<SqlParam> large;
  for (const HashedBlob& b : blobs) {
    if (!seen.insert(b.sha256).second) continue;
    todo.push_back(&b);
    if (b.data.size() >= kLookFirstBytes) large.push_back(Text(b.sha256));
  }
  if (!large.empty()) {
    std::string sql = "SELECT sha256 FROM blobs WHERE sha256 IN (?";
    for (size_t i = 1; i < large.size(); ++i) sql += ", ?";
    sql += ")";
    RD_ASSIGN_OR_RETURN(Rows found, conn_.QueryPlannedEachTime(sql, large));
    std::unordered_set<std::string> stored;
    for (size_t r = 0; r < found.size(); ++r) stored.insert(found.Text(r, 0));
    std::erase_if(todo, [&](const HashedBlob* b) { return stored.contains(b->sha256); });
  }
  // Then a few rows per statement: on PostgreSQL each statement costs the
  // server as much as a small row (portal, executor start and end).
  std::vector<SqlParam> params;
  std::string sql;
  size_t bytes = 0;
  auto send = [&]() -> util::Status {
    if (params.empty()) return util::OkStatus();
    sql = "INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?)";
    for (size_t i = 3; i < params.size(); i += 3) sql += ", (?, ?, ?)";
    sql += " ON CONFLICT DO NOTHING";
    util::Status st = conn_.Exec(sql, params);
    params.clear();
    bytes = 0;
    return st;
  };
  for (const HashedBlob* b : todo) {
    if (params.size() / 3 == kRowsPerInsert ||
        (bytes > 0 && bytes + b->data.size() > kBytesPerInsert)) {
      RD_RETURN_IF_ERROR(send());
    }
    params.push_back(Text(b->sha256));
    params.push_back(Int(static_cast<int64_t>(b->data.size())));
    params.push_back(Blob(b->data));
    bytes += b->data.size();
  }
  return send();
}

util::Result<std::string> TableBlobStore::Get(const std::string& sha256) {
  RD_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query("SELECT data FROM blobs WHERE sha256 = ?", {Text(sha256)}));
  if (rows.empty()) return MakeError(ErrorCode::kNotFound, "blob.not_found", sha256);
  return rows.TakeText(0, 0);
}

}  // namespace replydesk::store
