// The accept path: see inbound_service.h. Durability is stated at each step.
#include "services/inbound_service.h"

#include "domain/address.h"
#include "mail/header_scan.h"
#include "util/fault.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace replydesk::services {

using util::ErrorCode;
using util::MakeError;

InboundService::InboundService(store::Store& store, const util::Clock& clock,
                               IngestSettings settings)
    : store_(store), clock_(clock), settings_(std::move(settings)) {}

util::Result<store::NewInbound> InboundService::Prepare(const AcceptRequest& req, util::Sync sync) {
  if (req.raw.size() > settings_.max_message_bytes) {
    return MakeError(ErrorCode::kResourceExhausted, "inbound.too_large",
                     "message of " + std::to_string(req.raw.size()) + " bytes over the limit of " +
                         std::to_string(settings_.max_message_bytes));
  }
  store::NewInbound row;
  mail::HeaderScan scan = mail::ScanHeaders(req.raw);
  row.message_id = scan.message_id;
  if (!scan.message_id.empty()) {
    // Second idempotency key: the same Message-ID from the same sender is the
    // same message even when relays changed its bytes (Received lines).
    std::string sender = domain::NormalizeAddress(scan.from_address);
    if (sender.empty()) sender = domain::NormalizeAddress(req.envelope_from);
    row.dedup_key = util::Sha256Hex(util::AsciiLower(scan.message_id) + "\n" + sender);
  }
  if (store_.blobs().InDatabase()) {
    // The blob row is written in the accept transaction itself (Commit).
    row.raw_sha256 = util::Sha256Hex(req.raw);
  } else {
    // After Put returns (kNow): the raw bytes are on disk under their SHA-256.
    RD_ASSIGN_OR_RETURN(row.raw_sha256, store_.blobs().Put(req.raw, sync));
    util::FaultPoint("accept.after_blob");
  }
  row.size = static_cast<int64_t>(req.raw.size());
  row.source = req.source;
  row.envelope_from = req.envelope_from;
  for (const auto& r : req.recipients) {
    std::string n = domain::NormalizeAddress(r);
    if (!n.empty()) row.recipients.push_back(n);
  }
  row.received_at = clock_.Now();
  row.default_channel_id = req.default_channel_id;
  return row;
}

util::Status InboundService::CommitRow(store::Tx& tx, const store::NewInbound& row,
                                       std::string_view raw, bool queue_job, AcceptResult* out,
                                       bool raw_stored) {
  RD_ASSIGN_OR_RETURN(auto inserted, tx.InsertInbound(row));
  out->inbound_id = inserted.id;
  out->duplicate = inserted.duplicate;
  out->raw_sha256 = row.raw_sha256;
  if (!inserted.duplicate) {
    if (store_.blobs().InDatabase() && !raw_stored) {
      // Same transaction as the row: durable together at COMMIT, one fsync.
      RD_RETURN_IF_ERROR(store_.blobs().PutHashed(row.raw_sha256, raw));
      util::FaultPoint("accept.after_blob");
    }
    if (queue_job) {
      RD_RETURN_IF_ERROR(tx.QueueJob(kProcessJob, std::to_string(inserted.id), row.received_at));
    }
  }
  util::FaultPoint("accept.before_commit");
  return util::OkStatus();
}

util::Result<AcceptResult> InboundService::Accept(const AcceptRequest& req) {
  RD_ASSIGN_OR_RETURN(store::NewInbound row, Prepare(req, util::Sync::kNow));
  AcceptResult result;
  // After this commit: the inbound row and its job are durable; only now may
  // the caller answer 250 / exit 0 / delete from the source mailbox.
  RD_RETURN_IF_ERROR(store_.Transact(
      [&](store::Tx& tx) -> util::Status { return CommitRow(tx, row, req.raw, true, &result); }));
  util::FaultPoint("accept.after_commit");
  return result;
}

util::Result<std::vector<AcceptResult>> InboundService::AcceptBatch(
    const std::vector<AcceptRequest>& reqs) {
  std::vector<store::NewInbound> rows;
  rows.reserve(reqs.size());
  for (const auto& req : reqs) {
    RD_ASSIGN_OR_RETURN(store::NewInbound row, Prepare(req, util::Sync::kDeferred));
    rows.push_back(std::move(row));
  }
  // One sync makes every blob of the batch durable before the rows commit.
  RD_RETURN_IF_ERROR(store_.blobs().Flush());
  std::vector<AcceptResult> results(rows.size());
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    for (size_t i = 0; i < rows.size(); ++i) {
      RD_RETURN_IF_ERROR(CommitRow(tx, rows[i], reqs[i].raw, true, &results[i]));
    }
    return util::OkStatus();
  }));
  return results;
}

util::Status InboundService::Retry(domain::Id inbound_id) {
  return store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(domain::Inbound in, tx.GetInbound(inbound_id));
    if (in.state == domain::InboundState::kProcessed ||
        in.state == domain::InboundState::kDuplicate) {
      return MakeError(
          ErrorCode::kInvalidArgument, "inbound.already_processed",
          "inbound " + std::to_string(inbound_id) + " is " + domain::InboundStateName(in.state));
    }
    RD_RETURN_IF_ERROR(tx.SetInboundResult(inbound_id, domain::InboundState::kQueued, in.error,
                                           in.ticket_id, in.article_id));
    return tx.QueueJob(kProcessJob, std::to_string(inbound_id), clock_.Now());
  });
}

}  // namespace replydesk::services
