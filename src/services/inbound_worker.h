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
#include "services/inbound_service.h"
#include "services/ingest_settings.h"
#include "services/message_processor.h"
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

// A message not accepted yet, prepared for AcceptAndComplete (import): its
// inbound row to insert, its bytes, and its parse. The results are filled in
// by AcceptAndComplete.
struct NewMessage {
  store::NewInbound row;
  std::string raw;
  PreparedJob item;  // job.id 0: no job; msg->inbound.id set at the accept;
                     // msg->blobs_stored: the raw blob too (PrepareNew)
  AcceptResult accepted;
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

  // Accept and processing in ONE transaction, for a source that keeps the
  // message until we are done (import: the files stay on disk, a rerun skips
  // what was committed as duplicates). No job is queued for a message
  // processed here; one that fails is stored with its error and gets a retry
  // job. PrepareNew hashes and parses the batch (the caller has left out
  // messages over the size limit: one is an error here) and makes blob
  // files durable; AcceptAndComplete (on this or another worker) inserts and
  // processes them, a duplicate only counted (accepted.duplicate).
  util::Result<std::vector<NewMessage>> PrepareNew(InboundService& service,
                                                   std::vector<AcceptRequest> reqs);
  // PostgreSQL with blobs in the database: writes the batch's blob rows (raw,
  // HTML) in a transaction of this worker's connection, so that
  // another server process stores the bytes while AcceptAndComplete's
  // connection writes rows. Elsewhere nothing (StoresBlobsAhead false): the
  // blobs go into the batch's own transaction, or are files already.
  bool StoresBlobsAhead() const;
  util::Status StoreBlobsAhead(std::vector<NewMessage>& messages);
  util::Result<BatchResult> AcceptAndComplete(InboundService& service,
                                              std::vector<NewMessage>& messages);

  // Runs batches until no job is ready; returns the totals.
  util::Result<BatchResult> Drain(int batch = 200);

 private:
  using Item = PreparedJob;
  util::Status Prepare(Item& item);
  // Parses and analyses the raw bytes into item.msg (errors: item.error).
  util::Status Analyse(Item& item, std::string_view raw);
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
  util::Status Finish(store::Tx& tx, Item& item, BatchResult* result);
  // AcceptAndComplete without a savepoint per message and with each inbound
  // row written once, in its final state (no round trip per message on
  // PostgreSQL); any error undoes the whole batch. Carefully: a savepoint
  // per message, so one that fails is stored with its error.
  util::Result<BatchResult> AcceptAndCompleteQuickly(std::vector<NewMessage>& messages);
  util::Result<BatchResult> AcceptAndCompleteCarefully(InboundService& service,
                                                       std::vector<NewMessage>& messages);
  // MessageProcessor::ReadAhead for the items that will be processed.
  util::Status ReadAhead(store::Tx& tx, const std::vector<const Item*>& items);
  // With blobs in the database: stores the HTML body inside the processing
  // transaction (attachments are not stored apart from the raw message).
  util::Status StoreBlobs(PreparedMessage& msg);

  store::Store& store_;
  const util::Clock& clock_;
  IngestSettings settings_;
  std::string name_;
  mail::MimeParser parser_;
  MessageProcessor processor_;
  std::unique_ptr<Automation> automation_;  // null: no triggers
};

}  // namespace replydesk::services
