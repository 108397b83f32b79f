// Batch processing of inbound messages: see inbound_worker.h.
#include "services/inbound_worker.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "mail/language_detect.h"
#include "mail/reply_trimmer.h"
#include "services/inbound_service.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/sha256.h"

namespace replydesk::services {

using domain::InboundState;

namespace {

// Calls fn with every Message-ID `p` answers (In-Reply-To, then References).
template <typename F>
void ForEachParentId(const mail::ParsedMessage& p, F fn) {
  for (const std::string& id : p.in_reply_to) fn(id);
  for (const std::string& id : p.references) fn(id);
}

// Puts each message after those of the batch it answers (In-Reply-To or
// References naming their Message-ID), otherwise keeping the claim order.
// Concurrent deliveries (two pipe processes, two LMTP connections) can
// accept a reply milliseconds before its own request; processed in that
// order, the reply would open the ticket and the request become its second
// article. Across batches: InboundWorker::DeferEarlyReplies.
template <typename T, typename MsgOf>
void ParentsFirst(std::vector<T>& items, MsgOf msg_of) {
  std::unordered_map<std::string_view, size_t> by_id;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::optional<PreparedMessage>& m = msg_of(items[i]);
    if (m && !m->parsed.message_id.empty()) by_id.emplace(m->parsed.message_id, i);
  }
  if (by_id.size() < 2) return;
  // depth = 1 + the deepest parent in the batch; bounded by the batch size
  // (a Message-ID loop in forged headers cannot recurse forever).
  std::vector<size_t> depth(items.size(), 0);
  for (size_t round = 0; round < items.size(); ++round) {
    bool changed = false;
    for (size_t i = 0; i < items.size(); ++i) {
      const std::optional<PreparedMessage>& m = msg_of(items[i]);
      if (!m) continue;
      ForEachParentId(m->parsed, [&](const std::string& id) {
        auto parent = by_id.find(id);
        if (parent == by_id.end() || parent->second == i) return;
        if (depth[parent->second] + 1 > depth[i]) {
          depth[i] = depth[parent->second] + 1;
          changed = true;
        }
      });
    }
    if (!changed) break;
  }
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return depth[a] < depth[b]; });
  std::vector<T> sorted;
  sorted.reserve(items.size());
  for (size_t i : order) sorted.push_back(std::move(items[i]));
  items = std::move(sorted);
}

// The inbound row `row` will be once inserted (id 0 until then), still queued.
domain::Inbound QueuedInbound(const store::NewInbound& row) {
  domain::Inbound in;
  in.raw_sha256 = row.raw_sha256;
  in.size = row.size;
  in.source = row.source;
  in.envelope_from = row.envelope_from;
  in.recipients = row.recipients;
  in.message_id = row.message_id;
  in.dedup_key = row.dedup_key;
  in.received_at = row.received_at;
  in.default_channel_id = row.default_channel_id;
  return in;
}

}  // namespace

InboundWorker::InboundWorker(store::Store& store, const util::Clock& clock, IngestSettings settings,
                             std::string name, std::optional<OutboundSettings> outbound)
    : store_(store),
      clock_(clock),
      settings_(std::move(settings)),
      name_(std::move(name)),
      parser_(settings_.parse_limits),
      processor_(settings_) {
  if (outbound) {
    automation_ = std::make_unique<Automation>(store_, clock_, std::move(*outbound),
                                               domain::TicketTag(settings_.ticket_tag_prefix));
  }
}

util::Status InboundWorker::Prepare(Item& item) {
  if (!item.msg) return util::OkStatus();
  auto raw = store_.blobs().Get(item.msg->inbound.raw_sha256);
  if (!raw.ok()) {
    if (raw.error().code == util::ErrorCode::kUnavailable) return raw.error();
    item.error = raw.error().ToString();
    return util::OkStatus();
  }
  return Analyse(item, *raw);
}

