// The accept path shared by every inbound route (LMTP, `ingest`, `import`,
// mailbox pollers): make the raw bytes durable, commit the inbound row and its
// processing job, and only then report success. Processing runs later as a job
// (InboundWorker). Postfix's cleanup/qmgr split, notmuch's insert.
//
// Guarantee: when Accept returns ok, the message survives a crash and will be
// processed; when it returns an error, nothing the caller can see was stored
// (an orphan blob may remain and is harmless: content-addressed).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "services/ingest_settings.h"
#include "store/store.h"
#include "util/clock.h"

namespace replydesk::services {

struct AcceptRequest {
  std::string raw;
  std::string source;  // "lmtp", "pipe", "import", "imap", "pop3"
  std::string envelope_from;
  std::vector<std::string> recipients;  // envelope recipients or the channel asked for
  // Mailbox polling: the mailbox's channel, used when no receiving address
  // (Delivered-To, X-Original-To, To, Cc) names a channel.
  std::optional<domain::Id> default_channel_id;
};

struct AcceptResult {
  domain::Id inbound_id = 0;
  bool duplicate = false;  // same bytes, or same Message-ID from the same sender
  std::string raw_sha256;  // of the bytes accepted (of this request, also for a duplicate)
};

class InboundService {
 public:
  InboundService(store::Store& store, const util::Clock& clock, IngestSettings settings);

  // Errors: kResourceExhausted "inbound.too_large" (refuse permanently),
  // kResourceExhausted "fs.no_space" and kUnavailable (retry later).
  // sync = kDeferred is for batch import: the caller must call
  // store.blobs().Flush() before the commit of the batch becomes meaningful,
  // which AcceptBatch does.
  util::Result<AcceptResult> Accept(const AcceptRequest& req);

  // Accepts several messages with one filesystem sync and one transaction
  // (import). Results are in request order; on error none of the batch is
  // committed.
  util::Result<std::vector<AcceptResult>> AcceptBatch(const std::vector<AcceptRequest>& reqs);

  // The two halves of AcceptBatch for a caller that processes in the same
  // transaction (InboundWorker::AcceptAndComplete, import): PrepareRow checks
  // the size and hashes (with blob files: writes the raw file, deferred sync:
  // store.blobs().Flush() before the commit); CommitRow inserts the row and,
  // with blobs in the database, the raw blob (unless the caller stored it
  // already), and a processing job when asked.
  util::Result<store::NewInbound> PrepareRow(const AcceptRequest& req) {
    return Prepare(req, util::Sync::kDeferred);
  }
  util::Status CommitRow(store::Tx& tx, const store::NewInbound& row, std::string_view raw,
                         bool queue_job, AcceptResult* out, bool raw_stored = false);

  // Puts a failed or stuck message back in the queue (`inbound retry ID`).
  util::Status Retry(domain::Id inbound_id);

  static constexpr const char* kProcessJob = "process_inbound";

 private:
  util::Result<store::NewInbound> Prepare(const AcceptRequest& req, util::Sync sync);

  store::Store& store_;
  const util::Clock& clock_;
  IngestSettings settings_;
};

}  // namespace replydesk::services
