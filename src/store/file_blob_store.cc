// FileBlobStore: content-addressed files, durable per util/durable_file.h.
#include "store/file_blob_store.h"

#include "util/durable_file.h"
#include "util/sha256.h"

namespace replydesk::store {

using util::ErrorCode;
using util::MakeError;

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

util::Result<std::string> FileBlobStore::Put(std::string_view data, util::Sync sync) {
  std::string sha = util::Sha256Hex(data);
  const std::string folder = dir_ + "/" + sha.substr(0, 2);
  // MakeDirs fsyncs the parent of every folder it creates, so the fan-out
  // folder itself is durable before the blob's entry in it is.
  RD_RETURN_IF_ERROR(util::MakeDirs(folder));
  RD_RETURN_IF_ERROR(util::WriteFileDurably(folder, sha, data, sync));
  // kNow: after WriteFileDurably the bytes and the name survive a crash.
  if (sync == util::Sync::kDeferred) pending_ = true;
  return sha;
}

util::Result<std::string> FileBlobStore::Get(const std::string& sha256) {
  if (!IsSha256Hex(sha256)) {
    return MakeError(ErrorCode::kInvalidArgument, "blob.bad_name", "not a SHA-256: " + sha256);
  }
  util::Result<std::string> data = util::ReadFile(dir_ + "/" + sha256.substr(0, 2) + "/" + sha256);
  if (!data.ok() && data.error().code == ErrorCode::kNotFound) {
    return MakeError(ErrorCode::kNotFound, "blob.not_found", sha256);
  }
  return data;
}

util::Status FileBlobStore::Flush() {
  if (!pending_.exchange(false)) return util::OkStatus();
  util::Status st = util::SyncFilesystem(dir_);
  // After syncfs every deferred blob (data and folder entries) is durable.
  if (!st.ok()) pending_ = true;
  return st;
}

}  // namespace replydesk::store
