// Template variables: see template_vars.h.
#include "services/template_vars.h"

#include "rules/templates.h"
#include "sla/calendar.h"

namespace replydesk::services {

using util::Result;

Result<TemplateScope> LoadScope(store::Tx& tx, const domain::Ticket& ticket) {
  TemplateScope s;
  s.ticket = ticket;
  RD_ASSIGN_OR_RETURN(s.customer, tx.GetCustomer(ticket.customer_id));
  if (ticket.channel_id) {
    RD_ASSIGN_OR_RETURN(domain::Channel c, tx.GetChannel(*ticket.channel_id));
    s.channel = std::move(c);
  }
  if (ticket.team_id) {
    RD_ASSIGN_OR_RETURN(domain::Team t, tx.GetTeam(*ticket.team_id));
    s.team = std::move(t);
  }
  s.language = ticket.language.empty() ? "en" : ticket.language;
  return s;
}

std::string CompanyName(store::Tx& tx, const TemplateScope& scope) {
  auto setting = tx.GetSetting("company_name");
  if (setting.ok() && *setting && !(*setting)->empty()) return **setting;
  if (scope.team && !scope.team->name.empty()) return scope.team->name;
  if (scope.channel && !scope.channel->name.empty()) return scope.channel->name;
  return "Support";
}

std::string SenderName(const TemplateScope& scope) {
  if (scope.team && !scope.team->name.empty()) return scope.team->name;
  if (scope.channel && !scope.channel->name.empty()) return scope.channel->name;
  return "";
}

nlohmann::json TemplateVars(store::Tx& tx, const TemplateScope& scope, util::UnixSeconds now) {
  nlohmann::json v;
  v["customer_name"] = scope.customer.name;
  v["company"] = CompanyName(tx, scope);
  v["ticket_number"] = std::to_string(scope.ticket.number);
  v["ticket_tag"] = scope.tag;
  v["subject"] = scope.ticket.subject;
  v["channel_name"] = scope.channel ? scope.channel->name : "";
  v["channel_address"] = scope.channel ? scope.channel->address : "";
  v["team_name"] = scope.team ? scope.team->name : "";
  v["agent_name"] = scope.agent ? scope.agent->name : "";
  v["agent_position"] = scope.agent ? scope.agent->position : "";
  v["working_hours"] = "";
  v["first_response_due"] = "";
  v["open_now"] = "";
  if (scope.channel) {
    auto calendar = sla::ParseCalendar(scope.channel->hours);
    if (calendar.ok()) {
      v["working_hours"] = sla::DescribeHours(*calendar, scope.language);
      v["open_now"] = sla::IsOpen(*calendar, now) ? "true" : "";
      if (scope.ticket.first_response_due) {
        v["first_response_due"] =
            sla::FormatLocalTime(*calendar, *scope.ticket.first_response_due, scope.language);
      }
    }
  }
  return v;
}

Result<domain::Template> FindTemplate(store::Tx& tx, const std::string& name,
                                      const std::string& language) {
  for (const std::string& lang : {language, std::string("en")}) {
    RD_ASSIGN_OR_RETURN(auto stored, tx.FindTemplate(name, lang));
    if (stored) return *stored;
  }
  for (const std::string& lang : {language, std::string("en")}) {
    for (const auto& t : rules::DefaultTemplates()) {
      if (t.name == name && t.language == lang) {
        domain::Template out;
        out.name = t.name;
        out.language = t.language;
        out.subject = t.subject;
        out.body = t.body;
        return out;
      }
    }
  }
  return util::MakeError(util::ErrorCode::kNotFound, "template.not_found",
                         "no template named '" + name + "'");
}

std::string ChooseLanguage(const std::string& customer_language, const std::string& detected,
                           const std::string& channel_language) {
  for (const std::string* l : {&customer_language, &detected, &channel_language}) {
    if (*l == "en" || *l == "ru" || *l == "bg" || *l == "ro") return *l;
  }
  return "en";
}

}  // namespace replydesk::services
