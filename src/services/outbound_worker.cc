// Sending the outbox: see outbound_worker.h.
#include "services/outbound_worker.h"

#include <algorithm>
#include <cstdlib>

#include "services/outbound_service.h"
#include "util/fault.h"
#include "util/log.h"

namespace replydesk::services {

using domain::OutboundState;

OutboundWorker::OutboundWorker(store::Store& store, const util::Clock& clock,
                               MailTransport& transport, OutboundSettings settings,
                               std::string name)
    : store_(store),
      clock_(clock),
      transport_(transport),
      settings_(std::move(settings)),
      name_(std::move(name)) {}

util::Result<SendResult> OutboundWorker::RunBatch(int batch) {
  std::vector<store::Job> jobs;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(jobs, tx.ClaimJobs(name_, {OutboundService::kSendJob}, clock_.Now(),
                                           settings_.job_lease_seconds, batch));
    return util::OkStatus();
  }));
  SendResult result;
  result.claimed = static_cast<int>(jobs.size());
  for (const auto& job : jobs) RD_RETURN_IF_ERROR(SendOne(job, &result));
  return result;
}

util::Result<SendResult> OutboundWorker::Drain(int batch) {
  SendResult total;
  while (true) {
    RD_ASSIGN_OR_RETURN(SendResult r, RunBatch(batch));
    if (r.claimed == 0) return total;
    total.claimed += r.claimed;
    total.sent += r.sent;
    total.retrying += r.retrying;
    total.failed += r.failed;
  }
}

util::Status OutboundWorker::SendOne(const store::Job& job, SendResult* result) {
  const domain::Id id = std::strtoll(job.payload.c_str(), nullptr, 10);
  std::optional<domain::Outbound> outbound;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    auto o = tx.GetOutbound(id);
    if (!o.ok() && o.error().code != util::ErrorCode::kNotFound) return o.error();
    // Already sent (a lease expired after the record) or gone: nothing to send.
    if (!o.ok() || o->state != OutboundState::kQueued) return tx.CompleteJob(job.id);
    outbound = std::move(o).value();
    return util::OkStatus();
  }));
  if (!outbound) return util::OkStatus();
  auto raw = store_.blobs().Get(outbound->raw_sha256);
  if (!raw.ok()) {
    if (raw.error().code == util::ErrorCode::kUnavailable) return raw.error();
    SubmitOutcome lost{SubmitOutcome::Kind::kPermFail, 0,
                       "composed message missing: " + raw.error().ToString()};
    return Record(job, *outbound, lost, result);
  }
  const SubmitOutcome outcome =
      transport_.Submit(outbound->envelope_from, outbound->recipients, *raw);
  // A crash here resends the same bytes after the lease: the documented window.
  util::FaultPoint("outbound.after_submit");
  return Record(job, *outbound, outcome, result);
}

util::Status OutboundWorker::Record(const store::Job& job, const domain::Outbound& o,
                                    const SubmitOutcome& outcome, SendResult* result) {
  const util::UnixSeconds now = clock_.Now();
  const int attempt = o.attempts + 1;
  using Kind = SubmitOutcome::Kind;
  const bool give_up = outcome.kind == Kind::kPermFail ||
                       (outcome.kind == Kind::kTempFail && attempt >= settings_.max_attempts);
  return store_.Transact([&](store::Tx& tx) -> util::Status {
    if (outcome.kind == Kind::kAccepted) {
      RD_RETURN_IF_ERROR(tx.SetOutboundState(o.id, OutboundState::kSent, outcome.smtp_code,
                                             outcome.detail, now, true));
      RD_RETURN_IF_ERROR(tx.SetArticleDelivery(o.article_id, "sent", ""));
      ++result->sent;
      spdlog::info("outbound#{} sent ({} {})", o.id, outcome.smtp_code, outcome.detail);
      return tx.CompleteJob(job.id);
    }
    if (give_up) {
      RD_RETURN_IF_ERROR(tx.SetOutboundState(o.id, OutboundState::kFailed, outcome.smtp_code,
                                             outcome.detail, std::nullopt, true));
      RD_RETURN_IF_ERROR(tx.SetArticleDelivery(o.article_id, "failed", outcome.detail));
      ++result->failed;
      spdlog::warn("outbound#{} failed after {} attempt(s): {}", o.id, attempt, outcome.detail);
      return tx.CompleteJob(job.id);
    }
    RD_RETURN_IF_ERROR(tx.SetOutboundState(o.id, OutboundState::kQueued, outcome.smtp_code,
                                           outcome.detail, std::nullopt, true));
    RD_RETURN_IF_ERROR(
        tx.SetArticleDelivery(o.article_id, "queued", "will retry: " + outcome.detail));
    const int64_t delay =
        std::min<int64_t>(settings_.retry_max_seconds,
                          int64_t{settings_.retry_base_seconds} << std::min(attempt - 1, 20));
    ++result->retrying;
    spdlog::warn("outbound#{} attempt {} failed, retry in {} s: {}", o.id, attempt, delay,
                 outcome.detail);
    return tx.FailJob(job.id, outcome.detail, now + delay);
  });
}

}  // namespace replydesk::services
