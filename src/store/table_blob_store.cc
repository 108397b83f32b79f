// TableBlobStore: content-addressed rows, INSERT ... ON CONFLICT DO NOTHING.
#include "store/table_blob_store.h"

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

util::Result<std::string> TableBlobStore::Get(const std::string& sha256) {
  RD_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query("SELECT data FROM blobs WHERE sha256 = ?", {Text(sha256)}));
  if (rows.empty()) return MakeError(ErrorCode::kNotFound, "blob.not_found", sha256);
  return rows.TakeText(0, 0);
}

}  // namespace replydesk::store
