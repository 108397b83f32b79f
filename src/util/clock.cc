// System and fake clocks, ISO 8601 formatting.
#include "util/clock.h"

#include <ctime>

namespace replydesk::util {

UnixSeconds SystemClock::Now() const { return static_cast<UnixSeconds>(std::time(nullptr)); }

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

std::string FormatIso8601Utc(UnixSeconds t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace replydesk::util
