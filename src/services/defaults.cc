// Seeding of default templates and rules: see defaults.h.
#include "services/defaults.h"

#include "rules/rule.h"
#include "rules/templates.h"

namespace replydesk::services {

namespace {
constexpr const char* kVersionKey = "defaults.version";
constexpr const char* kVersion = "1";

util::Status Seed(store::Store& store) {
  return store.Transact([](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto seeded, tx.GetSetting(kVersionKey));
    if (seeded && *seeded == kVersion) return util::OkStatus();
    for (const auto& t : rules::DefaultTemplates()) {
      RD_ASSIGN_OR_RETURN(auto existing, tx.FindTemplate(t.name, t.language));
      if (existing) continue;
      domain::Template row;
      row.name = t.name;
      row.language = t.language;
      row.subject = t.subject;
      row.body = t.body;
      RD_RETURN_IF_ERROR(tx.UpsertTemplate(row));
    }
    RD_ASSIGN_OR_RETURN(auto rules_now, tx.ListRules(std::nullopt));
    for (const auto& rule : rules::DefaultRules()) {
      bool present = false;
      for (const auto& r : rules_now) present = present || r.name == rule.name;
      if (present) continue;
      store::RuleRow row;
      row.name = rule.name;
      row.event = rules::EventName(rule.event);
      row.position = rule.position;
      row.enabled = rule.enabled;
      row.definition = rules::SerializeRule(rule);
      RD_RETURN_IF_ERROR(tx.CreateRule(row));
    }
    return tx.SetSetting(kVersionKey, kVersion);
  });
}

}  // namespace

util::Status EnsureDefaults(store::Store& store) {
  util::Status st = Seed(store);
  // Another process seeding at the same moment wins the unique names: ours
  // rolls back, and a second look finds everything in place.
  if (!st.ok() && st.error().code == util::ErrorCode::kAlreadyExists) st = Seed(store);
  return st;
}

}  // namespace replydesk::services
