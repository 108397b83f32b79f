// Triggers: on an event, when all conditions hold, a list of actions. Rules are
// data (stored as JSON in the database, edited from the CLI and later the admin
// UI); Evaluate turns an event into actions and executes nothing — services do.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/entities.h"
#include "util/result.h"

namespace replydesk::rules {

enum class Event { kTicketCreated, kCustomerReplied, kAgentReplied, kStatusChanged };
const char* EventName(Event e);  // "ticket_created", "customer_replied", ...
std::optional<Event> ParseEvent(std::string_view name);

// What the conditions can look at. Filled by services from the ticket, its
// channel, the customer and the article that caused the event.
struct EventContext {
  Event event = Event::kTicketCreated;
  std::string channel_address;  // normalised
  std::optional<domain::Id> team_id;
  std::string team_name;
  std::string sender_address;  // normalised; "" for agent events without one
  std::string subject;
  std::string body;             // visible text of the article
  std::string language;         // "ru", "bg", "ro", "en" or ""
  domain::Priority priority = domain::Priority::kNormal;
  domain::TicketStatus status = domain::TicketStatus::kNew;
  std::string organisation;     // customer's organisation name, "" when none
  bool automatic = false;       // message is automatic (RFC 3834, bulk, list, bounce, no-reply,
                                // mailer-daemon, our own address): see services
};

// One condition: field op value. Fields: channel, team, sender, subject, body,
// language, priority, status, organisation, automatic. Ops: is, is_not,
// contains, not_contains (case-insensitive, UTF-8 aware), matches_domain (sender's domain).
struct Condition {
  std::string field;
  std::string op;
  std::string value;
};

enum class ActionKind { kSendTemplate, kAssignTeam, kAssignAgent, kSetPriority, kAddTag, kNotifyAgents };
const char* ActionKindName(ActionKind k);  // "send_template", "assign_team", ...

struct Action {
  ActionKind kind = ActionKind::kSendTemplate;
  // send_template: template name; assign_team: team name; assign_agent: agent
  // e-mail; set_priority: priority name; add_tag: tag; notify_agents: template
  // name sent to `to` (comma-separated agent e-mails, or "team" for the team).
  std::string value;
  std::string to;
  bool auto_reply = false;  // send_template: an automatic reply (Auto-Submitted, rate-limited)
};

struct Rule {
  domain::Id id = 0;
  std::string name;
  Event event = Event::kTicketCreated;
  bool enabled = true;
  int position = 0;  // evaluation order, ascending
  bool stop = false;  // when it matches, later rules for the event are skipped
  std::vector<Condition> conditions;  // all must hold
  std::vector<Action> actions;
};

// JSON form (stored in the database and accepted by `replydesk rule add`):
// {"name":..., "event":"ticket_created", "enabled":true, "position":0, "stop":false,
//  "conditions":[{"field":"automatic","op":"is","value":"false"}],
//  "actions":[{"kind":"send_template","value":"acknowledgement","auto_reply":true}]}
// kInvalidArgument "rules.bad_rule" naming the bad field.
util::Result<Rule> ParseRule(std::string_view json);
std::string SerializeRule(const Rule& rule);

// Actions of every enabled rule for ctx.event whose conditions hold, in
// position order (then id), honouring `stop`.
std::vector<Action> Evaluate(const std::vector<Rule>& rules, const EventContext& ctx);

// The rules a new installation starts with: the acknowledgement trigger
// (ticket_created, not automatic -> send_template "acknowledgement", auto_reply).
std::vector<Rule> DefaultRules();

}  // namespace replydesk::rules
