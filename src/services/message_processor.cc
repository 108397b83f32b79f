// Processing of one message into customer, ticket and article: see message_processor.h.
#include "services/message_processor.h"

#include <algorithm>

#include "domain/address.h"
#include "domain/subject.h"
#include "services/template_vars.h"
#include "sla/calendar.h"
#include "util/log.h"

namespace replydesk::services {

using domain::Id;
using util::Result;

std::string FormatMailboxes(const std::vector<mail::Mailbox>& list) {
  std::string out;
  for (const auto& m : list) {
    if (!out.empty()) out += ", ";
    out += m.name.empty() ? m.address : m.name + " <" + m.address + ">";
  }
  return out;
}

namespace {

// The promises of the channel, counted in its business hours from arrival.
void SetDueTimes(const domain::Channel& channel, util::UnixSeconds start, domain::Ticket* t) {
  auto calendar = sla::ParseCalendar(channel.hours);
  if (!calendar.ok()) {
    spdlog::warn("channel {}: bad working hours '{}': {}", channel.address, channel.hours,
                 calendar.error().ToString());
    return;
  }
  if (channel.first_response_minutes > 0) {
    t->first_response_due = sla::DueAt(*calendar, start, channel.first_response_minutes * 60);
  }
  if (channel.resolution_minutes > 0) {
    t->resolution_due = sla::DueAt(*calendar, start, channel.resolution_minutes * 60);
  }
}

// The sender: the first From mailbox with a usable address, else the envelope sender.
mail::Mailbox Sender(const PreparedMessage& msg) {
  for (const auto& m : msg.parsed.from) {
    if (!domain::NormalizeAddress(m.address).empty()) return m;
  }
  mail::Mailbox envelope{msg.parsed.from.empty() ? "" : msg.parsed.from.front().name,
                         msg.inbound.envelope_from};
  return envelope;
}

// Receiving addresses in order of trust: envelope, Delivered-To, X-Original-To, To, Cc.
std::vector<std::string> ReceivingAddresses(const PreparedMessage& msg) {
  std::vector<std::string> out = msg.inbound.recipients;
  for (const auto* list : {&msg.parsed.delivered_to, &msg.parsed.x_original_to}) {
    out.insert(out.end(), list->begin(), list->end());
  }
  for (const auto* list : {&msg.parsed.to, &msg.parsed.cc}) {
    for (const auto& m : *list) out.push_back(m.address);
  }
  return out;
}

}  // namespace

MessageProcessor::MessageProcessor(const IngestSettings& settings)
    : settings_(settings), tag_(settings.ticket_tag_prefix) {}

Result<domain::Customer> MessageProcessor::FindOrCreateCustomer(store::Tx& tx,
                                                                const PreparedMessage& msg,
                                                                util::UnixSeconds now) const {
  mail::Mailbox sender = Sender(msg);
  std::string address = domain::NormalizeAddress(sender.address);
  domain::Customer customer;
  if (!address.empty()) {
    domain::Identity identity{domain::IdentityKind::kEmail, address};
    RD_ASSIGN_OR_RETURN(auto found, tx.FindCustomerByIdentity(identity));
    if (found) {
      if (found->name.empty() && !sender.name.empty()) {
        RD_RETURN_IF_ERROR(tx.UpdateCustomerName(found->id, sender.name));
        found->name = sender.name;
      }
      return *found;
    }
    customer.identities.push_back(identity);
    RD_ASSIGN_OR_RETURN(auto org, tx.FindOrganisationByDomain(domain::AddressDomain(address)));
    if (org) customer.organisation_id = org->id;
  }
  customer.name = sender.name;
  customer.created_at = now;
  return tx.CreateCustomer(customer);
}

Result<std::optional<domain::Channel>> MessageProcessor::FindChannel(
    store::Tx& tx, const PreparedMessage& msg) const {
  for (const auto& raw : ReceivingAddresses(msg)) {
    std::string address = domain::NormalizeAddress(raw);
    if (address.empty()) continue;
    RD_ASSIGN_OR_RETURN(auto channel, tx.FindChannelByAddress(address));
    if (channel) return channel;
  }
  // Polled mail: no address above is ours (a forwarding rule, Bcc), so the
  // mailbox it came from decides. Channels are few; a list is cheap enough.
  if (msg.inbound.default_channel_id) {
    RD_ASSIGN_OR_RETURN(auto channels, tx.ListChannels());
    for (auto& c : channels) {
      if (c.id == *msg.inbound.default_channel_id) return std::optional<domain::Channel>(c);
    }
  }
  return std::optional<domain::Channel>();
}

Result<std::optional<domain::Ticket>> MessageProcessor::FindThread(store::Tx& tx,
                                                                   const PreparedMessage& msg,
                                                                   Id customer_id,
                                                                   util::UnixSeconds now,
                                                                   std::string* threaded_by) const {
  const mail::ParsedMessage& p = msg.parsed;
  // 1. Our tag in the subject: the strongest signal, survives clients that drop headers.
  if (auto number = tag_.Find(p.subject)) {
    RD_ASSIGN_OR_RETURN(auto ticket, tx.FindTicketByNumber(*number));
    if (ticket) {
      *threaded_by = "tag";
      return ticket;
    }
  }
  // 2. Message-IDs: the parent first, then the references newest first, then
  // our own id, which is a ghost when a reply to this message arrived first.
  std::vector<std::string> ids = p.in_reply_to;
  ids.insert(ids.end(), p.references.rbegin(), p.references.rend());
  if (!p.message_id.empty()) ids.push_back(p.message_id);
  if (!ids.empty()) {
    RD_ASSIGN_OR_RETURN(auto ticket_id, tx.FindTicketByMessageIds(ids));
    if (ticket_id) {
      *threaded_by = "message_id";
      RD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(*ticket_id));
      return std::optional<domain::Ticket>(ticket);
    }
  }
  // 3. Conservative fallback: only for what claims to be a reply (a prefix or
  // a parent we never saw), same customer, same subject, open, recent.
  bool claims_reply = domain::HasReplyPrefix(p.subject) || !p.in_reply_to.empty();
  std::string normalized = domain::NormalizeSubject(p.subject, tag_);
  if (claims_reply && !normalized.empty()) {
    util::UnixSeconds since = now - int64_t{settings_.fallback_window_days} * 86400;
    RD_ASSIGN_OR_RETURN(auto ticket, tx.FindRecentOpenTicket(customer_id, normalized, since));
    if (ticket) {
      *threaded_by = "subject";
      return ticket;
    }
  }
  return std::optional<domain::Ticket>();
}