util::Status InboundWorker::Analyse(Item& item, std::string_view raw) {
  PreparedMessage& msg = *item.msg;
  msg.parsed = parser_.Parse(raw);
  // Text analysis outside the transaction: what the customer wrote now, in
  // which language, and whether this is a bounce of our own mail.
  msg.visible_text = mail::TrimReply(msg.parsed.text).visible_text;
  msg.language = mail::DetectLanguage(msg.visible_text);
  if (msg.parsed.auto_submitted) {
    mail::BounceReport report = mail::ParseBounce(raw);
    if (report.is_bounce) msg.bounce = std::move(report);
  }
  // Attachments are not stored apart from the raw message, which holds them
  // already (AttachmentReader decodes one from it again): their digests
  // identify them, and the decoded bytes are freed now.
  msg.attachment_sha256.clear();
  for (auto& att : msg.parsed.attachments) {
    msg.attachment_sha256.push_back(util::Sha256Hex(att.data));
    std::string().swap(att.data);
  }
  // Blobs in the database are written inside the processing transaction (StoreBlobs).
  if (store_.blobs().InDatabase()) return util::OkStatus();
  // Files first (deferred sync, one Flush per batch), rows later: a row never
  // points at a blob that a crash could lose.
  if (!msg.parsed.html.empty()) {
    RD_ASSIGN_OR_RETURN(msg.html_sha256,
                        store_.blobs().Put(msg.parsed.html, util::Sync::kDeferred));
  }
  return util::OkStatus();
}

util::Status InboundWorker::StoreBlobs(PreparedMessage& msg) {
  if (!store_.blobs().InDatabase() || msg.blobs_stored) return util::OkStatus();
  if (!msg.parsed.html.empty()) {
    RD_ASSIGN_OR_RETURN(msg.html_sha256, store_.blobs().Put(msg.parsed.html));
  }
  return util::OkStatus();
}

namespace {

// What an inbound row names once processed: a bounce is recorded on our
// outgoing article and made no article itself.
std::optional<domain::Id> TicketOf(const ProcessOutcome& outcome) {
  if (outcome.ticket_id == 0) return std::nullopt;
  return outcome.ticket_id;
}
std::optional<domain::Id> ArticleOf(const ProcessOutcome& outcome) {
  if (outcome.bounce) return std::nullopt;
  return outcome.article_id;
}
void Count(const ProcessOutcome& outcome, BatchResult* result) {
  ++result->processed;
  if (outcome.new_ticket) ++result->new_tickets;
}

}  // namespace

util::Status InboundWorker::Finish(store::Tx& tx, Item& item, BatchResult* result) {
  if (item.deferred) return util::OkStatus();  // given back already
  const bool has_job = item.job.id != 0;       // AcceptAndComplete: none
  if (!item.msg) return has_job ? tx.CompleteJob(item.job.id) : util::OkStatus();
  const domain::Id inbound_id = item.msg->inbound.id;
  const util::UnixSeconds now = clock_.Now();
  ProcessOutcome outcome;
  util::Status st = item.error.empty()
                        ? tx.Nested([&](store::Tx& inner) -> util::Status {
                            RD_RETURN_IF_ERROR(StoreBlobs(*item.msg));
                            RD_ASSIGN_OR_RETURN(outcome, processor_.Process(inner, *item.msg, now));
                            if (automation_) {
                              RD_RETURN_IF_ERROR(automation_->OnInbound(inner, *item.msg, outcome));
                            }
                            return util::OkStatus();
                          })
                        : util::Status(util::MakeError(util::ErrorCode::kInternal,
                                                       "inbound.unreadable", item.error));
  if (st.ok()) {
    Count(outcome, result);
    RD_RETURN_IF_ERROR(tx.SetInboundResult(inbound_id, InboundState::kProcessed, "",
                                           TicketOf(outcome), ArticleOf(outcome)));
    return has_job ? tx.CompleteJob(item.job.id) : util::OkStatus();
  }
  // Kept and visible with its error; retried with exponential backoff, then parked.
  ++result->failed;
  const std::string error = st.error().ToString();
  spdlog::warn("inbound#{} processing failed (attempt {}): {}", inbound_id, item.job.attempts + 1,
               error);
  RD_RETURN_IF_ERROR(
      tx.SetInboundResult(inbound_id, InboundState::kFailed, error, std::nullopt, std::nullopt));
  std::optional<util::UnixSeconds> retry_at;
  if (item.job.attempts + 1 < settings_.max_attempts) {
    retry_at = now + (int64_t{settings_.retry_base_seconds} << std::min(item.job.attempts, 16));
  }
  if (!has_job) {  // parked when out of attempts: no job, `inbound retry` queues one
    if (!retry_at) return util::OkStatus();
    return tx.QueueJob(InboundService::kProcessJob, std::to_string(inbound_id), *retry_at);
  }
  return tx.FailJob(item.job.id, error, retry_at);
}

