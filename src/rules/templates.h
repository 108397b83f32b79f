// Mustache templates (kainjow mustache): rendering with variables, and the
// templates Replydesk ships (acknowledgement and agent notification in en, ru,
// bg and ro, plus a few canned responses).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace replydesk::rules {

struct TemplateText {
  std::string name;      // "acknowledgement", "agent_notification", ...
  std::string language;  // "en", "ru", "bg", "ro"
  std::string subject;   // Mustache; the ticket tag is added by the sender, not here
  std::string body;      // Mustache, plain text
};

// Renders `source` with `vars`. Variables are plain text ({{x}} is not HTML-escaped:
// output is text/plain mail). kInvalidArgument "rules.bad_template" on a syntax error.
util::Result<std::string> RenderTemplate(std::string_view source, const nlohmann::json& vars);

// The shipped templates. Variables they use (all strings):
//   customer_name, company, ticket_number, ticket_tag, subject, channel_name,
//   channel_address, working_hours, first_response_due (a formatted local time,
//   "" when no promise), open_now ("true"/""), agent_name, agent_position, team_name.
const std::vector<TemplateText>& DefaultTemplates();

}  // namespace replydesk::rules
