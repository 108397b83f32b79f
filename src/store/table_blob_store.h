// Blobs as rows of the blobs table (PostgreSQL without a blob folder). Runs on
// the store's own connection: inside the current transaction when one is open
// (the blob commits or rolls back with it), otherwise as its own autocommitted
// statement. Not thread-safe (the connection is not).
#pragma once

#include <string>

#include "store/blob_store.h"
#include "store/sql_connection.h"

namespace replydesk::store {

class TableBlobStore final : public BlobStore {
 public:
  // Put looks for a blob of this size or more before sending it.
  static constexpr size_t kLookFirstBytes = 64 * 1024;
  // PutHashedMany: rows and bytes per INSERT statement at most (a single
  // larger blob goes alone).
  static constexpr size_t kRowsPerInsert = 32;
  static constexpr size_t kBytesPerInsert = 8 * 1024 * 1024;
  explicit TableBlobStore(SqlConnection& conn) : conn_(conn) {}

  // Durable when the statement commits: at return outside a transaction, at
  // COMMIT inside one. `sync` changes nothing here.
  util::Result<std::string> Put(std::string_view data, util::Sync sync) override;
  util::Status PutHashed(const std::string& sha256, std::string_view data) override;
  util::Status PutHashedMany(std::span<const HashedBlob> blobs) override;
  util::Result<std::string> Get(const std::string& sha256) override;  // "blob.not_found"
  util::Status Flush() override { return util::OkStatus(); }
  bool InDatabase() const override { return true; }

 private:
  SqlConnection& conn_;
};

}  // namespace replydesk::store
