// The JSON form of rules: strict parsing (every key, name and type checked,
// the offending part named in the error) and its inverse. See rule.h and
// docs/rules.md.
#include <algorithm>
#include <climits>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "domain/address.h"
#include "rules/rule.h"
#include "util/strings.h"

namespace replydesk::rules {
namespace {

using Json = nlohmann::json;
using util::Result;
using util::Status;

util::Error BadRule(const std::string& part, const std::string& problem) {
  return util::MakeError(util::ErrorCode::kInvalidArgument, "rules.bad_rule",
                         part + ": " + problem);
}

std::string Path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

Status CheckKeys(const Json& obj, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
  for (const auto& item : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
      return BadRule(Path(path, item.key()), "unknown key");
    }
  }
  return util::OkStatus();
}

// obj[key] as a string; `fallback` when absent, an error when absent and none.
Result<std::string> String(const Json& obj, const std::string& path, std::string_view key,
                           std::optional<std::string> fallback = std::nullopt) {
  const auto it = obj.find(key);
  if (it == obj.end()) {
    if (fallback) return *fallback;
    return BadRule(Path(path, key), "missing");
  }
  if (!it->is_string()) return BadRule(Path(path, key), "must be a string");
  return it->get<std::string>();
}

Result<std::string> NonEmptyString(const Json& obj, const std::string& path, std::string_view key) {
  RD_ASSIGN_OR_RETURN(std::string s, String(obj, path, key));
  if (util::TrimView(s).empty()) return BadRule(Path(path, key), "empty");
  return s;
}

Result<bool> Bool(const Json& obj, const std::string& path, std::string_view key, bool fallback) {
  const auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (!it->is_boolean()) return BadRule(Path(path, key), "must be true or false");
  return it->get<bool>();
}

Result<int64_t> Integer(const Json& obj, std::string_view key, int64_t min, int64_t max) {
  const auto it = obj.find(key);
  if (it == obj.end()) return int64_t{0};
  bool fits = it->is_number_integer() &&
              (it->is_number_unsigned() ? it->get<uint64_t>() <= static_cast<uint64_t>(max)
                                        : it->get<int64_t>() >= min && it->get<int64_t>() <= max);
  if (!fits) return BadRule(std::string(key), "must be an integer in range");
  return it->get<int64_t>();
}

Result<Condition> ParseCondition(const Json& j, const std::string& path) {
  if (!j.is_object()) return BadRule(path, "must be an object");
  RD_RETURN_IF_ERROR(CheckKeys(j, path, {"field", "op", "value"}));
  Condition c;
  RD_ASSIGN_OR_RETURN(c.field, String(j, path, "field"));
  RD_ASSIGN_OR_RETURN(c.op, String(j, path, "op"));
  RD_ASSIGN_OR_RETURN(c.value, String(j, path, "value"));
  if (Status st = ValidateCondition(c); !st.ok()) {
    // "op: unknown op ..." -> "conditions[1].op: unknown op ..."
    return util::MakeError(util::ErrorCode::kInvalidArgument, "rules.bad_rule",
                           path + "." + st.error().message);
  }
  return c;
}

// Checks the value of an action whose kind names something specific.
Status CheckActionValue(const Action& a, const std::string& path) {
  if (a.kind == ActionKind::kSetPriority && !domain::ParsePriority(a.value)) {
    return BadRule(Path(path, "value"), "not a priority (low, normal, high, urgent)");
  }
  if (a.kind == ActionKind::kAssignAgent && domain::NormalizeAddress(a.value).empty()) {
    return BadRule(Path(path, "value"), "not an e-mail address");
  }
  if (a.kind == ActionKind::kNotifyAgents && util::Trim(a.to) != "team") {
    for (const std::string& part : util::Split(a.to, ',')) {
      const std::string address = util::Trim(part);
      if (domain::NormalizeAddress(address).empty()) {
        return BadRule(Path(path, "to"),
                       "\"" + address + "\" is not an e-mail address or \"team\"");
      }
    }
  }
  return util::OkStatus();
}

Result<Action> ParseAction(const Json& j, const std::string& path) {
  if (!j.is_object()) return BadRule(path, "must be an object");
  RD_ASSIGN_OR_RETURN(std::string kind, String(j, path, "kind"));
  const auto parsed = ParseActionKind(kind);
  if (!parsed) return BadRule(Path(path, "kind"), "unknown action kind \"" + kind + "\"");
  Action a;
  a.kind = *parsed;
  if (a.kind == ActionKind::kSendTemplate) {
    RD_RETURN_IF_ERROR(CheckKeys(j, path, {"kind", "value", "auto_reply"}));
    RD_ASSIGN_OR_RETURN(a.auto_reply, Bool(j, path, "auto_reply", false));
  } else if (a.kind == ActionKind::kNotifyAgents) {
    RD_RETURN_IF_ERROR(CheckKeys(j, path, {"kind", "value", "to"}));
    RD_ASSIGN_OR_RETURN(a.to, NonEmptyString(j, path, "to"));
  } else {
    RD_RETURN_IF_ERROR(CheckKeys(j, path, {"kind", "value"}));
  }
  RD_ASSIGN_OR_RETURN(a.value, NonEmptyString(j, path, "value"));
  RD_RETURN_IF_ERROR(CheckActionValue(a, path));
  return a;
}

Result<std::vector<Condition>> ParseConditions(const Json& rule) {
  std::vector<Condition> out;
  const auto it = rule.find("conditions");
  if (it == rule.end()) return out;
  if (!it->is_array()) return BadRule("conditions", "must be an array");
  for (size_t i = 0; i < it->size(); ++i) {
    RD_ASSIGN_OR_RETURN(Condition c,
                        ParseCondition((*it)[i], "conditions[" + std::to_string(i) + "]"));
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<Action>> ParseActions(const Json& rule) {
  std::vector<Action> out;
  const auto it = rule.find("actions");
  if (it == rule.end()) return BadRule("actions", "missing");
  if (!it->is_array()) return BadRule("actions", "must be an array");
  if (it->empty()) return BadRule("actions", "empty: a rule needs at least one action");
  for (size_t i = 0; i < it->size(); ++i) {
    RD_ASSIGN_OR_RETURN(Action a, ParseAction((*it)[i], "actions[" + std::to_string(i) + "]"));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

Result<Rule> ParseRule(std::string_view text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    return BadRule("rule", std::string("not JSON: ") + e.what());
  }
  if (!j.is_object()) return BadRule("rule", "must be a JSON object");
  RD_RETURN_IF_ERROR(CheckKeys(
      j, "", {"id", "name", "event", "enabled", "position", "stop", "conditions", "actions"}));
  Rule r;
  RD_ASSIGN_OR_RETURN(r.id, Integer(j, "id", 0, INT64_MAX));
  RD_ASSIGN_OR_RETURN(r.name, NonEmptyString(j, "", "name"));
  RD_ASSIGN_OR_RETURN(std::string event, String(j, "", "event"));
  const auto parsed = ParseEvent(event);
  if (!parsed) return BadRule("event", "unknown event \"" + event + "\"");
  r.event = *parsed;
  RD_ASSIGN_OR_RETURN(r.enabled, Bool(j, "", "enabled", true));
  RD_ASSIGN_OR_RETURN(int64_t position, Integer(j, "position", INT_MIN, INT_MAX));
  r.position = static_cast<int>(position);
  RD_ASSIGN_OR_RETURN(r.stop, Bool(j, "", "stop", false));
  RD_ASSIGN_OR_RETURN(r.conditions, ParseConditions(j));
  RD_ASSIGN_OR_RETURN(r.actions, ParseActions(j));
  return r;
}

std::string SerializeRule(const Rule& rule) {
  // Key order as a person would write it (ordered_json keeps insertion order).
  nlohmann::ordered_json j;
  if (rule.id != 0) j["id"] = rule.id;
  j["name"] = rule.name;
  j["event"] = EventName(rule.event);
  j["enabled"] = rule.enabled;
  j["position"] = rule.position;
  j["stop"] = rule.stop;
  j["conditions"] = nlohmann::ordered_json::array();
  for (const Condition& c : rule.conditions) {
    j["conditions"].push_back({{"field", c.field}, {"op", c.op}, {"value", c.value}});
  }
  j["actions"] = nlohmann::ordered_json::array();
  for (const Action& a : rule.actions) {
    nlohmann::ordered_json o;
    o["kind"] = ActionKindName(a.kind);
    o["value"] = a.value;
    if (a.kind == ActionKind::kSendTemplate) o["auto_reply"] = a.auto_reply;
    if (a.kind == ActionKind::kNotifyAgents) o["to"] = a.to;
    j["actions"].push_back(std::move(o));
  }
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace replydesk::rules
