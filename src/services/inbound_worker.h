// Runs the processing jobs of accepted messages in batches: claim jobs, read
// and parse the raw messages and store their blobs outside any transaction,
// then process the batch in one transaction with a savepoint per message so
// one bad message never holds back the others. A message whose processing
// fails is marked failed with its error, retried with backoff and finally
// parked — never dropped (`replydesk inbound list/retry`).
//
// Thread safety: one InboundWorker per thread, each with its own Store.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "mail/mime_parser.h"
#include "services/automation.h"
#include "services/ingest_settings.h"
#include "services/message_processor.h"
#include "services/raw_message_cache.h"
#include "store/store.h"
#include "util/clock.h"

namespace replydesk::services {

struct BatchResult {
  int claimed = 0;
  int processed = 0;
  int failed = 0;
  int new_tickets = 0;
};

// One claimed job, prepared outside any transaction (InboundWorker::ClaimAndPrepare).
struct PreparedJob {
  store::Job job;
  std::optional<PreparedMessage> msg;  // nullopt: nothing to do (already processed or gone)
  std::string error;                   // preparation failed: recorded as a processing failure
  bool deferred = false;               // given back to wait for its request (DeferEarlyReplies)
};

class InboundWorker {
 public:
  // How long a reply waits for its own request accepted after it (DeferEarlyReplies).
  static constexpr int64_t kWaitForRequestSeconds = 60;
  // How long a reply answering only unknown messages waits for them to arrive.
  static constexpr int64_t kGraceSeconds = 2;

  // With `outbound` set, triggers run after each message (acknowledgements
  // and other actions are queued in the same transaction); without, none do.
  InboundWorker(store::Store& store, const util::Clock& clock, IngestSettings settings,
                std::string name, std::optional<OutboundSettings> outbound = std::nullopt);

  // Claims up to `batch` ready jobs and processes them. claimed == 0 means the
  // queue had nothing ready. Errors: the store's (jobs stay leased and are
  // picked up again after the lease).
  util::Result<BatchResult> RunBatch(int batch);

  // RunBatch in two halves, so that one thread can parse the next batch while
  // another commits this one (import). ClaimAndPrepare claims up to `batch`
  // jobs and prepares them (empty: nothing ready); Complete processes them in
  // one transaction. Complete may run on another worker (its own store and
  // thread) than the one that prepared the batch; batches must be completed
  // in the order they were claimed, so that threading sees the mail in order.
  util::Result<std::vector<PreparedJob>> ClaimAndPrepare(int batch);
  util::Result<BatchResult> Complete(std::vector<PreparedJob>& items);

  // Runs batches until no job is ready; returns the totals.
  util::Result<BatchResult> Drain(int batch = 200);

  // Takes raw messages from `cache` when it holds them (by raw SHA-256) and
  // reads the store otherwise. The cache must outlive the worker; null: none.
  void UseRawCache(RawMessageCache* cache) { raw_cache_ = cache; }

 private:
  using Item = PreparedJob;
  util::Status Prepare(Item& item);
  // In the processing transaction, before the batch: a reply whose own
  // request was accepted after it (concurrent deliveries) and is still queued
  // waits for it: its job is given back, ready again in a second, and the
  // item is marked deferred (still counted as claimed); by then the request
  // (claimed first: jobs go by run_at, then id) has been processed. Only for
  // mail received within kWaitForRequestSeconds, so a request stuck in the
  // queue holds none back. A reply none of whose parents is known yet waits
  // kGraceSeconds for them (its request may still be in the accept). Live
  // deliveries (LMTP, pipe) only. No transaction of its own.
  util::Status DeferEarlyReplies(store::Tx& tx, std::vector<Item>& items);
  // The raw bytes: from the cache when it has them, else from the store.
  util::Result<std::string> ReadRaw(const std::string& sha256);
  util::Status Finish(store::Tx& tx, Item& item, BatchResult* result);
  // With blobs in the database: stores the HTML body and attachments inside
  // the processing transaction.
  util::Status StoreBlobs(PreparedMessage& msg);

  store::Store& store_;
  const util::Clock& clock_;
  IngestSettings settings_;
  std::string name_;
  mail::MimeParser parser_;
  MessageProcessor processor_;
  std::unique_ptr<Automation> automation_;  // null: no triggers
  RawMessageCache* raw_cache_ = nullptr;
};

}  // namespace replydesk::services
