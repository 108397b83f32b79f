// Triggers at work: builds the rules' event context from what just happened
// (a message stored, an agent's reply), asks rules::Evaluate for actions and
// executes them inside the same transaction — an acknowledgement is queued in
// the outbox exactly when the ticket it announces commits.
//
// Loop safety (RFC 3834 §2, §5), enforced here for every automatic reply
// whatever the rules say: never answer automatic mail (Auto-Submitted other
// than "no", Precedence bulk/list/junk, List-Id/List-Unsubscribe, bounces),
// mailer-daemon/postmaster/no-reply senders, our own channel addresses, mail
// older than a day (an import of old mail), nor more than
// OutboundSettings::auto_replies_per_hour per recipient.
#pragma once

#include <string>
#include <vector>

#include "domain/ticket_tag.h"
#include "rules/rule.h"
#include "services/message_processor.h"
#include "services/outbound_service.h"
#include "services/template_vars.h"
#include "store/store.h"

namespace replydesk::services {

// True for senders no machine should answer: mailer-daemon, postmaster,
// no-reply and the like (local part), lower-case address expected.
bool IsRobotSender(const std::string& address);

class Automation {
 public:
  Automation(store::Store& store, const util::Clock& clock, OutboundSettings settings,
             domain::TicketTag tag);

  // After MessageProcessor stored an inbound message: ticket_created or
  // customer_replied. Does nothing for bounces and imported mail.
  util::Status OnInbound(store::Tx& tx, const PreparedMessage& msg, const ProcessOutcome& outcome);
  // After an agent's reply was queued.
  util::Status OnAgentReply(store::Tx& tx, const domain::Ticket& ticket,
                            const domain::Article& article);

  const OutboundService& outbound() const { return outbound_; }

 private:
  // What an automatic reply answers: the message that caused the event.
  struct Trigger {
    rules::EventContext ctx;
    TemplateScope scope;
    mail::Mailbox reply_to;   // who gets a send_template answer
    std::string in_reply_to;  // its Message-ID
    std::vector<std::string> references;
    bool stale = false;  // written more than a day ago
  };
  util::Status Execute(store::Tx& tx, const std::vector<rules::Action>& actions, Trigger& trigger);
  util::Status SendTemplate(store::Tx& tx, const rules::Action& action, const Trigger& trigger);
  util::Status NotifyAgents(store::Tx& tx, const rules::Action& action, const Trigger& trigger);
  util::Result<bool> IsOurAddress(store::Tx& tx, const std::string& address);

  store::Store& store_;
  const util::Clock& clock_;
  OutboundService outbound_;
  domain::TicketTag tag_;
};

}  // namespace replydesk::services