util::Result<BatchResult> InboundWorker::RunBatch(int batch) {
  RD_ASSIGN_OR_RETURN(std::vector<Item> items, ClaimAndPrepare(batch));
  return Complete(items);
}

util::Result<std::vector<PreparedJob>> InboundWorker::ClaimAndPrepare(int batch) {
  std::vector<Item> items;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    items.clear();
    RD_ASSIGN_OR_RETURN(auto jobs, tx.ClaimJobs(name_, {InboundService::kProcessJob}, clock_.Now(),
                                                settings_.job_lease_seconds, batch));
    for (auto& job : jobs) {
      Item item{std::move(job), std::nullopt, ""};
      auto inbound = tx.GetInbound(std::strtoll(item.job.payload.c_str(), nullptr, 10));
      if (inbound.ok() && inbound->state != InboundState::kProcessed &&
          inbound->state != InboundState::kDuplicate) {
        item.msg = PreparedMessage{std::move(inbound).value(), {}, std::nullopt, {}};
      } else if (!inbound.ok() && inbound.error().code != util::ErrorCode::kNotFound) {
        return inbound.error();
      }
      items.push_back(std::move(item));
    }
    return util::OkStatus();
  }));
  for (Item& item : items) RD_RETURN_IF_ERROR(Prepare(item));
  ParentsFirst(items,
               [](const Item& item) -> const std::optional<PreparedMessage>& { return item.msg; });
  // Blob files of the batch are durable before Complete commits rows naming them.
  if (!items.empty()) RD_RETURN_IF_ERROR(store_.blobs().Flush());
  return items;
}

util::Status InboundWorker::DeferEarlyReplies(store::Tx& tx, std::vector<Item>& items) {
  const util::UnixSeconds now = clock_.Now();
  std::unordered_set<std::string_view> in_batch;
  for (Item& item : items) {
    item.deferred = false;  // Transact may run the batch again
    if (item.msg) in_batch.insert(item.msg->parsed.message_id);
  }
  // Live deliveries only: an import or a mailbox poll hands over in order.
  // Each candidate's parents outside the batch are refs[begin, end).
  struct Candidate {
    size_t item, begin, end;
  };
  std::vector<Candidate> candidates;
  std::vector<std::string> refs;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].msg) continue;
    const domain::Inbound& in = items[i].msg->inbound;
    if ((in.source != "lmtp" && in.source != "pipe") ||
        now - in.received_at > kWaitForRequestSeconds)
      continue;
    const size_t begin = refs.size();
    ForEachParentId(items[i].msg->parsed, [&](const std::string& id) {
      if (!in_batch.contains(id)) refs.push_back(id);
    });
    if (refs.size() > begin) candidates.push_back({i, begin, refs.size()});
  }
  if (candidates.empty()) return util::OkStatus();
  RD_ASSIGN_OR_RETURN(auto queued, tx.FindQueuedInbound(refs));
  std::unordered_map<std::string_view, domain::Id> later;
  for (const auto& [message_id, id] : queued) later.emplace(message_id, id);
  for (const Candidate& c : candidates) {
    Item& item = items[c.item];
    const domain::Inbound& in = item.msg->inbound;
    const std::vector<std::string> parents(refs.begin() + static_cast<std::ptrdiff_t>(c.begin),
                                           refs.begin() + static_cast<std::ptrdiff_t>(c.end));
    for (const std::string& id : parents) {
      auto it = later.find(id);
      if (it != later.end() && it->second > in.id) item.deferred = true;
    }
    // A request still being accepted (on SQLite it waits for this very
    // transaction's write lock) is not queued yet: a reply that knows none of
    // the messages it answers waits its first kGraceSeconds for them.
    if (!item.deferred && now - in.received_at < kGraceSeconds) {
      RD_ASSIGN_OR_RETURN(auto known, tx.FindTicketByMessageIds(parents));
      item.deferred = !known.has_value();
    }
    if (!item.deferred) continue;
    spdlog::debug("inbound#{} waits for the message it answers", in.id);
    RD_RETURN_IF_ERROR(tx.DeferJob(item.job.id, now + 1));
  }
  return util::OkStatus();
}

util::Status InboundWorker::ReadAhead(store::Tx& tx, const std::vector<const Item*>& items) {
  std::vector<const PreparedMessage*> batch;
  for (const Item* item : items) {
    if (item->msg && item->error.empty() && !item->deferred) batch.push_back(&*item->msg);
  }
  return processor_.ReadAhead(tx, batch);
}

