// Rules (unique name, ordered by position then id, filtered by event),
// templates (one per name and language, upsert replaces) and settings.
#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using domain::Template;
using util::ErrorCode;

class RulesTest : public StoreTest {
 protected:
  static RuleRow Rule(const std::string& name, const std::string& event, int position) {
    RuleRow r;
    r.name = name;
    r.event = event;
    r.position = position;
    r.definition = R"({"name":")" + name + R"(","conditions":[],"actions":[]})";
    r.created_at = 1000 + position;
    return r;
  }
  static std::vector<std::string> Names(const std::vector<RuleRow>& rules) {
    std::vector<std::string> out;
    for (const RuleRow& r : rules) out.push_back(r.name);
    return out;
  }
};

TEST_P(RulesTest, CreateListInPositionOrder) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(RuleRow ack, tx.CreateRule(Rule("ack", "ticket_created", 10)));
    EXPECT_GT(ack.id, 0);
    RuleRow off = Rule("off", "ticket_created", 5);
    off.enabled = false;
    RD_RETURN_IF_ERROR(tx.CreateRule(off));
    RD_RETURN_IF_ERROR(tx.CreateRule(Rule("tie", "ticket_created", 10)));  // after ack: id
    RD_RETURN_IF_ERROR(tx.CreateRule(Rule("esc", "sla_breached", 1)));
    RD_ASSIGN_OR_RETURN(auto all, tx.ListRules(std::nullopt));
    EXPECT_EQ(Names(all), (std::vector<std::string>{"esc", "off", "ack", "tie"}));
    RD_ASSIGN_OR_RETURN(auto created, tx.ListRules(std::string("ticket_created")));
    EXPECT_EQ(Names(created), (std::vector<std::string>{"off", "ack", "tie"}));
    if (created.size() == 3) {
      EXPECT_FALSE(created[0].enabled) << "disabled rules are listed too";
      const RuleRow& got = created[1];
      EXPECT_EQ(got.id, ack.id);
      EXPECT_EQ(got.event, "ticket_created");
      EXPECT_EQ(got.position, 10);
      EXPECT_TRUE(got.enabled);
      EXPECT_EQ(got.definition, ack.definition);
      EXPECT_EQ(got.created_at, 1010);
    }
    RD_ASSIGN_OR_RETURN(auto none, tx.ListRules(std::string("nothing")));
    EXPECT_TRUE(none.empty());
    return Status();
  }));
}

TEST_P(RulesTest, TakenNameIsAlreadyExists) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.CreateRule(Rule("ack", "ticket_created", 1)));
    auto again = tx.CreateRule(Rule("ack", "ticket_updated", 2));
    EXPECT_FALSE(again.ok());
    if (!again.ok()) {
      EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
      EXPECT_EQ(again.error().detail, "store.already_exists");
    }
    RD_ASSIGN_OR_RETURN(RuleRow other, tx.CreateRule(Rule("other", "ticket_created", 2)));
    other.name = "ack";
    Status rename = tx.UpdateRule(other);
    EXPECT_FALSE(rename.ok());
    if (!rename.ok()) {
      EXPECT_EQ(rename.error().code, ErrorCode::kAlreadyExists);
    }
    RD_ASSIGN_OR_RETURN(auto all, tx.ListRules(std::nullopt));
    EXPECT_EQ(Names(all), (std::vector<std::string>{"ack", "other"}));
    return Status();
  }));
}

TEST_P(RulesTest, UpdateAndDelete) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(RuleRow a, tx.CreateRule(Rule("a", "ticket_created", 1)));
    RD_ASSIGN_OR_RETURN(RuleRow b, tx.CreateRule(Rule("b", "ticket_created", 2)));
    a.name = "a2";
    a.event = "ticket_updated";
    a.position = 7;
    a.enabled = false;
    a.definition = "{}";
    RD_RETURN_IF_ERROR(tx.UpdateRule(a));
    RD_ASSIGN_OR_RETURN(auto updated, tx.ListRules(std::string("ticket_updated")));
    EXPECT_EQ(updated.size(), 1u);
    if (updated.size() == 1) {
      EXPECT_EQ(updated[0].id, a.id);
      EXPECT_EQ(updated[0].name, "a2");
      EXPECT_EQ(updated[0].position, 7);
      EXPECT_FALSE(updated[0].enabled);
      EXPECT_EQ(updated[0].definition, "{}");
      EXPECT_EQ(updated[0].created_at, 1001) << "kept";
    }
    RD_RETURN_IF_ERROR(tx.DeleteRule(b.id));
    RD_ASSIGN_OR_RETURN(auto all, tx.ListRules(std::nullopt));
    EXPECT_EQ(Names(all), (std::vector<std::string>{"a2"}));

    Status del = tx.DeleteRule(b.id);
    EXPECT_FALSE(del.ok());
    if (!del.ok()) {
      EXPECT_EQ(del.error().code, ErrorCode::kNotFound);
      EXPECT_EQ(del.error().detail, "store.not_found");
    }
    b.id = 999;
    Status upd = tx.UpdateRule(b);
    EXPECT_FALSE(upd.ok());
    if (!upd.ok()) {
      EXPECT_EQ(upd.error().code, ErrorCode::kNotFound);
    }
    return Status();
  }));
}

