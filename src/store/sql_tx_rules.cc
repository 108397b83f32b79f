// SqlTx, part 8: triggers (rules, stored as their JSON definition), Mustache
// templates (one per name and language) and the settings key/value table.
//
// Text keys are sorted in C++ rather than by ORDER BY: a PostgreSQL ORDER BY
// follows the database's collation, SQLite's compares bytes, and both backends
// must list in the same order.
#include <algorithm>

#include "store/sql_tx.h"

namespace replydesk::store {

using domain::Template;
using util::ErrorCode;
using util::MakeError;

namespace {

#define RD_RULE_COLUMNS \
  "SELECT id, name, event, position, enabled, definition, created_at FROM rules "

std::vector<RuleRow> ReadRules(Rows& rows) {
  std::vector<RuleRow> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    RuleRow& rule = out[r];
    rule.id = rows.Int(r, 0);
    rule.name = rows.TakeText(r, 1);
    rule.event = rows.TakeText(r, 2);
    rule.position = static_cast<int>(rows.Int(r, 3));
    rule.enabled = rows.Int(r, 4) != 0;
    rule.definition = rows.TakeText(r, 5);
    rule.created_at = rows.Int(r, 6);
  }
  return out;
}

#define RD_TEMPLATE_COLUMNS "SELECT id, name, language, subject, body FROM templates "

std::vector<Template> ReadTemplates(Rows& rows) {
  std::vector<Template> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    out[r] = Template{rows.Int(r, 0), rows.TakeText(r, 1), rows.TakeText(r, 2), rows.TakeText(r, 3),
                      rows.TakeText(r, 4)};
  }
  return out;
}

}  // namespace

// --- rules ---------------------------------------------------------------------

Result<RuleRow> SqlTx::CreateRule(const RuleRow& r) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("INSERT INTO rules (name, event, position, enabled, definition, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                  {Text(r.name), Text(r.event), Int(r.position), Int(r.enabled ? 1 : 0),
                   Text(r.definition), Int(r.created_at)}));
  if (rows.empty()) return Taken("rule", r.name);
  RuleRow out = r;
  out.id = rows.Int(0, 0);
  return out;
}

Status SqlTx::UpdateRule(const RuleRow& r) {
  return UpdateUnique(
      "UPDATE rules SET name = ?, event = ?, position = ?, enabled = ?, definition = ? "
      "WHERE id = ?",
      {Text(r.name), Text(r.event), Int(r.position), Int(r.enabled ? 1 : 0), Text(r.definition),
       Int(r.id)},
      "rule", r.name, r.id);
}

Status SqlTx::DeleteRule(Id id) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("DELETE FROM rules WHERE id = ?", {Int(id)}));
  if (rows.affected() == 0) return NotFound("rule", id);
  return util::OkStatus();
}

Result<std::vector<RuleRow>> SqlTx::ListRules(const std::optional<std::string>& event) {
  Result<Rows> rows =
      event ? conn_.Query(RD_RULE_COLUMNS "WHERE event = ? ORDER BY position, id", {Text(*event)})
            : conn_.Query(RD_RULE_COLUMNS "ORDER BY position, id", {});
  if (!rows.ok()) return rows.error();
  return ReadRules(*rows);
}

// --- templates -------------------------------------------------------------------

Result<Template> SqlTx::UpsertTemplate(const Template& t) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("INSERT INTO templates (name, language, subject, body) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT (name, language) DO UPDATE SET subject = excluded.subject, "
                  "body = excluded.body RETURNING id",
                  {Text(t.name), Text(t.language), Text(t.subject), Text(t.body)}));
  if (rows.empty()) return MakeError(ErrorCode::kInternal, "store.sql", "upsert template: no id");
  Template out = t;
  out.id = rows.Int(0, 0);
  return out;
}

Result<std::optional<Template>> SqlTx::FindTemplate(const std::string& name,
                                                    const std::string& language) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_TEMPLATE_COLUMNS "WHERE name = ? AND language = ?",
                                             {Text(name), Text(language)}));
  auto list = ReadTemplates(rows);
  if (list.empty()) return std::optional<Template>();
  return std::optional<Template>(std::move(list.front()));
}

Result<std::vector<Template>> SqlTx::ListTemplates() {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_TEMPLATE_COLUMNS, {}));
  auto list = ReadTemplates(rows);
  std::sort(list.begin(), list.end(), [](const Template& a, const Template& b) {
    return a.name != b.name ? a.name < b.name : a.language < b.language;
  });
  return list;
}

// --- settings --------------------------------------------------------------------

Result<std::optional<std::string>> SqlTx::GetSetting(const std::string& key) {
  RD_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query("SELECT value FROM settings WHERE key = ?", {Text(key)}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.TakeText(0, 0));
}

Status SqlTx::SetSetting(const std::string& key, const std::string& value) {
  RD_RETURN_IF_ERROR(
      conn_.Query("INSERT INTO settings (key, value) VALUES (?, ?) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  {Text(key), Text(value)}));
  return util::OkStatus();
}

}  // namespace replydesk::store
