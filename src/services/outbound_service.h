// The durable outbox: composes an outgoing message once (Message-ID, Date,
// DKIM signature), stores its bytes as a blob and queues the article, its
// outbound row and a send job in the caller's transaction — so a reply or an
// acknowledgement exists exactly when the change that caused it commits. The
// OutboundWorker sends it later; a resend carries the same bytes.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/entities.h"
#include "mail/message_composer.h"
#include "services/outbound_settings.h"
#include "store/store.h"
#include "util/clock.h"

namespace replydesk::services {

struct MailDraft {
  domain::Id ticket_id = 0;
  mail::Mailbox from;  // the channel address with the team's name
  std::vector<mail::Mailbox> to;
  std::vector<mail::Mailbox> cc;
  std::string subject;  // final subject, ticket tag included
  std::string text;
  std::string html;  // "" = made from the text (mail::TextToHtml)
  std::vector<mail::OutgoingAttachment> attachments;
  std::string in_reply_to;
  std::vector<std::string> references;
  bool automatic = false;  // acknowledgement/notification: Auto-Submitted, null sender
  std::optional<domain::Id> author_user_id;
  std::optional<domain::Id> customer_id;  // the customer written to, if any
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

struct QueuedMail {
  domain::Article article;
  domain::Outbound outbound;
};

class OutboundService {
 public:
  static constexpr const char* kSendJob = "send_mail";

  OutboundService(store::Store& store, const util::Clock& clock, OutboundSettings settings);

  // Composes and queues `draft` inside `tx`. Errors: kInvalidArgument
  // "mail.bad_outgoing" (no recipient), the store's, DKIM signing failures.
  util::Result<QueuedMail> Queue(store::Tx& tx, const MailDraft& draft) const;

  const OutboundSettings& settings() const { return settings_; }

 private:
  util::Result<std::string> Compose(const MailDraft& draft, const std::string& message_id) const;

  store::Store& store_;
  const util::Clock& clock_;
  OutboundSettings settings_;
};

// The domain part of an address ("" when none).
std::string AddressDomain(const std::string& address);

}  // namespace replydesk::services
