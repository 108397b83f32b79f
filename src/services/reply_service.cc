// Agent replies, notes and calls: see reply_service.h.
#include "services/reply_service.h"

#include "domain/address.h"
#include "mail/reply_trimmer.h"
#include "rules/templates.h"
#include "sla/calendar.h"
#include "util/log.h"
#include "util/strings.h"

namespace replydesk::services {

using util::Result;

namespace {

constexpr size_t kMaxReferences = 20;

util::Error NotFound(const std::string& detail, const std::string& what) {
  return util::MakeError(util::ErrorCode::kNotFound, detail, what);
}

std::string QuoteLines(const std::string& text) {
  std::string out;
  for (const auto& line : util::Split(util::Trim(text), '\n')) {
    std::string l = line;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    out += l.empty() || l[0] == '>' ? ">" + l : "> " + l;
    out += '\n';
  }
  return out;
}

// Digits with a leading "+" kept: "+359 88 123-4567" -> "+359881234567".
std::string NormalizePhone(const std::string& number) {
  std::string out;
  for (char c : number) {
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '+' && out.empty())) out += c;
  }
  return out;
}

}  // namespace

std::string DefaultSignature(const std::string& language) {
  const char* closing = "Kind regards,";
  if (language == "ru") closing = "С уважением,";
  if (language == "bg") closing = "С уважение,";
  if (language == "ro") closing = "Cu stimă,";
  return std::string(closing) +
         "\n{{agent_name}}\n{{#agent_position}}{{agent_position}}\n{{/agent_position}}{{company}}";
}

std::string QuoteHeader(const std::string& language, const std::string& when,
                        const std::string& who) {
  if (language == "ru") return when + ", " + who + " написал(а):";
  if (language == "bg") return when + ", " + who + " написа:";
  if (language == "ro") return "La " + when + ", " + who + " a scris:";
  return "On " + when + ", " + who + " wrote:";
}

std::string ReplyService::ComposeBody(const std::string& text, const std::string& signature,
                                      const std::string& quote_header, const std::string& quoted) {
  std::string body = util::Trim(text) + "\n\n" + util::Trim(signature) + "\n";
  if (!util::Trim(quoted).empty()) body += "\n" + quote_header + "\n" + QuoteLines(quoted);
  return body;
}

struct ReplyService::Context {
  domain::Ticket ticket;
  domain::User agent;
  TemplateScope scope;
  std::vector<domain::Article> articles;
};

ReplyService::ReplyService(store::Store& store, const util::Clock& clock, OutboundSettings settings,
                           domain::TicketTag tag)
    : store_(store),
      clock_(clock),
      automation_(store, clock, std::move(settings), tag),
      tag_(tag) {}

Result<ReplyService::Context> ReplyService::Load(store::Tx& tx, int64_t ticket_number,
                                                 const std::string& agent_email) {
  Context c;
  RD_ASSIGN_OR_RETURN(auto ticket, tx.FindTicketByNumber(ticket_number));
  if (!ticket) return NotFound("ticket.not_found", "no ticket " + std::to_string(ticket_number));
  c.ticket = *ticket;
  RD_ASSIGN_OR_RETURN(auto agent, tx.FindUserByEmail(domain::NormalizeAddress(agent_email)));
  if (!agent) return NotFound("user.not_found", "no agent " + agent_email);
  c.agent = *agent;
  RD_ASSIGN_OR_RETURN(c.scope, LoadScope(tx, c.ticket));
  c.scope.agent = c.agent;
  c.scope.tag = tag_.Format(c.ticket.number);
  RD_ASSIGN_OR_RETURN(c.articles, tx.ListArticles(c.ticket.id));
  return c;
}