TEST_P(RulesTest, UpsertTemplateReplacesByNameAndLanguage) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(Template en,
                        tx.UpsertTemplate({0, "ack", "en", "Re: {{ticket.subject}}", "Hello"}));
    RD_ASSIGN_OR_RETURN(Template ro, tx.UpsertTemplate({0, "ack", "ro", "Re", "Bună ziua"}));
    RD_ASSIGN_OR_RETURN(Template any, tx.UpsertTemplate({0, "ack", "", "Re", "Hi"}));
    EXPECT_NE(en.id, ro.id);
    EXPECT_NE(en.id, any.id);
    RD_ASSIGN_OR_RETURN(Template replaced,
                        tx.UpsertTemplate({0, "ack", "en", "New subject", "New body"}));
    EXPECT_EQ(replaced.id, en.id) << "same row";
    RD_ASSIGN_OR_RETURN(auto found, tx.FindTemplate("ack", "en"));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->id, en.id);
      EXPECT_EQ(found->name, "ack");
      EXPECT_EQ(found->language, "en");
      EXPECT_EQ(found->subject, "New subject");
      EXPECT_EQ(found->body, "New body");
    }
    RD_ASSIGN_OR_RETURN(auto ro_found, tx.FindTemplate("ack", "ro"));
    EXPECT_TRUE(ro_found.has_value() && ro_found->body == "Bună ziua");
    RD_ASSIGN_OR_RETURN(auto none, tx.FindTemplate("ack", "bg"));
    EXPECT_FALSE(none.has_value());
    RD_RETURN_IF_ERROR(tx.UpsertTemplate({0, "Closed", "en", "s", "b"}));
    RD_ASSIGN_OR_RETURN(auto all, tx.ListTemplates());
    std::vector<std::string> keys;
    for (const Template& t : all) keys.push_back(t.name + "/" + t.language);
    EXPECT_EQ(keys, (std::vector<std::string>{"Closed/en", "ack/", "ack/en", "ack/ro"}));
    return Status();
  }));
}

TEST_P(RulesTest, Settings) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(auto none, tx.GetSetting("ack.rate_limit"));
    EXPECT_FALSE(none.has_value());
    RD_RETURN_IF_ERROR(tx.SetSetting("ack.rate_limit", "3"));
    RD_RETURN_IF_ERROR(tx.SetSetting("empty", ""));
    RD_ASSIGN_OR_RETURN(auto got, tx.GetSetting("ack.rate_limit"));
    EXPECT_EQ(got, std::optional<std::string>("3"));
    RD_RETURN_IF_ERROR(tx.SetSetting("ack.rate_limit", "5"));
    RD_ASSIGN_OR_RETURN(got, tx.GetSetting("ack.rate_limit"));
    EXPECT_EQ(got, std::optional<std::string>("5"));
    RD_ASSIGN_OR_RETURN(auto empty, tx.GetSetting("empty"));
    EXPECT_EQ(empty, std::optional<std::string>("")) << "set to empty is not unset";
    return Status();
  }));
}

TEST_P(RulesTest, SettingsPersistAcrossTransactions) {
  RD_ASSERT_OK(store_->Transact([](Tx& tx) { return tx.SetSetting("k", "v"); }));
  std::optional<std::string> got;
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(got, tx.GetSetting("k"));
    return Status();
  }));
  EXPECT_EQ(got, std::optional<std::string>("v"));
}

RD_STORE_TEST_SUITE(RulesTest);

}  // namespace
}  // namespace replydesk::store::testing
