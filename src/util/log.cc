// Logging setup: stderr sink, level by name.
#include "util/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace replydesk::util {

void InitLogging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("replydesk");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace replydesk::util
