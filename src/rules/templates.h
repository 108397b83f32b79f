// Mustache templates (kainjow mustache): rendering with variables, and the
// templates Replydesk ships (acknowledgement and agent notification in en, ru,
// bg and ro, plus canned responses). The shipped texts live in
// src/rules/templates/<name>.<language>.mustache and are compiled in.
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
  std::string body;      // Mustache, plain text, lines end in "\n"
};

// Renders `source` with `vars` (a JSON object; null counts as {}). Variables
// are plain text: {{x}} is not HTML-escaped (output is text/plain mail), and
// {{{x}}} is the same. A variable's value is never parsed as a template.
//   - strings render as they are; "" and null render as nothing and are
//     false in sections, so {{#first_response_due}}...{{/first_response_due}}
//     shows only when there is a promise;
//   - booleans are for sections and render as nothing;
//   - numbers render in decimal ("12345", "1.5");
//   - arrays are lists ({{#items}}{{.}}{{/items}}), empty ones are false;
//   - objects nest ({{customer.name}}).
// A missing variable renders as nothing and is false in sections.
// A line holding only a section or comment tag ({{#x}}, {{^x}}, {{/x}}, {{! }})
// leaves nothing behind, whether or not the section renders (Mustache spec
// "standalone" lines; done here because kainjow 4.1 leaves an empty line after
// a skipped section), so optional lines never leave gaps. Not applied to
// templates that change delimiters ({{=<% %>=}}).
// Errors: kInvalidArgument "rules.bad_template" on a syntax error (unclosed
// tag or section, mismatched section end) or a partial ({{>x}}: none exist);
// kInvalidArgument "rules.bad_template_vars" when vars is not an object.
// Thread-safe.
util::Result<std::string> RenderTemplate(std::string_view source, const nlohmann::json& vars);

// The shipped templates, sorted by name then language; built once, thread-safe.
//   acknowledgement      (en ru bg ro) the automatic answer to a new ticket
//   agent_notification   (en ru bg ro) to agents: a new ticket or customer message
//   greeting             (en ru bg ro) canned: hello, who answers, then the answer
//   need_more_info       (en ru bg ro) canned: asks for details
//   resolved             (en ru bg ro) canned: the request is solved
// Canned responses carry no signature: replies get the agent's signature.
// Their subject is "Re: {{subject}}".
//
// Variables (all strings, "" when unknown; services/template_vars.cc):
//   customer_name, company, ticket_number, ticket_tag ("[#T-100001]"), subject,
//   channel_name, channel_address, working_hours (sla::DescribeHours),
//   first_response_due (sla::FormatLocalTime, "" when no promise), open_now
//   ("true"/""), agent_name, agent_position, team_name;
// agent_notification also: sender (customer's address), excerpt (first lines
//   of the message), new_ticket ("true" for a new ticket, "" for a reply);
// greeting also: answer (the agent's text, placed after the greeting; "" when
//   the reply's text is appended after the template instead).
const std::vector<TemplateText>& DefaultTemplates();

}  // namespace replydesk::rules
