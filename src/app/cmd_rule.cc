// `replydesk rule list|add|remove|enable|disable`, `replydesk template
// list|show|set` and `replydesk setting get|set`: triggers, Mustache templates
// and the few installation-wide settings (company_name) from the command line
// until the admin UI exists. Formats: docs/rules.md.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/context.h"
#include "app/json_views.h"
#include "rules/rule.h"
#include "rules/templates.h"

namespace replydesk::app {
namespace {

using nlohmann::json;

int Fail(const util::Error& e) {
  PrintError(e);
  if (e.code == util::ErrorCode::kNotFound) return 2;
  if (e.code == util::ErrorCode::kAlreadyExists) return 3;
  if (e.code == util::ErrorCode::kInvalidArgument) return 64;
  return 1;
}

// Runs fn in one transaction on a freshly opened store.
int WithTx(const GlobalOptions& g, const std::function<util::Status(store::Tx&)>& fn) {
  auto store = OpenStore(g);
  if (!store.ok()) return Fail(store.error());
  auto st = (*store)->Transact(fn);
  return st.ok() ? 0 : Fail(st.error());
}

std::optional<std::string> ReadArg(const std::string& value) {
  if (value.empty() || value[0] != '@') return value;
  std::ostringstream out;
  if (value == "@-") {
    out << std::cin.rdbuf();
    return out.str();
  }
  std::ifstream in(value.substr(1), std::ios::binary);
  if (!in) return std::nullopt;
  out << in.rdbuf();
  return out.str();
}

int ListRules(const GlobalOptions& g, bool as_json) {
  json out = json::array();
  int code = WithTx(g, [&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto rows, tx.ListRules(std::nullopt));
    for (const auto& r : rows) {
      json j = json::parse(r.definition, nullptr, false);
      if (j.is_discarded()) j = json::object();
      j["id"] = r.id;
      j["name"] = r.name;
      j["enabled"] = r.enabled;
      j["position"] = r.position;
      out.push_back(j);
      if (!as_json) {
        std::printf("%-4lld %-28s %-18s %s position=%d\n", static_cast<long long>(r.id),
                    r.name.c_str(), r.event.c_str(), r.enabled ? "enabled " : "disabled",
                    r.position);
      }
    }
    return util::OkStatus();
  });
  if (code == 0 && as_json) std::cout << Dump(out) << "\n";
  return code;
}

int AddRule(const GlobalOptions& g, const std::string& definition) {
  auto text = ReadArg(definition);
  if (!text) return std::cerr << "replydesk: cannot read " << definition << "\n", 66;
  auto rule = rules::ParseRule(*text);
  if (!rule.ok()) return Fail(rule.error());
  store::RuleRow row;
  row.name = rule->name;
  row.event = rules::EventName(rule->event);
  row.position = rule->position;
  row.enabled = rule->enabled;
  row.definition = rules::SerializeRule(*rule);
  int code = WithTx(g, [&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(row, tx.CreateRule(row));
    return util::OkStatus();
  });
  if (code == 0) std::printf("rule %lld: %s\n", static_cast<long long>(row.id), row.name.c_str());
  return code;
}

// Finds a rule by id or name inside tx.
util::Result<store::RuleRow> FindRule(store::Tx& tx, const std::string& key) {
  RD_ASSIGN_OR_RETURN(auto rows, tx.ListRules(std::nullopt));
  for (const auto& r : rows) {
    if (r.name == key || std::to_string(r.id) == key) return r;
  }
  return util::MakeError(util::ErrorCode::kNotFound, "rule.not_found", "no rule " + key);
}

int RemoveRule(const GlobalOptions& g, const std::string& key) {
  return WithTx(g, [&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto row, FindRule(tx, key));
    return tx.DeleteRule(row.id);
  });
}

int EnableRule(const GlobalOptions& g, const std::string& key, bool enabled) {
  return WithTx(g, [&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto row, FindRule(tx, key));
    auto rule = rules::ParseRule(row.definition);
    if (!rule.ok()) return rule.error();
    rule->enabled = enabled;
    row.enabled = enabled;
    row.definition = rules::SerializeRule(*rule);
    return tx.UpdateRule(row);
  });
}

int ListTemplates(const GlobalOptions& g, bool as_json) {
  json out = json::array();
  int code = WithTx(g, [&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto rows, tx.ListTemplates());
    for (const auto& t : rows) {
      out.push_back(ToJson(t));
      if (!as_json)
        std::printf("%-24s %-3s %s\n", t.name.c_str(), t.language.c_str(), t.subject.c_str());
    }
    return util::OkStatus();
  });
  if (code == 0 && as_json) std::cout << Dump(out) << "\n";
  return code;
}

int ShowTemplate(const GlobalOptions& g, const std::string& name, const std::string& language) {
  return WithTx(g, [&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto t, tx.FindTemplate(name, language));
    if (!t) {
      return util::MakeError(util::ErrorCode::kNotFound, "template.not_found",
                             "no template " + name + " in " + language);
    }
    std::printf("Subject: %s\n\n%s", t->subject.c_str(), t->body.c_str());
    return util::OkStatus();
  });
}

