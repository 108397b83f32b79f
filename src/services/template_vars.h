// The variables of templates (acknowledgements, canned responses, signatures,
// notifications), built from a ticket and what surrounds it. One place, so
// every template sees the same names (documented in docs/rules.md).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "domain/entities.h"
#include "store/store.h"

namespace replydesk::services {

struct TemplateScope {
  domain::Ticket ticket;
  domain::Customer customer;
  std::optional<domain::Channel> channel;
  std::optional<domain::Team> team;
  std::optional<domain::User> agent;
  std::string language;  // "en", "ru", "bg", "ro"
  std::string tag;       // "[#T-100001]"
};

// Loads channel and team of the ticket and the customer. Errors: the store's.
util::Result<TemplateScope> LoadScope(store::Tx& tx, const domain::Ticket& ticket);

// customer_name, company, ticket_number, ticket_tag, subject, channel_name,
// channel_address, working_hours, first_response_due, open_now, agent_name,
// agent_position, team_name — all strings ("" when unknown).
nlohmann::json TemplateVars(store::Tx& tx, const TemplateScope& scope, util::UnixSeconds now);

// The company name customers see: setting "company_name", else the team's or
// channel's name, else "Support".
std::string CompanyName(store::Tx& tx, const TemplateScope& scope);

// The sender of mail on this ticket: the channel address with the team's name.
std::string SenderName(const TemplateScope& scope);

// The template `name` in `language`, else in English, else the shipped
// default. kNotFound "template.not_found" when none exists.
util::Result<domain::Template> FindTemplate(store::Tx& tx, const std::string& name,
                                            const std::string& language);

// The language to write to a customer in: the customer's known one, else the
// detected one, else the channel's, else "en". Only en, ru, bg, ro have
// templates; anything else becomes "en".
std::string ChooseLanguage(const std::string& customer_language, const std::string& detected,
                           const std::string& channel_language);

}  // namespace replydesk::services
