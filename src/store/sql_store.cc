// The one Store implementation: places blobs, migrates, and runs Transact
// with retries. Store::Open (picking the backend from the URL) is in
// store_open.cc, so that Store::OpenSqlite links without the PostgreSQL client.
//
// Blob placement: an explicit blob_dir always wins (files). Otherwise blobs
// are rows of the blobs table on both backends: the raw message commits in the
// same transaction as its inbound row, one fsync instead of three (file, folder,
// WAL) — the difference between ~80 and 500+ LMTP messages/s here
// (bench/RESULTS.md) — and a PostgreSQL deployment needs no shared folder.
#include <chrono>
#include <random>
#include <thread>

#include "store/file_blob_store.h"
#include "store/migrations.h"
#include "store/sql_store.h"
#include "store/sql_tx.h"
#include "store/sqlite_connection.h"
#include "store/table_blob_store.h"

namespace replydesk::store {

namespace {

constexpr int kMaxRetries = 5;

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<SqlConnection> conn) : conn_(std::move(conn)) {}

  Status Init(const StoreOptions& options) {
    if (!options.blob_dir.empty()) {
      blobs_ = std::make_unique<FileBlobStore>(options.blob_dir);
    } else {
      blobs_ = std::make_unique<TableBlobStore>(*conn_);
    }
    RD_ASSIGN_OR_RETURN(schema_version_, Migrate(*conn_, options.migrate, options.on_migration));
    return util::OkStatus();
  }

  Backend backend() const override { return conn_->backend(); }
  int SchemaVersion() const override { return schema_version_; }
  BlobStore& blobs() override { return *blobs_; }

  Status Transact(const std::function<Status(Tx&)>& fn) override {
    for (int attempt = 0;; ++attempt) {
      Status st = RunOnce(fn);
      if (st.ok() || !IsRetryable(st.error())) return st;
      if (attempt == kMaxRetries) return st;  // kUnavailable "store.busy"
      Backoff(attempt);
    }
  }

 private:
  Status RunOnce(const std::function<Status(Tx&)>& fn) {
    RD_RETURN_IF_ERROR(conn_->Begin());
    SqlTx tx(*conn_);
    Status st;
    try {
      st = fn(tx);
    } catch (...) {
      conn_->Rollback();  // nothing of a half-run fn may commit
      throw;
    }
    if (st.ok()) st = tx.BeforeCommit();
    if (!st.ok()) {
      conn_->Rollback();
      return st;
    }
    // After Commit returns ok the transaction is durable (see the backends).
    return conn_->Commit();
  }

  // 10, 20, 40, 80, 160 ms, each with up to 100% jitter so two conflicting
  // writers do not retry in lockstep.
  static void Backoff(int attempt) {
    thread_local std::minstd_rand rng(std::random_device{}());
    const int base_ms = 10 << attempt;
    std::uniform_int_distribution<int> jitter(0, base_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(base_ms + jitter(rng)));
  }

  std::unique_ptr<SqlConnection> conn_;
  std::unique_ptr<BlobStore> blobs_;
  int schema_version_ = 0;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqlStore(std::unique_ptr<SqlConnection> conn,
                                            const StoreOptions& options) {
  auto store = std::make_unique<SqlStore>(std::move(conn));
  RD_RETURN_IF_ERROR(store->Init(options));
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> Store::OpenSqlite(const StoreOptions& options) {
  RD_ASSIGN_OR_RETURN(auto conn, SqliteConnection::Open(options.url, options.busy_timeout_ms));
  return OpenSqlStore(std::move(conn), options);
}

}  // namespace replydesk::store