util::Result<BatchResult> InboundWorker::Complete(std::vector<PreparedJob>& items) {
  BatchResult result;
  result.claimed = static_cast<int>(items.size());
  if (items.empty()) return result;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    result = BatchResult{result.claimed, 0, 0, 0};  // Transact may retry fn
    RD_RETURN_IF_ERROR(tx.LockThreading());         // once for the batch, not per message
    RD_RETURN_IF_ERROR(DeferEarlyReplies(tx, items));
    std::vector<const Item*> pending;
    for (const Item& item : items) pending.push_back(&item);
    RD_RETURN_IF_ERROR(ReadAhead(tx, pending));
    for (Item& item : items) RD_RETURN_IF_ERROR(Finish(tx, item, &result));
    util::FaultPoint("process.before_commit");
    return util::OkStatus();
  }));
  return result;
}

util::Result<std::vector<NewMessage>> InboundWorker::PrepareNew(InboundService& service,
                                                                std::vector<AcceptRequest> reqs) {
  std::vector<NewMessage> out;
  out.reserve(reqs.size());
  for (AcceptRequest& req : reqs) {
    NewMessage& m = out.emplace_back();
    RD_ASSIGN_OR_RETURN(m.row, service.PrepareRow(req));
    m.raw = std::move(req.raw);
    m.item.msg = PreparedMessage{QueuedInbound(m.row), {}, std::nullopt, {}};
    RD_RETURN_IF_ERROR(Analyse(m.item, m.raw));
  }
  // A reply and its request in one batch: the request is accepted first.
  ParentsFirst(
      out, [](const NewMessage& m) -> const std::optional<PreparedMessage>& { return m.item.msg; });
  if (!out.empty() && !store_.blobs().InDatabase()) {
    RD_RETURN_IF_ERROR(store_.blobs().Flush());  // the files of the batch are durable
  }
  return out;
}

bool InboundWorker::StoresBlobsAhead() const {
  return store_.blobs().InDatabase() && store_.backend() == store::Backend::kPostgres;
}

util::Status InboundWorker::StoreBlobsAhead(std::vector<NewMessage>& messages) {
  if (messages.empty() || !StoresBlobsAhead()) return util::OkStatus();
  // Blob rows first, in a transaction of this connection, while another
  // commits the previous batch: on PostgreSQL (concurrent writers) the
  // server stores the bytes on a second core, and the batch's transaction
  // writes rows only. As with files, a crash may leave an orphan blob
  // (harmless: content-addressed), never a row naming a missing one.
  // All of them in a few multi-row statements (PutHashedMany).
  std::vector<store::HashedBlob> blobs;
  for (NewMessage& m : messages) {
    PreparedMessage& msg = *m.item.msg;
    blobs.push_back({m.row.raw_sha256, m.raw});
    if (!msg.parsed.html.empty()) {
      msg.html_sha256 = util::Sha256Hex(msg.parsed.html);
      blobs.push_back({*msg.html_sha256, msg.parsed.html});
    }
  }
  RD_RETURN_IF_ERROR(store_.Transact(
      [&](store::Tx&) -> util::Status { return store_.blobs().PutHashedMany(blobs); }));
  for (NewMessage& m : messages) m.item.msg->blobs_stored = true;
  return util::OkStatus();
}

util::Result<BatchResult> InboundWorker::AcceptAndComplete(InboundService& service,
                                                           std::vector<NewMessage>& messages) {
  if (messages.empty()) return BatchResult{};
  auto quick = AcceptAndCompleteQuickly(messages);
  if (quick.ok()) return quick;
  // Something went wrong for some message (or a row appeared under one of
  // the keys): the batch again, each message in a savepoint of its own.
  spdlog::debug("batch of {} taken again message by message: {}", messages.size(),
                quick.error().ToString());
  return AcceptAndCompleteCarefully(service, messages);
}

