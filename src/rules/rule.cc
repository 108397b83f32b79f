// Triggers: names of events and actions, evaluation order, and the rules a
// new installation starts with. See rule.h; conditions live in condition_matcher.cc,
// the JSON form in rule_json.cc.
#include "rules/rule.h"

#include <algorithm>
#include <array>
#include <utility>

#include "rules/condition_matcher.h"

namespace replydesk::rules {
namespace {

constexpr std::array<std::pair<Event, const char*>, 4> kEvents = {{
    {Event::kTicketCreated, "ticket_created"},
    {Event::kCustomerReplied, "customer_replied"},
    {Event::kAgentReplied, "agent_replied"},
    {Event::kStatusChanged, "status_changed"},
}};

constexpr std::array<std::pair<ActionKind, const char*>, 6> kActionKinds = {{
    {ActionKind::kSendTemplate, "send_template"},
    {ActionKind::kAssignTeam, "assign_team"},
    {ActionKind::kAssignAgent, "assign_agent"},
    {ActionKind::kSetPriority, "set_priority"},
    {ActionKind::kAddTag, "add_tag"},
    {ActionKind::kNotifyAgents, "notify_agents"},
}};

template <typename Enum, size_t N>
const char* NameOf(const std::array<std::pair<Enum, const char*>, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return table[0].second;
}

template <typename Enum, size_t N>
std::optional<Enum> ValueOf(const std::array<std::pair<Enum, const char*>, N>& table,
                            std::string_view name) {
  for (const auto& [v, n] : table) {
    if (name == n) return v;
  }
  return std::nullopt;
}

}  // namespace

const char* EventName(Event e) { return NameOf(kEvents, e); }
std::optional<Event> ParseEvent(std::string_view name) { return ValueOf(kEvents, name); }
const char* ActionKindName(ActionKind k) { return NameOf(kActionKinds, k); }
std::optional<ActionKind> ParseActionKind(std::string_view name) {
  return ValueOf(kActionKinds, name);
}

std::vector<Action> Evaluate(const std::vector<Rule>& rules, const EventContext& ctx) {
  std::vector<const Rule*> candidates;
  for (const Rule& r : rules) {
    if (r.enabled && r.event == ctx.event) candidates.push_back(&r);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Rule* a, const Rule* b) {
    return std::pair(a->position, a->id) < std::pair(b->position, b->id);
  });
  ConditionMatcher matcher(ctx);
  std::vector<Action> actions;
  for (const Rule* r : candidates) {
    bool holds = std::all_of(r->conditions.begin(), r->conditions.end(),
                             [&](const Condition& c) { return matcher.Holds(c); });
    if (!holds) continue;
    actions.insert(actions.end(), r->actions.begin(), r->actions.end());
    if (r->stop) break;
  }
  return actions;
}

std::vector<Rule> DefaultRules() {
  Rule ack;
  ack.name = "Acknowledge new tickets";
  ack.event = Event::kTicketCreated;
  ack.position = 100;  // room for an admin's rules before it (spam, VIP routing)
  ack.conditions = {{"automatic", "is", "false"}};
  Action send;
  send.kind = ActionKind::kSendTemplate;
  send.value = "acknowledgement";
  send.auto_reply = true;
  ack.actions = {send};
  return {ack};
}

}  // namespace replydesk::rules
