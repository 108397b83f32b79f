// The JSON form of rules: strict parsing with the offending part named, and
// SerializeRule/ParseRule round trips.
#include "rules/rule.h"

#include <gtest/gtest.h>

#include <string>

namespace replydesk::rules {
namespace {

// The error message of ParseRule(json), "" when it parsed.
std::string ParseError(const std::string& json) {
  auto r = ParseRule(json);
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, util::ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().detail, "rules.bad_rule");
  return r.error().message;
}

// A valid rule with `conditions` and `actions` spliced in.
std::string RuleJson(const std::string& conditions, const std::string& actions) {
  return R"({"name":"r","event":"ticket_created","conditions":[)" + conditions +
         R"(],"actions":[)" + actions + "]}";
}

const char* kSend = R"({"kind":"send_template","value":"acknowledgement"})";

TEST(RuleTest, ParsesTheDocumentedExample) {
  auto r = ParseRule(R"({"name":"Acknowledge", "event":"ticket_created", "enabled":true,
      "position":0, "stop":false,
      "conditions":[{"field":"automatic","op":"is","value":"false"}],
      "actions":[{"kind":"send_template","value":"acknowledgement","auto_reply":true}]})");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->name, "Acknowledge");
  EXPECT_EQ(r->event, Event::kTicketCreated);
  EXPECT_TRUE(r->enabled);
  ASSERT_EQ(r->conditions.size(), 1u);
  EXPECT_EQ(r->conditions[0], (Condition{"automatic", "is", "false"}));
  ASSERT_EQ(r->actions.size(), 1u);
  EXPECT_EQ(r->actions[0].kind, ActionKind::kSendTemplate);
  EXPECT_EQ(r->actions[0].value, "acknowledgement");
  EXPECT_TRUE(r->actions[0].auto_reply);
}

TEST(RuleTest, DefaultsForOptionalKeys) {
  auto r = ParseRule(R"({"name":"n","event":"customer_replied","actions":[)" + std::string(kSend) +
                     "]}");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->id, 0);
  EXPECT_TRUE(r->enabled);
  EXPECT_EQ(r->position, 0);
  EXPECT_FALSE(r->stop);
  EXPECT_TRUE(r->conditions.empty());
  EXPECT_FALSE(r->actions[0].auto_reply);
}

TEST(RuleTest, NamesTheOffendingPart) {
  EXPECT_EQ(
      ParseError(R"({"name":"r","event":"ticket_closed","actions":[)" + std::string(kSend) + "]}"),
      "event: unknown event \"ticket_closed\"");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"from","op":"is","value":"x"})", kSend)),
            "conditions[0].field: unknown field \"from\"");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"subject","op":"contains","value":"a"},
                                   {"field":"subject","op":"equals","value":"x"})",
                                kSend)),
            "conditions[1].op: unknown op \"equals\"");
  EXPECT_EQ(ParseError(RuleJson("", R"({"kind":"send_mail","value":"x"})")),
            "actions[0].kind: unknown action kind \"send_mail\"");
  EXPECT_EQ(ParseError(R"({"name":"r","event":"ticket_created","actions":[)" + std::string(kSend) +
                       R"(],"condition":[]})"),
            "condition: unknown key");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"body","op":"contains","value":"x","case":1})", kSend)),
            "conditions[0].case: unknown key");
}

