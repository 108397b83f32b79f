// The current time as an RFC 5322 Date header value, for test messages whose
// age matters (automatic replies skip messages written more than a day ago).
#pragma once

#include <ctime>
#include <string>

namespace replydesk::testing {

inline std::string Rfc5322Now() {
  char buf[64];
  time_t t = time(nullptr);
  tm parts{};
  gmtime_r(&t, &parts);
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &parts);
  return buf;
}

}  // namespace replydesk::testing