util::Result<BatchResult> InboundWorker::AcceptAndCompleteQuickly(
    std::vector<NewMessage>& messages) {
  BatchResult result;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    result = BatchResult{static_cast<int>(messages.size()), 0, 0, 0};  // Transact may retry fn
    RD_RETURN_IF_ERROR(tx.LockThreading());
    RD_RETURN_IF_ERROR(tx.DeferInboundReferences());
    // Duplicates: stored before, or earlier in this batch.
    std::vector<std::string> shas, keys;
    for (const NewMessage& m : messages) {
      shas.push_back(m.row.raw_sha256);
      keys.push_back(m.row.dedup_key);
    }
    RD_ASSIGN_OR_RETURN(auto known, tx.FindInbound(shas, keys));
    std::unordered_map<std::string, domain::Id> by_sha, by_key;
    for (const store::KnownInbound& k : known) {
      by_sha.emplace(k.raw_sha256, k.id);
      if (!k.dedup_key.empty()) by_key.emplace(k.dedup_key, k.id);
    }
    std::vector<const Item*> items;
    for (const NewMessage& m : messages) items.push_back(&m.item);
    RD_RETURN_IF_ERROR(ReadAhead(tx, items));
    const util::UnixSeconds now = clock_.Now();
    std::vector<store::FinishedInbound> finished;
    for (NewMessage& m : messages) {
      m.accepted = AcceptResult{0, false, m.row.raw_sha256};
      auto sha = by_sha.find(m.row.raw_sha256);
      auto key = m.row.dedup_key.empty() ? by_key.end() : by_key.find(m.row.dedup_key);
      if (sha != by_sha.end() || key != by_key.end()) {
        m.accepted.duplicate = true;  // stored before: nothing to process
        m.accepted.inbound_id = sha != by_sha.end() ? sha->second : key->second;
        continue;
      }
      if (!m.item.error.empty()) {  // kept as failed: the careful way does that
        return util::MakeError(util::ErrorCode::kInternal, "inbound.unreadable", m.item.error);
      }
      PreparedMessage& msg = *m.item.msg;
      RD_ASSIGN_OR_RETURN(msg.inbound.id, tx.ReserveInboundId());
      m.accepted.inbound_id = msg.inbound.id;
      by_sha.emplace(m.row.raw_sha256, msg.inbound.id);
      if (!m.row.dedup_key.empty()) by_key.emplace(m.row.dedup_key, msg.inbound.id);
      if (store_.blobs().InDatabase() && !msg.blobs_stored) {
        RD_RETURN_IF_ERROR(store_.blobs().PutHashed(m.row.raw_sha256, m.raw));
        util::FaultPoint("accept.after_blob");
      }
      RD_RETURN_IF_ERROR(StoreBlobs(msg));
      RD_ASSIGN_OR_RETURN(ProcessOutcome outcome, processor_.Process(tx, msg, now));
      if (automation_) RD_RETURN_IF_ERROR(automation_->OnInbound(tx, msg, outcome));
      finished.push_back({msg.inbound.id, &m.row, InboundState::kProcessed, "", TicketOf(outcome),
                          ArticleOf(outcome)});
      util::FaultPoint("accept.before_commit");
      Count(outcome, &result);
    }
    // The inbound rows last, together (a few statements for the batch).
    RD_RETURN_IF_ERROR(tx.InsertFinishedInbound(finished));
    util::FaultPoint("process.before_commit");
    return util::OkStatus();
  }));
  return result;
}

util::Result<BatchResult> InboundWorker::AcceptAndCompleteCarefully(
    InboundService& service, std::vector<NewMessage>& messages) {
  BatchResult result;
  result.claimed = static_cast<int>(messages.size());
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    result = BatchResult{result.claimed, 0, 0, 0};  // Transact may retry fn
    RD_RETURN_IF_ERROR(tx.LockThreading());
    std::vector<const Item*> items;
    for (const NewMessage& m : messages) items.push_back(&m.item);
    RD_RETURN_IF_ERROR(ReadAhead(tx, items));
    for (NewMessage& m : messages) {
      RD_RETURN_IF_ERROR(
          service.CommitRow(tx, m.row, m.raw, false, &m.accepted, m.item.msg->blobs_stored));
      if (m.accepted.duplicate) continue;  // stored before: nothing to process
      m.item.msg->inbound.id = m.accepted.inbound_id;
      RD_RETURN_IF_ERROR(Finish(tx, m.item, &result));
    }
    util::FaultPoint("process.before_commit");
    return util::OkStatus();
  }));
  return result;
}

util::Result<BatchResult> InboundWorker::Drain(int batch) {
  BatchResult total;
  while (true) {
    RD_ASSIGN_OR_RETURN(BatchResult r, RunBatch(batch));
    if (r.claimed == 0) return total;
    total.claimed += r.claimed;
    total.processed += r.processed;
    total.failed += r.failed;
    total.new_tickets += r.new_tickets;
  }
}

}  // namespace replydesk::services
