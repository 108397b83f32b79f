// What agents do on a ticket, as use cases with their own transactions:
// reply by email (canned response or own text, signature, the customer's last
// message quoted with ">" and earlier history trimmed, attachments), add an
// internal note (never emailed), log a phone call (an article on the ticket
// and the caller's number on the customer). The web UI and the CLI call these.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"
#include "domain/ticket_tag.h"
#include "mail/message_composer.h"
#include "services/automation.h"
#include "services/outbound_settings.h"
#include "store/store.h"
#include "util/clock.h"

namespace replydesk::services {

struct ReplyRequest {
  int64_t ticket_number = 0;
  std::string agent_email;
  std::string template_name;  // canned response; "" = use `text`
  std::string text;           // own text (after the template's, when both are given)
  std::string language;       // "" = the ticket's language
  std::vector<mail::OutgoingAttachment> attachments;
  std::vector<std::string> cc;
};

struct NoteRequest {
  int64_t ticket_number = 0;
  std::string agent_email;
  std::string text;
};

struct CallRequest {
  int64_t ticket_number = 0;
  std::string agent_email;
  bool inbound = true;  // the customer called us
  std::string phone_number;
  int64_t duration_seconds = 0;
  std::string summary;
};

class ReplyService {
 public:
  ReplyService(store::Store& store, const util::Clock& clock, OutboundSettings settings,
               domain::TicketTag tag);

  // Queues the reply (sent by the outbound worker). Errors: kNotFound
  // "ticket.not_found" / "user.not_found" / "template.not_found",
  // kInvalidArgument "reply.empty" / "reply.no_recipient".
  util::Result<QueuedMail> Reply(const ReplyRequest& request);
  util::Result<domain::Article> Note(const NoteRequest& request);
  util::Result<domain::Article> Call(const CallRequest& request);

  // The body of a reply: text, signature, then the quote (exposed for tests).
  static std::string ComposeBody(const std::string& text, const std::string& signature,
                                 const std::string& quote_header, const std::string& quoted);

 private:
  struct Context;
  util::Result<Context> Load(store::Tx& tx, int64_t ticket_number, const std::string& agent_email);

  store::Store& store_;
  const util::Clock& clock_;
  Automation automation_;
  domain::TicketTag tag_;
};

// "Kind regards," / "С уважением," / "С уважение," / "Cu stimă," + name,
// position and company: the signature when the agent has none of their own.
std::string DefaultSignature(const std::string& language);

// "On <time>, <name> wrote:" in the language.
std::string QuoteHeader(const std::string& language, const std::string& when,
                        const std::string& who);

}  // namespace replydesk::services
