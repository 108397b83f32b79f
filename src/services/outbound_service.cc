// The durable outbox: see outbound_service.h.
#include "services/outbound_service.h"

#include "domain/address.h"
#include "mail/dkim_signer.h"
#include "mail/text_to_html.h"
#include "services/message_processor.h"
#include "util/log.h"

namespace replydesk::services {

using util::Result;

std::string AddressDomain(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : address.substr(at + 1);
}

OutboundService::OutboundService(store::Store& store, const util::Clock& clock,
                                 OutboundSettings settings)
    : store_(store), clock_(clock), settings_(std::move(settings)) {}

Result<std::string> OutboundService::Compose(const MailDraft& draft,
                                             const std::string& message_id) const {
  mail::OutgoingMessage m;
  m.from = draft.from;
  m.to = draft.to;
  m.cc = draft.cc;
  m.subject = draft.subject;
  m.message_id = message_id;
  m.in_reply_to = draft.in_reply_to;
  m.references = draft.references;
  m.date = clock_.Now();
  m.text = draft.text;
  // Mail clients show the HTML alternative; the text stays the reference.
  m.html = draft.html.empty() ? mail::TextToHtml(draft.text) : draft.html;
  m.attachments = draft.attachments;
  m.extra_headers = draft.extra_headers;
  // RFC 3834 §5: mark what a machine wrote so other machines do not answer it.
  if (draft.automatic) m.auto_submitted = "auto-replied";
  RD_ASSIGN_OR_RETURN(std::string raw, mail::ComposeMessage(m));
  const auto& s = settings_;
  if (s.dkim_selector.empty() || s.dkim_domain.empty() || s.dkim_private_key_pem.empty()) {
    return raw;
  }
  RD_ASSIGN_OR_RETURN(
      mail::DkimSigner signer,
      mail::DkimSigner::Create(s.dkim_selector, s.dkim_domain, s.dkim_private_key_pem));
  return signer.Sign(raw);
}

Result<QueuedMail> OutboundService::Queue(store::Tx& tx, const MailDraft& draft) const {
  if (draft.to.empty() && draft.cc.empty()) {
    return util::MakeError(util::ErrorCode::kInvalidArgument, "mail.bad_outgoing",
                           "an outgoing message needs a recipient");
  }
  const util::UnixSeconds now = clock_.Now();
  std::string domain = settings_.message_id_domain;
  if (domain.empty()) domain = AddressDomain(draft.from.address);
  if (domain.empty()) domain = "localhost";
  const std::string message_id = mail::MakeMessageId(domain);
  RD_ASSIGN_OR_RETURN(std::string raw, Compose(draft, message_id));
  // Blobs in the database join this transaction; blob files are durable
  // before the rows that name them commit.
  RD_ASSIGN_OR_RETURN(std::string raw_sha, store_.blobs().Put(raw));

  QueuedMail out;
  domain::Article& a = out.article;
  a.ticket_id = draft.ticket_id;
  a.kind = domain::ArticleKind::kEmail;
  a.direction = domain::Direction::kOutbound;
  a.customer_id = draft.customer_id;
  a.sender_name = draft.from.name;
  a.sender_address = domain::NormalizeAddress(draft.from.address);
  a.to = FormatMailboxes(draft.to);
  a.cc = FormatMailboxes(draft.cc);
  a.subject = draft.subject;
  a.message_id = message_id;
  a.in_reply_to = draft.in_reply_to;
  a.body_text = draft.text;
  if (!draft.html.empty()) {
    RD_ASSIGN_OR_RETURN(std::string html_sha, store_.blobs().Put(draft.html));
    a.body_html_sha256 = html_sha;
  }
  a.created_at = now;
  a.author_user_id = draft.author_user_id;
  a.auto_reply = draft.automatic;
  a.delivery_status = "queued";
  RD_ASSIGN_OR_RETURN(a, tx.CreateArticle(a));
  for (const auto& att : draft.attachments) {
    RD_ASSIGN_OR_RETURN(std::string sha, store_.blobs().Put(att.data));
    domain::Attachment row;
    row.article_id = a.id;
    row.filename = att.filename;
    row.content_type = att.content_type.empty() ? "application/octet-stream" : att.content_type;
    row.size = static_cast<int64_t>(att.data.size());
    row.sha256 = sha;
    RD_RETURN_IF_ERROR(tx.AddAttachment(row));
  }
  // Replies to this message thread by its id like replies to received mail.
  RD_RETURN_IF_ERROR(tx.RecordMessageId(message_id, draft.ticket_id, a.id));

  domain::Outbound& o = out.outbound;
  o.article_id = a.id;
  o.ticket_id = draft.ticket_id;
  // RFC 3834 §3.3: automatic responses go out with a null return path, so a
  // bounce of an acknowledgement can never start a conversation.
  o.envelope_from = draft.automatic ? "" : a.sender_address;
  for (const auto* list : {&draft.to, &draft.cc}) {
    for (const auto& m : *list) o.recipients.push_back(domain::NormalizeAddress(m.address));
  }
  o.raw_sha256 = raw_sha;
  o.message_id = message_id;
  o.automatic = draft.automatic;
  o.created_at = now;
  RD_ASSIGN_OR_RETURN(o, tx.CreateOutbound(o));
  RD_RETURN_IF_ERROR(tx.QueueJob(kSendJob, std::to_string(o.id), now));
  spdlog::info("outbound#{} queued for ticket#{} ({}){}", o.id, draft.ticket_id, message_id,
               draft.automatic ? " automatic" : "");
  return out;
}

}  // namespace replydesk::services
