// Helpers for the sla tests: expected instants are written as UTC wall times
// and converted with libc's timegm, independently of the code under test.
#pragma once

#include <gtest/gtest.h>

#include <ctime>
#include <string_view>

#include "sla/calendar.h"

namespace replydesk::sla::testing {

// Seconds since the epoch of the UTC wall time y-m-d h:mi:s.
inline UnixSeconds Utc(int y, int m, int d, int h = 0, int mi = 0, int s = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<UnixSeconds>(timegm(&tm));
}

inline constexpr int64_t kHour = 3600;

// A calendar from its text form; the test fails (not crashes) on a parse error.
inline Calendar Parse(std::string_view spec) {
  util::Result<Calendar> calendar = ParseCalendar(spec);
  EXPECT_TRUE(calendar.ok()) << spec << ": " << (calendar.ok() ? "" : calendar.error().ToString());
  return calendar.ok() ? *calendar : Calendar{};
}

}  // namespace replydesk::sla::testing
