// Sends the outbox: claims send jobs, submits each composed message through
// the MailTransport port, and records the outcome on the outbound row and its
// article. 250 → sent; 4xx or no connection → retried with backoff (the
// article shows "queued" with the reason) until max_attempts, then failed;
// 5xx → failed at once with the server's words on the article.
//
// The one window where a message can go out twice: the server has said 250
// and we crash before the commit that records it. The job's lease expires, it
// is sent again with the same bytes and Message-ID, so the recipient's mail
// system (and our threading) sees one message id. Fault point
// "outbound.after_submit" sits in that window for the crash test.
//
// Thread safety: one OutboundWorker per thread, each with its own Store and
// MailTransport.
#pragma once

#include <string>

#include "services/outbound_settings.h"
#include "services/ports/mail_transport.h"
#include "store/store.h"
#include "util/clock.h"

namespace replydesk::services {

struct SendResult {
  int claimed = 0;
  int sent = 0;
  int retrying = 0;
  int failed = 0;
};

class OutboundWorker {
 public:
  OutboundWorker(store::Store& store, const util::Clock& clock, MailTransport& transport,
                 OutboundSettings settings, std::string name);

  // Claims up to `batch` ready send jobs and submits them one by one.
  // claimed == 0: nothing ready. Errors: the store's (jobs stay leased).
  util::Result<SendResult> RunBatch(int batch);
  // Runs batches until nothing is ready now (messages waiting for a retry
  // later stay queued).
  util::Result<SendResult> Drain(int batch = 20);

 private:
  util::Status SendOne(const store::Job& job, SendResult* result);
  util::Status Record(const store::Job& job, const domain::Outbound& o,
                      const SubmitOutcome& outcome, SendResult* result);

  store::Store& store_;
  const util::Clock& clock_;
  MailTransport& transport_;
  OutboundSettings settings_;
  std::string name_;
};

}  // namespace replydesk::services
