// JSON views of entities for `--json` output (and later the HTTP API): one
// place that decides field names. Times are ISO 8601 UTC strings.
#pragma once

#include <nlohmann/json.hpp>

#include "domain/entities.h"

namespace replydesk::app {

nlohmann::json ToJson(const domain::Ticket& t);
nlohmann::json ToJson(const domain::Customer& c);
nlohmann::json ToJson(const domain::Article& a);
nlohmann::json ToJson(const domain::Attachment& a);
nlohmann::json ToJson(const domain::Inbound& i);
nlohmann::json ToJson(const domain::Channel& c);
nlohmann::json ToJson(const domain::Outbound& o);
nlohmann::json ToJson(const domain::Template& t);

// Dumps with invalid UTF-8 replaced, never throws.
std::string Dump(const nlohmann::json& j, bool pretty = true);

}  // namespace replydesk::app