TEST(RuleTest, RejectsWrongTypesAndMissingParts) {
  EXPECT_NE(ParseError("not json"), "");
  EXPECT_NE(ParseError("{\"name\":"), "");  // truncated
  EXPECT_EQ(ParseError("[]"), "rule: must be a JSON object");
  EXPECT_EQ(ParseError(R"({"event":"ticket_created","actions":[)" + std::string(kSend) + "]}"),
            "name: missing");
  EXPECT_EQ(ParseError(R"({"name":"  ","event":"ticket_created","actions":[)" + std::string(kSend) +
                       "]}"),
            "name: empty");
  EXPECT_EQ(ParseError(R"({"name":"r","event":"ticket_created"})"), "actions: missing");
  EXPECT_EQ(ParseError(RuleJson("", "")), "actions: empty: a rule needs at least one action");
  EXPECT_EQ(ParseError(R"({"name":"r","event":"ticket_created","enabled":"yes","actions":[)" +
                       std::string(kSend) + "]}"),
            "enabled: must be true or false");
  EXPECT_EQ(ParseError(R"({"name":"r","event":"ticket_created","position":1.5,"actions":[)" +
                       std::string(kSend) + "]}"),
            "position: must be an integer in range");
  EXPECT_EQ(ParseError(R"({"name":"r","event":"ticket_created","position":4294967296,"actions":[)" +
                       std::string(kSend) + "]}"),
            "position: must be an integer in range");
  EXPECT_EQ(ParseError(R"({"name":"r","event":"ticket_created","id":-1,"actions":[)" +
                       std::string(kSend) + "]}"),
            "id: must be an integer in range");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"subject","op":"is","value":5})", kSend)),
            "conditions[0].value: must be a string");
  EXPECT_EQ(ParseError(RuleJson(R"("subject")", kSend)), "conditions[0]: must be an object");
  EXPECT_EQ(ParseError(RuleJson("", R"({"kind":"add_tag"})")), "actions[0].value: missing");
}

TEST(RuleTest, ChecksValuesAgainstTheirField) {
  EXPECT_EQ(
      ParseError(RuleJson(R"({"field":"subject","op":"matches_domain","value":"a.com"})", kSend)),
      "conditions[0].op: \"matches_domain\" does not apply to field \"subject\"");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"priority","op":"contains","value":"high"})", kSend)),
            "conditions[0].op: \"contains\" does not apply to field \"priority\"");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"priority","op":"is","value":"critical"})", kSend)),
            "conditions[0].value: \"critical\" not a priority (low, normal, high, urgent)");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"status","op":"is","value":"done"})", kSend)),
            "conditions[0].value: \"done\" not a status (new, open, pending, solved, closed)");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"automatic","op":"is","value":"no"})", kSend)),
            "conditions[0].value: \"no\" must be \"true\" or \"false\"");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"language","op":"is","value":"russian"})", kSend)),
            "conditions[0].value: \"russian\" not a language code (\"ru\")");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"body","op":"contains","value":" "})", kSend)),
            "conditions[0].value: \" \" empty");
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"sender","op":"matches_domain","value":"@"})", kSend)),
            "conditions[0].value: \"@\" not a domain");
  // "is" with "" is meaningful: no organisation, unknown language.
  EXPECT_EQ(ParseError(RuleJson(R"({"field":"organisation","op":"is","value":""},
                                   {"field":"language","op":"is_not","value":""})",
                                kSend)),
            "");
}

TEST(RuleTest, ChecksActionsByKind) {
  EXPECT_EQ(ParseError(RuleJson("", R"({"kind":"set_priority","value":"asap"})")),
            "actions[0].value: not a priority (low, normal, high, urgent)");
  EXPECT_EQ(ParseError(RuleJson("", R"({"kind":"assign_agent","value":"Anna"})")),
            "actions[0].value: not an e-mail address");
  EXPECT_EQ(ParseError(RuleJson("", R"({"kind":"notify_agents","value":"agent_notification"})")),
            "actions[0].to: missing");
  EXPECT_EQ(
      ParseError(RuleJson(
          "", R"({"kind":"notify_agents","value":"agent_notification","to":"a@x.bg, anna"})")),
      "actions[0].to: \"anna\" is not an e-mail address or \"team\"");
  EXPECT_EQ(ParseError(RuleJson("", R"({"kind":"add_tag","value":"vip","auto_reply":true})")),
            "actions[0].auto_reply: unknown key");
  EXPECT_EQ(ParseError(RuleJson("", R"({"kind":"send_template","value":"x","to":"team"})")),
            "actions[0].to: unknown key");
  EXPECT_EQ(ParseError(RuleJson("", R"({"kind":"notify_agents","value":"agent_notification",
                                        "to":"team"},
                                       {"kind":"assign_team","value":"Продажби"},
                                       {"kind":"assign_agent","value":"Anna@Example.BG"},
                                       {"kind":"set_priority","value":"urgent"},
                                       {"kind":"add_tag","value":"vip"})")),
            "");
}

