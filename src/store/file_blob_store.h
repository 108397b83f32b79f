// Blobs as files: <dir>/<sha[0:2]>/<sha>, written with util::WriteFileDurably
// (temp file, fsync, rename, fsync folder). Content-addressed, so a second Put
// of the same bytes finds the file and does nothing; files are never modified.
// Thread-safe: any number of stores and processes may share one folder.
#pragma once

#include <atomic>
#include <string>

#include "store/blob_store.h"

namespace replydesk::store {

class FileBlobStore final : public BlobStore {
 public:
  explicit FileBlobStore(std::string dir) : dir_(std::move(dir)) {}

  // Sync::kNow: the file and its folder entry are fsynced before returning.
  // Sync::kDeferred: nothing is fsynced until Flush().
  util::Result<std::string> Put(std::string_view data, util::Sync sync) override;
  // kInvalidArgument "blob.bad_name" unless 64 lowercase hex; kNotFound "blob.not_found".
  util::Result<std::string> Get(const std::string& sha256) override;
  // One syncfs() on the blob folder's filesystem, when a deferred Put happened.
  util::Status Flush() override;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::atomic<bool> pending_{false};
};

// True for 64 lowercase hex digits (a blob name; never a path).
bool IsSha256Hex(const std::string& s);

}  // namespace replydesk::store
