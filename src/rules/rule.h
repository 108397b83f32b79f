// Triggers: on an event, when all conditions hold, a list of actions. Rules are
// data (stored as JSON in the database, edited from the CLI and later the admin
// UI); Evaluate turns an event into actions and executes nothing — services do.
// The JSON format, fields, operators and actions are documented in docs/rules.md.
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
  std::string body;      // visible text of the article
  std::string language;  // "ru", "bg", "ro", "en" or ""
  domain::Priority priority = domain::Priority::kNormal;
  domain::TicketStatus status = domain::TicketStatus::kNew;
  std::string organisation;  // customer's organisation name, "" when none
  bool automatic = false;    // message is automatic (RFC 3834, bulk, list, bounce, no-reply,
                             // mailer-daemon, our own address): see services
};

// One condition: field op value.
//   Fields: channel, team, sender, subject, body, language, priority, status,
//   organisation, automatic.
//   Ops: is, is_not (whole value, surrounding space ignored); contains,
//   not_contains (substring); matches_domain (sender only: the sender's domain
//   is `value` or a subdomain of it; a leading '@' in value is allowed).
//   priority, status and automatic take is/is_not only, with a priority name,
//   a status name, or "true"/"false"; language takes is/is_not only.
// Text comparison ignores case (Latin and Cyrillic), and also ё/е and the
// Romanian diacritics ă â î ș ț (either form: comma below or cedilla), which
// customers often type without: "subject contains счет" matches "СЧЁТ".
struct Condition {
  std::string field;
  std::string op;
  std::string value;

  friend bool operator==(const Condition&, const Condition&) = default;
};

enum class ActionKind {
  kSendTemplate,
  kAssignTeam,
  kAssignAgent,
  kSetPriority,
  kAddTag,
  kNotifyAgents
};
const char* ActionKindName(ActionKind k);  // "send_template", "assign_team", ...
std::optional<ActionKind> ParseActionKind(std::string_view name);

struct Action {
  ActionKind kind = ActionKind::kSendTemplate;
  // send_template: template name; assign_team: team name; assign_agent: agent
  // e-mail; set_priority: priority name; add_tag: tag; notify_agents: template
  // name sent to `to` (comma-separated agent e-mails, or "team" for the team).
  std::string value;
  std::string to;           // notify_agents only
  bool auto_reply = false;  // send_template: an automatic reply (Auto-Submitted, rate-limited)

  friend bool operator==(const Action&, const Action&) = default;
};

struct Rule {
  domain::Id id = 0;
  std::string name;
  Event event = Event::kTicketCreated;
  bool enabled = true;
  int position = 0;                   // evaluation order, ascending
  bool stop = false;                  // when it matches, later rules for the event are skipped
  std::vector<Condition> conditions;  // all must hold
  std::vector<Action> actions;

  friend bool operator==(const Rule&, const Rule&) = default;
};

// JSON form (stored in the database and accepted by `replydesk rule add`):
// {"name":..., "event":"ticket_created", "enabled":true, "position":0, "stop":false,
//  "conditions":[{"field":"automatic","op":"is","value":"false"}],
//  "actions":[{"kind":"send_template","value":"acknowledgement","auto_reply":true}]}
// Required: name (non-empty), event, actions (at least one). Optional: id
// (integer, written by SerializeRule when non-zero), enabled, position, stop,
// conditions. Strict: any unknown key, event, field, op, action kind, a wrong
// JSON type, an op that does not apply to its field, a bad priority/status/
// automatic value, an empty value, `to` or `auto_reply` on an action kind that
// has none, or `notify_agents` without `to` gives kInvalidArgument
// "rules.bad_rule" whose message names the offending part
// ("conditions[1].op: unknown op \"equals\"").
util::Result<Rule> ParseRule(std::string_view json);

// Compact JSON that ParseRule reads back to an equal Rule. Only the keys an
// action kind has are written (auto_reply for send_template, to for
// notify_agents). Never throws: invalid UTF-8 is replaced by U+FFFD.
std::string SerializeRule(const Rule& rule);

// Checks one condition as ParseRule does: kInvalidArgument "rules.bad_rule",
// the message naming the part ("op: unknown op \"equals\"").
util::Status ValidateCondition(const Condition& c);

// True when `c` holds for `ctx`. A condition ValidateCondition rejects never
// holds (rules built in code get no second chance to be parsed).
bool ConditionHolds(const Condition& c, const EventContext& ctx);

// Actions of every enabled rule for ctx.event whose conditions hold, in
// position order (then id), honouring `stop`. Rules of other events are ignored.
std::vector<Action> Evaluate(const std::vector<Rule>& rules, const EventContext& ctx);

// The rules a new installation starts with: the acknowledgement trigger
// (ticket_created, not automatic -> send_template "acknowledgement", auto_reply).
std::vector<Rule> DefaultRules();

}  // namespace replydesk::rules