Rule FullRule() {
  Rule r;
  r.id = 42;
  r.name = "VIP от „Ромашка“ — срочно";
  r.event = Event::kCustomerReplied;
  r.enabled = false;
  r.position = -5;
  r.stop = true;
  r.conditions = {{"sender", "matches_domain", "romashka.ru"},
                  {"subject", "not_contains", "счёт"},
                  {"priority", "is_not", "urgent"}};
  r.actions = {{ActionKind::kSetPriority, "urgent", "", false},
               {ActionKind::kNotifyAgents, "agent_notification", "a@x.ru,b@x.ru", false},
               {ActionKind::kSendTemplate, "acknowledgement", "", true},
               {ActionKind::kAddTag, "vip", "", false}};
  return r;
}

TEST(RuleTest, RoundTrip) {
  const Rule r = FullRule();
  auto back = ParseRule(SerializeRule(r));
  ASSERT_TRUE(back.ok()) << back.error().ToString() << "\n" << SerializeRule(r);
  EXPECT_EQ(*back, r);
  EXPECT_EQ(SerializeRule(*back), SerializeRule(r));
  for (const Rule& d : DefaultRules()) {
    auto parsed = ParseRule(SerializeRule(d));
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    EXPECT_EQ(*parsed, d);
  }
}

TEST(RuleTest, SerializesReadably) {
  Rule r;
  r.name = "Ack";
  r.actions = {{ActionKind::kSendTemplate, "acknowledgement", "", true}};
  EXPECT_EQ(SerializeRule(r),
            R"({"name":"Ack","event":"ticket_created","enabled":true,"position":0,"stop":false,)"
            R"("conditions":[],"actions":[{"kind":"send_template","value":"acknowledgement",)"
            R"("auto_reply":true}]})");
  r.name = "bad \xFF byte";  // never throws
  EXPECT_NE(SerializeRule(r).find("bad \xEF\xBF\xBD byte"), std::string::npos);
}

TEST(RuleTest, NamesRoundTrip) {
  for (Event e : {Event::kTicketCreated, Event::kCustomerReplied, Event::kAgentReplied,
                  Event::kStatusChanged}) {
    EXPECT_EQ(ParseEvent(EventName(e)), e);
  }
  for (ActionKind k : {ActionKind::kSendTemplate, ActionKind::kAssignTeam, ActionKind::kAssignAgent,
                       ActionKind::kSetPriority, ActionKind::kAddTag, ActionKind::kNotifyAgents}) {
    EXPECT_EQ(ParseActionKind(ActionKindName(k)), k);
  }
  EXPECT_FALSE(ParseEvent("Ticket_Created"));
  EXPECT_FALSE(ParseActionKind(""));
}

TEST(RuleTest, DefaultAcknowledgementTrigger) {
  const auto rules = DefaultRules();
  ASSERT_EQ(rules.size(), 1u);
  const Rule& ack = rules[0];
  EXPECT_EQ(ack.event, Event::kTicketCreated);
  EXPECT_TRUE(ack.enabled);
  EXPECT_FALSE(ack.stop);
  EXPECT_EQ(ack.conditions, (std::vector<Condition>{{"automatic", "is", "false"}}));
  ASSERT_EQ(ack.actions.size(), 1u);
  EXPECT_EQ(ack.actions[0].kind, ActionKind::kSendTemplate);
  EXPECT_EQ(ack.actions[0].value, "acknowledgement");
  EXPECT_TRUE(ack.actions[0].auto_reply);
}

}  // namespace
}  // namespace replydesk::rules