Result<domain::Ticket> MessageProcessor::CreateTicket(store::Tx& tx, const PreparedMessage& msg,
                                                      const domain::Customer& customer,
                                                      const std::optional<domain::Channel>& channel,
                                                      util::UnixSeconds now) const {
  domain::Ticket t;  // number 0: CreateTicket takes the next one
  t.subject = tag_.Strip(msg.parsed.subject);
  if (t.subject.empty()) t.subject = "(no subject)";
  t.normalized_subject = domain::NormalizeSubject(msg.parsed.subject, tag_);
  t.customer_id = customer.id;
  t.language = ChooseLanguage(customer.language, msg.language, channel ? channel->language : "");
  t.created_at = t.updated_at = now;
  if (channel) {
    t.channel_id = channel->id;
    t.team_id = channel->team_id;
    SetDueTimes(*channel, msg.inbound.received_at, &t);
  }
  return tx.CreateTicket(t);
}

Result<domain::Article> MessageProcessor::CreateArticle(store::Tx& tx, const PreparedMessage& msg,
                                                        const domain::Ticket& ticket,
                                                        const domain::Customer& customer) const {
  const mail::ParsedMessage& p = msg.parsed;
  mail::Mailbox sender = Sender(msg);
  domain::Article a;
  a.ticket_id = ticket.id;
  a.kind = domain::ArticleKind::kEmail;
  a.direction = domain::Direction::kInbound;
  a.customer_id = customer.id;
  a.sender_name = sender.name;
  a.sender_address = domain::NormalizeAddress(sender.address);
  a.to = FormatMailboxes(p.to);
  a.cc = FormatMailboxes(p.cc);
  a.subject = p.subject;
  a.message_id = p.message_id;
  if (!p.in_reply_to.empty()) a.in_reply_to = p.in_reply_to.front();
  a.body_text = p.text;
  a.body_html_sha256 = msg.html_sha256;
  a.inbound_id = msg.inbound.id;
  a.flags = p.flags;
  // Arrival time, not processing time: with several workers a reply may be
  // processed before the request it answers, yet it arrived after it.
  a.created_at = msg.inbound.received_at;
  RD_ASSIGN_OR_RETURN(domain::Article article, tx.CreateArticle(a));
  for (size_t i = 0; i < p.attachments.size() && i < msg.attachment_sha256.size(); ++i) {
    const mail::ParsedAttachment& pa = p.attachments[i];
    domain::Attachment att;
    att.article_id = article.id;
    att.filename = pa.filename;
    att.content_type = pa.content_type;
    att.size = static_cast<int64_t>(pa.size);
    att.sha256 = msg.attachment_sha256[i];
    att.content_id = pa.content_id;
    att.inline_part = pa.inline_part;
    RD_ASSIGN_OR_RETURN([[maybe_unused]] auto stored, tx.AddAttachment(att));
  }
  return article;
}

