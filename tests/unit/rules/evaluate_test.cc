// Evaluation of rules: order (position, then id), stop, all conditions must
// hold, case-insensitive matching in Cyrillic and Romanian, sender domains.
#include <gtest/gtest.h>

#include "rules/rule.h"

namespace replydesk::rules {
namespace {

Rule MakeRule(domain::Id id, int position, std::string tag, std::vector<Condition> conditions = {},
              bool stop = false) {
  Rule r;
  r.id = id;
  r.name = "rule " + tag;
  r.position = position;
  r.stop = stop;
  r.conditions = std::move(conditions);
  r.actions = {{ActionKind::kAddTag, std::move(tag), "", false}};
  return r;
}

std::vector<std::string> Tags(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) out.push_back(a.value);
  return out;
}

EventContext Context() {
  EventContext ctx;
  ctx.event = Event::kTicketCreated;
  ctx.channel_address = "support@replydesk.example";
  ctx.team_name = "Поддръжка";
  ctx.sender_address = "ivan.petrov@mail.romashka.ru";
  ctx.subject = "Не приходит СЧЁТ за октябрь";
  ctx.body = "Здравствуйте! Бухгалтерия ждёт счёт-фактуру, а письма нет.";
  ctx.language = "ru";
  ctx.priority = domain::Priority::kHigh;
  ctx.status = domain::TicketStatus::kNew;
  ctx.organisation = "ООО «Ромашка»";
  return ctx;
}

bool Holds(std::string field, std::string op, std::string value, const EventContext& ctx) {
  return ConditionHolds({std::move(field), std::move(op), std::move(value)}, ctx);
}

TEST(EvaluateTest, PositionThenIdOrder) {
  std::vector<Rule> rules = {MakeRule(3, 10, "c"), MakeRule(2, 10, "b"), MakeRule(9, -1, "a"),
                             MakeRule(1, 20, "d")};
  EXPECT_EQ(Tags(Evaluate(rules, Context())), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(EvaluateTest, StopSkipsLaterRulesOnlyWhenItMatches) {
  std::vector<Rule> rules = {
      MakeRule(1, 1, "spam", {{"sender", "matches_domain", "spam.example"}}, /*stop=*/true),
      MakeRule(2, 2, "vip", {{"organisation", "contains", "ромашка"}}, /*stop=*/true),
      MakeRule(3, 3, "ack")};
  EXPECT_EQ(Tags(Evaluate(rules, Context())), (std::vector<std::string>{"vip"}));
  EventContext other = Context();
  other.organisation = "";
  EXPECT_EQ(Tags(Evaluate(rules, other)), (std::vector<std::string>{"ack"}));
}

TEST(EvaluateTest, OnlyEnabledRulesOfTheEvent) {
  std::vector<Rule> rules = {MakeRule(1, 1, "created"), MakeRule(2, 2, "replied"),
                             MakeRule(3, 3, "disabled")};
  rules[1].event = Event::kCustomerReplied;
  rules[2].enabled = false;
  EXPECT_EQ(Tags(Evaluate(rules, Context())), (std::vector<std::string>{"created"}));
  EventContext replied = Context();
  replied.event = Event::kCustomerReplied;
  EXPECT_EQ(Tags(Evaluate(rules, replied)), (std::vector<std::string>{"replied"}));
}

TEST(EvaluateTest, AllConditionsMustHold) {
  std::vector<Rule> rules = {
      MakeRule(1, 1, "both", {{"language", "is", "ru"}, {"priority", "is", "high"}}),
      MakeRule(2, 2, "one", {{"language", "is", "ru"}, {"priority", "is", "urgent"}}),
      MakeRule(3, 3, "none-needed")};
  EXPECT_EQ(Tags(Evaluate(rules, Context())), (std::vector<std::string>{"both", "none-needed"}));
}

TEST(EvaluateTest, ActionsKeepTheirOrderWithinARule) {
  Rule r = MakeRule(1, 1, "first");
  r.actions.push_back({ActionKind::kSendTemplate, "acknowledgement", "", true});
  r.actions.push_back({ActionKind::kSetPriority, "low", "", false});
  const auto actions = Evaluate({r}, Context());
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[1].kind, ActionKind::kSendTemplate);
  EXPECT_TRUE(actions[1].auto_reply);
  EXPECT_EQ(actions[2].kind, ActionKind::kSetPriority);
}

TEST(EvaluateTest, CyrillicIgnoresCase) {
  const EventContext ctx = Context();
  EXPECT_TRUE(Holds("subject", "contains", "счёт", ctx));
  EXPECT_TRUE(Holds("subject", "contains", "НЕ ПРИХОДИТ", ctx));
  EXPECT_TRUE(Holds("body", "contains", "СЧЁТ-ФАКТУРУ", ctx));
  EXPECT_TRUE(Holds("team", "is", "ПОДДРЪЖКА", ctx));
  EXPECT_TRUE(Holds("team", "is", "  поддръжка ", ctx));
  EXPECT_FALSE(Holds("team", "is_not", "поддръжка", ctx));
  EXPECT_TRUE(Holds("organisation", "contains", "РОМАШКА", ctx));
  EXPECT_FALSE(Holds("subject", "not_contains", "Октябрь", ctx));
  EXPECT_TRUE(Holds("subject", "not_contains", "ноябрь", ctx));
  EXPECT_FALSE(Holds("subject", "is", "не приходит", ctx));  // is: the whole value
}

// Customers write "счет" for "счёт" and Romanian without diacritics or with
// the cedilla forms of old keyboard layouts.
TEST(EvaluateTest, FoldsYoAndRomanianDiacritics) {
  EventContext ctx = Context();
  EXPECT_TRUE(Holds("subject", "contains", "СЧЕТ", ctx));
  ctx.subject = "Factura NU a sosit, vă rog verificați ÎNCĂ o dată";
  EXPECT_TRUE(Holds("subject", "contains", "factură", ctx));
  EXPECT_TRUE(Holds("subject", "contains", "verificati", ctx));
  EXPECT_TRUE(Holds("subject", "contains", "verificaţi", ctx));  // cedilla ţ
  EXPECT_TRUE(Holds("subject", "contains", "inca o data", ctx));
  ctx.subject = "Plata nu funcţionează";
  EXPECT_TRUE(Holds("subject", "contains", "FUNCȚIONEAZĂ", ctx));  // comma below Ț
  EXPECT_FALSE(Holds("subject", "contains", "functionare", ctx));
}

TEST(EvaluateTest, SenderAndDomains) {
  EventContext ctx = Context();
  EXPECT_TRUE(Holds("sender", "matches_domain", "romashka.ru", ctx));
  EXPECT_TRUE(Holds("sender", "matches_domain", "@Mail.Romashka.RU", ctx));
  EXPECT_TRUE(Holds("sender", "matches_domain", "romashka.ru.", ctx));
  EXPECT_FALSE(Holds("sender", "matches_domain", "shka.ru", ctx));  // not a label boundary
  EXPECT_FALSE(Holds("sender", "matches_domain", "romashka.bg", ctx));
  EXPECT_TRUE(Holds("sender", "is", "Ivan.Petrov@mail.romashka.ru", ctx));
  EXPECT_TRUE(Holds("sender", "contains", "petrov", ctx));
  ctx.sender_address = "";
  EXPECT_FALSE(Holds("sender", "matches_domain", "romashka.ru", ctx));
}

TEST(EvaluateTest, EnumeratedFields) {
  EventContext ctx = Context();
  EXPECT_TRUE(Holds("automatic", "is", "false", ctx));
  EXPECT_FALSE(Holds("automatic", "is", "true", ctx));
  ctx.automatic = true;
  EXPECT_TRUE(Holds("automatic", "is", "true", ctx));
  EXPECT_TRUE(Holds("automatic", "is_not", "false", ctx));
  EXPECT_TRUE(Holds("priority", "is", "high", ctx));
  EXPECT_TRUE(Holds("priority", "is_not", "low", ctx));
  EXPECT_TRUE(Holds("status", "is", "new", ctx));
  ctx.status = domain::TicketStatus::kPending;
  EXPECT_TRUE(Holds("status", "is", "pending", ctx));
  EXPECT_TRUE(Holds("language", "is", "RU", ctx));
  EXPECT_TRUE(Holds("channel", "is", "support@replydesk.example", ctx));
  ctx.organisation = "";
  EXPECT_TRUE(Holds("organisation", "is", "", ctx));
}

// Rules built in code skip ParseRule; what it would refuse never matches.
TEST(EvaluateTest, InvalidConditionsNeverHold) {
  const EventContext ctx = Context();
  EXPECT_FALSE(Holds("from", "contains", "a", ctx));
  EXPECT_FALSE(Holds("subject", "equals", "x", ctx));
  EXPECT_FALSE(Holds("subject", "matches_domain", "romashka.ru", ctx));
  EXPECT_FALSE(Holds("priority", "is", "HIGH", ctx));
  EXPECT_FALSE(Holds("automatic", "is_not", "yes", ctx));
  EXPECT_FALSE(Holds("subject", "not_contains", "", ctx));
  std::vector<Rule> rules = {MakeRule(1, 1, "typo", {{"subjcet", "contains", "счёт"}})};
  EXPECT_TRUE(Evaluate(rules, ctx).empty());
}

TEST(EvaluateTest, DefaultRulesAcknowledgeOnlyPeople) {
  EventContext ctx = Context();
  auto actions = Evaluate(DefaultRules(), ctx);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, ActionKind::kSendTemplate);
  EXPECT_EQ(actions[0].value, "acknowledgement");
  EXPECT_TRUE(actions[0].auto_reply);
  ctx.automatic = true;
  EXPECT_TRUE(Evaluate(DefaultRules(), ctx).empty());
  ctx.automatic = false;
  ctx.event = Event::kCustomerReplied;
  EXPECT_TRUE(Evaluate(DefaultRules(), ctx).empty());
}

}  // namespace
}  // namespace replydesk::rules
