// Content-addressed blobs (SHA-256, stored once): raw messages, HTML bodies,
// attachments of outgoing mail (an inbound one is read from its raw message). Rows of the blobs
// table by default (SQLite and PostgreSQL), or files under a configured folder ("ab/cdef...").
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "util/durable_file.h"
#include "util/result.h"

namespace replydesk::store {

// A blob whose digest the caller has computed: `sha256` must be
// Sha256Hex(data). `data` must outlive the call it is passed to.
struct HashedBlob {
  std::string sha256;
  std::string_view data;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Stores `data` under its SHA-256 and returns the hex digest. With
  // Sync::kNow the blob is durable when this returns ok; with kDeferred the
  // caller must call Flush() before relying on it (batch import).
  // Storing existing content is a cheap no-op.
  // Errors: kResourceExhausted "fs.no_space", kUnavailable "fs.io"/"store.unavailable".
  virtual util::Result<std::string> Put(std::string_view data,
                                        util::Sync sync = util::Sync::kNow) = 0;
  // Put for a caller that has already hashed `data` (the accept path hashes
  // the raw message for its inbound row): `sha256` must be Sha256Hex(data).
  // Saves hashing the same bytes twice where the store allows it. For bytes
  // that are most likely new (the accept path's raw message).
  virtual util::Status PutHashed(const std::string& sha256, std::string_view data) {
    RD_ASSIGN_OR_RETURN(std::string sha, Put(data));
    if (sha != sha256) {
      return util::MakeError(util::ErrorCode::kInternal, "blob.digest_mismatch", sha256);
    }
    return util::OkStatus();
  }
  // PutHashed for several blobs at once (a batch's raw messages and HTML
  // bodies), durable as PutHashed is. The same digest may appear
  // more than once. The table store sends them in a few multi-row
  // statements instead of one statement each.
  virtual util::Status PutHashedMany(std::span<const HashedBlob> blobs) {
    for (const HashedBlob& b : blobs) RD_RETURN_IF_ERROR(PutHashed(b.sha256, b.data));
    return util::OkStatus();
  }
  // kNotFound "blob.not_found".
  virtual util::Result<std::string> Get(const std::string& sha256) = 0;
  // Makes every kDeferred Put durable.
  virtual util::Status Flush() = 0;
  // True when blobs are rows of the database: Put then joins the caller's
  // open transaction and is durable with its COMMIT, so callers store blobs
  // inside Store::Transact (one fsync for blob and rows together). False for
  // files: callers write them before the transaction that references them.
  virtual bool InDatabase() const { return false; }
};

}  // namespace replydesk::store
