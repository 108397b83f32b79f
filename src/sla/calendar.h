// Business-hours calendars: a weekly schedule in an IANA time zone plus
// holidays, and the pure time arithmetic promises are made of (due instant,
// open now, next opening). Time zones and DST come from ICU's built-in tz
// data; nothing here reads the clock or files.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"
#include "util/result.h"

namespace replydesk::sla {

using util::UnixSeconds;

// Minutes after local midnight. end > start; end may exceed 1440 for a shift
// that runs past midnight (22:00-06:00 is {1320, 1800}) and belongs to the day
// it starts on (a holiday on that day cancels the whole shift).
struct Interval {
  int start_minute = 0;
  int end_minute = 0;
};

struct LocalDate {
  int year = 0, month = 0, day = 0;
  friend bool operator==(const LocalDate&, const LocalDate&) = default;
};

struct Calendar {
  std::string time_zone = "UTC";          // IANA name, e.g. "Europe/Sofia"
  std::array<std::vector<Interval>, 7> week;  // index 0 = Monday ... 6 = Sunday
  std::vector<LocalDate> holidays;        // local dates with no business hours
  bool always_open = false;               // "24/7": every instant is business time
};

// Parses the text form used by the CLI and config files, e.g.
//   "24/7"
//   "Europe/Sofia; Mon-Fri 09:00-18:00; Sat 10:00-14:00; holidays 2026-12-24,2026-12-25"
//   "Europe/Moscow; Mon-Sun 22:00-06:00"
// kInvalidArgument "sla.bad_calendar" with a message naming the bad part.
util::Result<Calendar> ParseCalendar(std::string_view spec);
// The canonical text form; ParseCalendar(FormatCalendar(c)) == c.
std::string FormatCalendar(const Calendar& calendar);

// True when `t` is inside business hours.
bool IsOpen(const Calendar& calendar, UnixSeconds t);
// `t` itself when open, else the start of the next business interval; nullopt
// when the calendar has no business hours at all.
std::optional<UnixSeconds> NextOpening(const Calendar& calendar, UnixSeconds t);
// The instant when `business_seconds` of business time have passed since
// `start` (counting only open time). nullopt when the calendar has no hours.
std::optional<UnixSeconds> DueAt(const Calendar& calendar, UnixSeconds start,
                                 int64_t business_seconds);

// Human text for customers, in "en", "ru", "bg" or "ro" (others fall back to en):
//   DescribeHours: "Monday to Friday 09:00–18:00, Saturday 10:00–14:00 (Sofia time)"
//   FormatLocalTime: "Tuesday, 24 November 2026 at 14:00 (Sofia time)"
std::string DescribeHours(const Calendar& calendar, std::string_view language);
std::string FormatLocalTime(const Calendar& calendar, UnixSeconds t, std::string_view language);

}  // namespace replydesk::sla
