// Triggers at work: see automation.h.
#include "services/automation.h"

#include <algorithm>

#include "domain/address.h"
#include "rules/templates.h"
#include "util/log.h"
#include "util/strings.h"

namespace replydesk::services {

using util::Result;
using util::Status;

namespace {

constexpr int64_t kStaleSeconds = 86400;

std::vector<rules::Rule> LoadRules(store::Tx& tx, rules::Event event, Status* status) {
  std::vector<rules::Rule> out;
  auto rows = tx.ListRules(std::string(rules::EventName(event)));
  if (!rows.ok()) {
    *status = rows.error();
    return out;
  }
  for (const auto& row : *rows) {
    auto rule = rules::ParseRule(row.definition);
    if (!rule.ok()) {
      spdlog::warn("rule '{}' is not valid and is skipped: {}", row.name, rule.error().ToString());
      continue;
    }
    rule->id = row.id;
    rule->enabled = row.enabled;
    rule->position = row.position;
    out.push_back(std::move(rule).value());
  }
  return out;
}

}  // namespace

bool IsRobotSender(const std::string& address) {
  const auto at = address.find('@');
  std::string local = address.substr(0, at);
  for (char& c : local) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::erase_if(local, [](char c) { return c == '-' || c == '_' || c == '.'; });
  static const char* const kRobots[] = {"mailerdaemon", "postmaster", "noreply", "donotreply",
                                        "noresponse",   "bounce",     "bounces", "autoreply"};
  for (const char* r : kRobots) {
    if (local == r || (std::string_view(r) == "bounce" && local.starts_with("bounce"))) {
      return true;
    }
  }
  return false;
}

Automation::Automation(store::Store& store, const util::Clock& clock, OutboundSettings settings,
                       domain::TicketTag tag)
    : store_(store), clock_(clock), outbound_(store, clock, std::move(settings)), tag_(tag) {}

Result<bool> Automation::IsOurAddress(store::Tx& tx, const std::string& address) {
  RD_ASSIGN_OR_RETURN(auto channel, tx.FindChannelByAddress(address));
  return channel.has_value();
}

Status Automation::OnInbound(store::Tx& tx, const PreparedMessage& msg,
                             const ProcessOutcome& outcome) {
  if (outcome.bounce || outcome.ticket_id == 0) return util::OkStatus();
  // Importing history must not answer years-old mail.
  if (msg.inbound.source == "import") return util::OkStatus();
  RD_ASSIGN_OR_RETURN(domain::Ticket ticket, tx.GetTicket(outcome.ticket_id));
  Trigger t;
  RD_ASSIGN_OR_RETURN(t.scope, LoadScope(tx, ticket));
  t.scope.tag = tag_.Format(ticket.number);
  const mail::ParsedMessage& p = msg.parsed;
  for (const auto& m : p.reply_to.empty() ? p.from : p.reply_to) {
    if (!m.address.empty()) {
      t.reply_to = m;
      break;
    }
  }
  if (t.reply_to.name.empty()) t.reply_to.name = t.scope.customer.name;
  t.in_reply_to = p.message_id;
  t.references = p.references;
  if (!p.message_id.empty()) t.references.push_back(p.message_id);
  const util::UnixSeconds now = clock_.Now();
  t.stale = p.date && now - *p.date > kStaleSeconds;

  rules::EventContext& ctx = t.ctx;
  ctx.event = outcome.new_ticket ? rules::Event::kTicketCreated : rules::Event::kCustomerReplied;
  ctx.channel_address = t.scope.channel ? t.scope.channel->address : "";
  ctx.team_id = ticket.team_id;
  ctx.team_name = t.scope.team ? t.scope.team->name : "";
  ctx.sender_address = domain::NormalizeAddress(t.reply_to.address);
  ctx.subject = p.subject;
  ctx.body = msg.visible_text.empty() ? p.text : msg.visible_text;
  ctx.language = t.scope.language;
  ctx.priority = ticket.priority;
  ctx.status = ticket.status;
  // The customer's organisation, as senders map to it: by their mail domain.
  RD_ASSIGN_OR_RETURN(auto organisation,
                      tx.FindOrganisationByDomain(AddressDomain(ctx.sender_address)));
  if (organisation) ctx.organisation = organisation->name;
  RD_ASSIGN_OR_RETURN(bool ours, IsOurAddress(tx, ctx.sender_address));
  ctx.automatic = p.auto_submitted || msg.bounce.has_value() || ours ||
                  IsRobotSender(ctx.sender_address) || ctx.sender_address.empty();

  Status status;
  const auto rules_for_event = LoadRules(tx, ctx.event, &status);
  RD_RETURN_IF_ERROR(status);
  const auto actions = rules::Evaluate(rules_for_event, ctx);
  return Execute(tx, actions, t);
}

Status Automation::OnAgentReply(store::Tx& tx, const domain::Ticket& ticket,
                                const domain::Article& article) {
  Trigger t;
  RD_ASSIGN_OR_RETURN(t.scope, LoadScope(tx, ticket));
  t.scope.tag = tag_.Format(ticket.number);
  rules::EventContext& ctx = t.ctx;
  ctx.event = rules::Event::kAgentReplied;
  ctx.channel_address = t.scope.channel ? t.scope.channel->address : "";
  ctx.team_id = ticket.team_id;
  ctx.team_name = t.scope.team ? t.scope.team->name : "";
  ctx.sender_address = article.sender_address;
  ctx.subject = article.subject;
  ctx.body = article.body_text;
  ctx.language = t.scope.language;
  ctx.priority = ticket.priority;
  ctx.status = ticket.status;
  ctx.automatic = false;
  // Automatic replies never answer an agent's reply: there is no one to answer.
  t.stale = true;
  Status status;
  const auto rules_for_event = LoadRules(tx, ctx.event, &status);
  RD_RETURN_IF_ERROR(status);
  return Execute(tx, rules::Evaluate(rules_for_event, ctx), t);
}

Status Automation::Execute(store::Tx& tx, const std::vector<rules::Action>& actions, Trigger& t) {
  domain::Ticket& ticket = t.scope.ticket;
  bool ticket_changed = false;
  for (const auto& action : actions) {
    switch (action.kind) {
      case rules::ActionKind::kSendTemplate:
        RD_RETURN_IF_ERROR(SendTemplate(tx, action, t));
        break;
      case rules::ActionKind::kNotifyAgents:
        RD_RETURN_IF_ERROR(NotifyAgents(tx, action, t));
        break;
      case rules::ActionKind::kAssignTeam: {
        RD_ASSIGN_OR_RETURN(auto team, tx.FindTeamByName(action.value));
        if (!team) {
          spdlog::warn("rule action assign_team: no team '{}'", action.value);
          break;
        }
        ticket.team_id = team->id;
        t.scope.team = *team;
        ticket_changed = true;
        break;
      }
      case rules::ActionKind::kAssignAgent: {
        RD_ASSIGN_OR_RETURN(auto user, tx.FindUserByEmail(domain::NormalizeAddress(action.value)));
        if (!user) {
          spdlog::warn("rule action assign_agent: no agent '{}'", action.value);
          break;
        }
        ticket.assignee_id = user->id;
        ticket_changed = true;
        break;
      }
      case rules::ActionKind::kSetPriority: {
        auto priority = domain::ParsePriority(action.value);
        if (!priority) {
          spdlog::warn("rule action set_priority: unknown priority '{}'", action.value);
          break;
        }
        ticket.priority = *priority;
        ticket_changed = true;
        break;
      }
      case rules::ActionKind::kAddTag:
        RD_RETURN_IF_ERROR(tx.AddTicketTag(ticket.id, action.value));
        break;
    }
  }
  if (ticket_changed) RD_RETURN_IF_ERROR(tx.UpdateTicket(ticket));
  return util::OkStatus();
}

Status Automation::SendTemplate(store::Tx& tx, const rules::Action& action, const Trigger& t) {
  const std::string& recipient = t.ctx.sender_address;
  if (action.auto_reply) {
    // Loop safety first, whatever the rule's conditions say.
    if (t.ctx.automatic || t.stale || recipient.empty()) {
      spdlog::info("ticket {}: no automatic reply ({})", t.scope.tag,
                   t.stale ? "old message" : "automatic sender");
      return util::OkStatus();
    }
    const util::UnixSeconds now = clock_.Now();
    RD_ASSIGN_OR_RETURN(int64_t recent, tx.CountAutomaticOutbound(recipient, now - 3600));
    if (recent >= outbound_.settings().auto_replies_per_hour) {
      spdlog::info("ticket {}: no automatic reply, {} already sent to {} this hour", t.scope.tag,
                   recent, recipient);
      return util::OkStatus();
    }
  }
  if (recipient.empty()) return util::OkStatus();
  RD_ASSIGN_OR_RETURN(domain::Template tpl, FindTemplate(tx, action.value, t.scope.language));
  const auto vars = TemplateVars(tx, t.scope, clock_.Now());
  RD_ASSIGN_OR_RETURN(std::string subject, rules::RenderTemplate(tpl.subject, vars));
  RD_ASSIGN_OR_RETURN(std::string body, rules::RenderTemplate(tpl.body, vars));
  MailDraft d;
  d.ticket_id = t.scope.ticket.id;
  d.from = {SenderName(t.scope), t.scope.channel ? t.scope.channel->address : ""};
  if (d.from.address.empty()) {
    spdlog::warn("ticket {}: no channel address to answer from", t.scope.tag);
    return util::OkStatus();
  }
  d.to = {t.reply_to};
  d.subject = tag_.AddTo(util::Trim(subject), t.scope.ticket.number);
  d.text = body;
  d.in_reply_to = t.in_reply_to;
  d.references = t.references;
  d.automatic = action.auto_reply;
  d.customer_id = t.scope.customer.id;
  RD_ASSIGN_OR_RETURN([[maybe_unused]] QueuedMail queued, outbound_.Queue(tx, d));
  return util::OkStatus();
}

Status Automation::NotifyAgents(store::Tx& tx, const rules::Action& action, const Trigger& t) {
  std::vector<mail::Mailbox> to;
  if (action.to.empty() || action.to == "team") {
    RD_ASSIGN_OR_RETURN(auto users, tx.ListUsers());
    for (const auto& u : users) to.push_back({u.name, u.email});
  } else {
    for (const auto& part : util::Split(action.to, ',')) {
      const std::string a = domain::NormalizeAddress(util::Trim(part));
      if (!a.empty()) to.push_back({"", a});
    }
  }
  if (to.empty() || !t.scope.channel) return util::OkStatus();
  RD_ASSIGN_OR_RETURN(domain::Template tpl, FindTemplate(tx, action.value, "en"));
  auto vars = TemplateVars(tx, t.scope, clock_.Now());
  vars["sender"] = t.ctx.sender_address;
  vars["excerpt"] = t.ctx.body.substr(0, std::min<size_t>(t.ctx.body.size(), 600));
  RD_ASSIGN_OR_RETURN(std::string subject, rules::RenderTemplate(tpl.subject, vars));
  RD_ASSIGN_OR_RETURN(std::string body, rules::RenderTemplate(tpl.body, vars));
  MailDraft d;
  d.ticket_id = t.scope.ticket.id;
  d.from = {SenderName(t.scope), t.scope.channel->address};
  d.to = to;
  d.subject = tag_.AddTo(util::Trim(subject), t.scope.ticket.number);
  d.text = body;
  d.automatic = true;
  RD_ASSIGN_OR_RETURN([[maybe_unused]] QueuedMail queued, outbound_.Queue(tx, d));
  return util::OkStatus();
}

}  // namespace replydesk::services