Result<std::optional<ProcessOutcome>> MessageProcessor::HandleBounce(
    store::Tx& tx, const PreparedMessage& msg) const {
  if (!msg.bounce || !msg.bounce->is_bounce) return std::optional<ProcessOutcome>();
  const mail::BounceReport& report = *msg.bounce;
  ProcessOutcome out;
  out.bounce = true;
  std::string reason;
  for (const auto& r : report.recipients) {
    if (!reason.empty()) reason += "; ";
    reason += r.address;
    if (!r.status.empty()) reason += " " + r.status;
    if (!r.diagnostic.empty()) reason += " " + r.diagnostic;
  }
  if (reason.empty()) reason = msg.parsed.subject;
  for (const auto& id : report.original_message_ids) {
    RD_ASSIGN_OR_RETURN(auto outbound, tx.FindOutboundByMessageId(id));
    if (!outbound) continue;
    if (report.permanent) {
      RD_RETURN_IF_ERROR(tx.SetOutboundState(outbound->id, domain::OutboundState::kBounced,
                                             outbound->smtp_code, reason, outbound->sent_at,
                                             false));
      RD_RETURN_IF_ERROR(tx.SetArticleDelivery(outbound->article_id, "bounced", reason));
    } else {
      // A delay notice: the message is still on its way; say so on the article.
      RD_ASSIGN_OR_RETURN(domain::Article a, tx.GetArticle(outbound->article_id));
      RD_RETURN_IF_ERROR(tx.SetArticleDelivery(a.id, a.delivery_status, "delayed: " + reason));
    }
    out.ticket_id = outbound->ticket_id;
    out.article_id = outbound->article_id;
    out.threaded_by = "bounce";
    return std::optional<ProcessOutcome>(out);
  }
  // Not about mail we sent (or we cannot tell which): processed like any
  // other automatic message, so a person still sees it; it gets no answer.
  return std::optional<ProcessOutcome>();
}

util::Status MessageProcessor::IndexMessageIds(store::Tx& tx, const PreparedMessage& msg,
                                               Id ticket_id, Id article_id) const {
  const mail::ParsedMessage& p = msg.parsed;
  if (!p.message_id.empty())
    RD_RETURN_IF_ERROR(tx.RecordMessageId(p.message_id, ticket_id, article_id));
  // Ghosts: ids this message refers to that we may not have seen yet, so a
  // parent that arrives after its reply still finds this ticket.
  for (const auto* list : {&p.in_reply_to, &p.references}) {
    for (const auto& id : *list) {
      if (!id.empty() && id != p.message_id)
        RD_RETURN_IF_ERROR(tx.RecordMessageId(id, ticket_id, std::nullopt));
    }
  }
  return util::OkStatus();
}

util::Status MessageProcessor::ReadAhead(store::Tx& tx,
                                         const std::vector<const PreparedMessage*>& batch) const {
  std::vector<std::string> senders, ids;
  for (const PreparedMessage* msg : batch) {
    senders.push_back(domain::NormalizeAddress(Sender(*msg).address));
    const mail::ParsedMessage& p = msg->parsed;
    ids.insert(ids.end(), p.in_reply_to.begin(), p.in_reply_to.end());
    ids.insert(ids.end(), p.references.begin(), p.references.end());
    ids.push_back(p.message_id);
  }
  return tx.ReadAhead(senders, ids);
}

Result<ProcessOutcome> MessageProcessor::Process(store::Tx& tx, const PreparedMessage& msg,
                                                 util::UnixSeconds now) const {
  // Two workers must not both decide "new ticket" for a message and its reply.
  RD_RETURN_IF_ERROR(tx.LockThreading());
  // A bounce of our own mail belongs to the article it concerns and never
  // opens a ticket.
  RD_ASSIGN_OR_RETURN(auto bounce, HandleBounce(tx, msg));
  if (bounce) return *bounce;
  RD_ASSIGN_OR_RETURN(domain::Customer customer, FindOrCreateCustomer(tx, msg, now));
  ProcessOutcome out;
  RD_ASSIGN_OR_RETURN(auto existing, FindThread(tx, msg, customer.id, now, &out.threaded_by));
  domain::Ticket ticket;
  if (existing) {
    ticket = *existing;
    // A customer writing again reopens a ticket that was waiting or done.
    std::optional<domain::TicketStatus> status;
    if (ticket.status != domain::TicketStatus::kNew &&
        ticket.status != domain::TicketStatus::kOpen) {
      status = domain::TicketStatus::kOpen;
    }
    RD_RETURN_IF_ERROR(tx.TouchTicket(ticket.id, now, status));
  } else {
    RD_ASSIGN_OR_RETURN(auto channel, FindChannel(tx, msg));
    RD_ASSIGN_OR_RETURN(ticket, CreateTicket(tx, msg, customer, channel, now));
    out.new_ticket = true;
  }
  RD_ASSIGN_OR_RETURN(domain::Article article, CreateArticle(tx, msg, ticket, customer));
  RD_RETURN_IF_ERROR(IndexMessageIds(tx, msg, ticket.id, article.id));
  out.ticket_id = ticket.id;
  out.article_id = article.id;
  return out;
}

}  // namespace replydesk::services