Result<QueuedMail> ReplyService::Reply(const ReplyRequest& req) {
  QueuedMail queued;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(Context c, Load(tx, req.ticket_number, req.agent_email));
    if (!req.language.empty()) c.scope.language = req.language;
    const util::UnixSeconds now = clock_.Now();
    const auto vars = TemplateVars(tx, c.scope, now);
    std::string text;
    if (!req.template_name.empty()) {
      RD_ASSIGN_OR_RETURN(domain::Template tpl,
                          FindTemplate(tx, req.template_name, c.scope.language));
      RD_ASSIGN_OR_RETURN(text, rules::RenderTemplate(tpl.body, vars));
    }
    if (!req.text.empty()) text += (text.empty() ? "" : "\n\n") + req.text;
    if (util::Trim(text).empty()) {
      return util::MakeError(util::ErrorCode::kInvalidArgument, "reply.empty",
                             "a reply needs a template or text");
    }
    const std::string signature_source =
        c.agent.signature.empty() ? DefaultSignature(c.scope.language) : c.agent.signature;
    RD_ASSIGN_OR_RETURN(std::string signature, rules::RenderTemplate(signature_source, vars));

    // Quote only the customer's last message, without the history it quoted.
    const domain::Article* last = nullptr;
    std::vector<std::string> references;
    for (const auto& a : c.articles) {
      if (a.direction == domain::Direction::kInbound && a.kind == domain::ArticleKind::kEmail)
        last = &a;
      if (!a.message_id.empty()) references.push_back(a.message_id);
    }
    if (references.size() > kMaxReferences) {
      references.erase(references.begin() + 1, references.end() - (kMaxReferences - 1));
    }
    MailDraft d;
    d.ticket_id = c.ticket.id;
    d.from = {SenderName(c.scope), c.scope.channel ? c.scope.channel->address : ""};
    std::string quote_header, quoted;
    if (last) {
      d.to = {{last->sender_name, last->sender_address}};
      d.in_reply_to = last->message_id;
      std::string when = util::FormatIso8601Utc(last->created_at);
      if (c.scope.channel) {
        auto cal = sla::ParseCalendar(c.scope.channel->hours);
        if (cal.ok()) when = sla::FormatLocalTime(*cal, last->created_at, c.scope.language);
      }
      const std::string who = last->sender_name.empty()
                                  ? last->sender_address
                                  : last->sender_name + " <" + last->sender_address + ">";
      quote_header = QuoteHeader(c.scope.language, when, who);
      quoted = mail::TrimReply(last->body_text).visible_text;
    } else {
      for (const auto& id : c.scope.customer.identities) {
        if (id.kind == domain::IdentityKind::kEmail) {
          d.to = {{c.scope.customer.name, id.value}};
          break;
        }
      }
    }
    if (d.to.empty() || d.from.address.empty()) {
      return util::MakeError(util::ErrorCode::kInvalidArgument, "reply.no_recipient",
                             "the ticket has no customer address or no channel to send from");
    }
    for (const auto& cc : req.cc) d.cc.push_back({"", domain::NormalizeAddress(cc)});
    d.references = references;
    d.subject = tag_.AddTo("Re: " + c.ticket.subject, c.ticket.number);
    d.text = ComposeBody(text, signature, quote_header, quoted);
    d.attachments = req.attachments;
    d.author_user_id = c.agent.id;
    d.customer_id = c.ticket.customer_id;
    RD_ASSIGN_OR_RETURN(queued, automation_.outbound().Queue(tx, d));

    // The promise is kept at the first answer; the ticket now waits for the customer.
    if (!c.ticket.first_responded_at) c.ticket.first_responded_at = now;
    c.ticket.status = domain::TicketStatus::kPending;
    c.ticket.updated_at = now;
    if (!c.ticket.assignee_id) c.ticket.assignee_id = c.agent.id;
    RD_RETURN_IF_ERROR(tx.UpdateTicket(c.ticket));
    return automation_.OnAgentReply(tx, c.ticket, queued.article);
  }));
  return queued;
}

Result<domain::Article> ReplyService::Note(const NoteRequest& req) {
  domain::Article out;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(Context c, Load(tx, req.ticket_number, req.agent_email));
    if (util::Trim(req.text).empty()) {
      return util::MakeError(util::ErrorCode::kInvalidArgument, "note.empty", "empty note");
    }
    domain::Article a;
    a.ticket_id = c.ticket.id;
    a.kind = domain::ArticleKind::kNote;
    a.direction = domain::Direction::kInternal;  // never emailed
    a.sender_name = c.agent.name;
    a.sender_address = c.agent.email;
    a.body_text = req.text;
    a.created_at = clock_.Now();
    a.author_user_id = c.agent.id;
    RD_ASSIGN_OR_RETURN(out, tx.CreateArticle(a));
    return tx.TouchTicket(c.ticket.id, a.created_at, std::nullopt);
  }));
  return out;
}

Result<domain::Article> ReplyService::Call(const CallRequest& req) {
  domain::Article out;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(Context c, Load(tx, req.ticket_number, req.agent_email));
    const std::string phone = NormalizePhone(req.phone_number);
    domain::Article a;
    a.ticket_id = c.ticket.id;
    a.kind = domain::ArticleKind::kPhone;
    a.direction = req.inbound ? domain::Direction::kInbound : domain::Direction::kOutbound;
    a.customer_id = c.ticket.customer_id;
    a.sender_name = req.inbound ? c.scope.customer.name : c.agent.name;
    a.sender_address = req.inbound ? phone : c.agent.email;
    a.to = req.inbound ? c.agent.email : phone;
    a.body_text = req.summary;
    a.duration_seconds = req.duration_seconds;
    a.created_at = clock_.Now();
    a.author_user_id = c.agent.id;
    RD_ASSIGN_OR_RETURN(out, tx.CreateArticle(a));
    // One person, one record: the number joins the customer unless it is
    // already someone else's.
    if (!phone.empty()) {
      const domain::Identity id{domain::IdentityKind::kPhone, phone};
      RD_ASSIGN_OR_RETURN(auto owner, tx.FindCustomerByIdentity(id));
      if (!owner) {
        RD_RETURN_IF_ERROR(tx.AddIdentity(c.ticket.customer_id, id));
      } else if (owner->id != c.ticket.customer_id) {
        spdlog::warn("phone {} belongs to customer#{}, not to customer#{} of ticket {}", phone,
                     owner->id, c.ticket.customer_id, c.scope.tag);
      }
    }
    return tx.TouchTicket(c.ticket.id, a.created_at, std::nullopt);
  }));
  return out;
}

}  // namespace replydesk::services