int SetTemplate(const GlobalOptions& g, const std::string& name, const std::string& language,
                const std::string& subject, const std::string& body) {
  auto text = ReadArg(body);
  if (!text) return std::cerr << "replydesk: cannot read " << body << "\n", 66;
  // A template that cannot render is refused now, not when a customer writes.
  for (const std::string* source : {&subject, static_cast<const std::string*>(&*text)}) {
    auto rendered = rules::RenderTemplate(*source, json::object());
    if (!rendered.ok()) return Fail(rendered.error());
  }
  return WithTx(g, [&](store::Tx& tx) -> util::Status {
    domain::Template t;
    t.name = name;
    t.language = language;
    t.subject = subject;
    t.body = *text;
    RD_ASSIGN_OR_RETURN([[maybe_unused]] auto saved, tx.UpsertTemplate(t));
    return util::OkStatus();
  });
}

}  // namespace

void AddRuleCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* rule = app.add_subcommand("rule", "Triggers: event + conditions -> actions");
  rule->require_subcommand(1);
  auto as_json = std::make_shared<bool>(false);
  auto* list = rule->add_subcommand("list", "List rules in evaluation order");
  list->add_flag("--json", *as_json, "JSON output");
  list->callback([&g, &exit_code, as_json] { exit_code = ListRules(g, *as_json); });
  auto definition = std::make_shared<std::string>();
  auto* add = rule->add_subcommand("add", "Add a rule from its JSON (docs/rules.md)");
  add->add_option("JSON", *definition, "The rule as JSON, @FILE or @- for stdin")->required();
  add->callback([&g, &exit_code, definition] { exit_code = AddRule(g, *definition); });
  auto key = std::make_shared<std::string>();
  for (const char* verb : {"remove", "enable", "disable"}) {
    auto* cmd = rule->add_subcommand(verb, std::string(verb) + " a rule (by name or id)");
    cmd->add_option("RULE", *key, "Rule name or id")->required();
    const std::string v = verb;
    cmd->callback([&g, &exit_code, key, v] {
      exit_code = v == "remove" ? RemoveRule(g, *key) : EnableRule(g, *key, v == "enable");
    });
  }

  auto* tpl =
      app.add_subcommand("template", "Mustache templates: acknowledgements, canned responses");
  tpl->require_subcommand(1);
  auto tpl_json = std::make_shared<bool>(false);
  auto* tlist = tpl->add_subcommand("list", "List templates");
  tlist->add_flag("--json", *tpl_json, "JSON output");
  tlist->callback([&g, &exit_code, tpl_json] { exit_code = ListTemplates(g, *tpl_json); });
  struct TemplateArgs {
    std::string name, language = "en", subject, body;
  };
  auto ta = std::make_shared<TemplateArgs>();
  auto* show = tpl->add_subcommand("show", "Print a template");
  show->add_option("NAME", ta->name)->required();
  show->add_option("--language", ta->language)->capture_default_str();
  show->callback([&g, &exit_code, ta] { exit_code = ShowTemplate(g, ta->name, ta->language); });
  auto* set = tpl->add_subcommand("set", "Create or replace a template");
  set->add_option("NAME", ta->name)->required();
  set->add_option("--language", ta->language)->capture_default_str();
  set->add_option("--subject", ta->subject, "Subject (Mustache)")->required();
  set->add_option("--body", ta->body, "Body (Mustache), @FILE or @- for stdin")->required();
  set->callback([&g, &exit_code, ta] {
    exit_code = SetTemplate(g, ta->name, ta->language, ta->subject, ta->body);
  });

  auto* setting = app.add_subcommand("setting", "Installation settings (company_name)");
  setting->require_subcommand(1);
  auto skey = std::make_shared<std::string>();
  auto svalue = std::make_shared<std::string>();
  auto* get = setting->add_subcommand("get", "Print a setting");
  get->add_option("KEY", *skey)->required();
  get->callback([&g, &exit_code, skey] {
    exit_code = WithTx(g, [&](store::Tx& tx) -> util::Status {
      RD_ASSIGN_OR_RETURN(auto v, tx.GetSetting(*skey));
      if (!v) return util::MakeError(util::ErrorCode::kNotFound, "setting.not_found", *skey);
      std::printf("%s\n", v->c_str());
      return util::OkStatus();
    });
  });
  auto* sset = setting->add_subcommand("set", "Set a setting");
  sset->add_option("KEY", *skey)->required();
  sset->add_option("VALUE", *svalue)->required();
  sset->callback([&g, &exit_code, skey, svalue] {
    exit_code = WithTx(g, [&](store::Tx& tx) { return tx.SetSetting(*skey, *svalue); });
  });
}

}  // namespace replydesk::app
