// Logging: spdlog to stderr, one line per event. Every job, request and
// session logs with a correlation id ("inbound#42", "lmtp#7").
#pragma once

#include <spdlog/spdlog.h>

namespace replydesk::util {

// Sets the level from a name ("debug", "info", "warn", "error", "off").
void InitLogging(const std::string& level);

}  // namespace replydesk::util
