// Content-addressed blobs (SHA-256, stored once): raw messages, attachments,
// HTML bodies. Files under a folder ("ab/cdef...") by default, or rows of the
// blobs table on PostgreSQL when no folder is configured.
#pragma once

#include <string>
#include <string_view>

#include "util/durable_file.h"
#include "util/result.h"

namespace replydesk::store {

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
  // kNotFound "blob.not_found".
  virtual util::Result<std::string> Get(const std::string& sha256) = 0;
  // Makes every kDeferred Put durable.
  virtual util::Status Flush() = 0;
};

}  // namespace replydesk::store
