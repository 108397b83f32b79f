// Business-hours calendars: a weekly schedule in an IANA time zone plus
// holidays, and the pure time arithmetic promises are made of (due instant,
// open now, next opening). Time zones and DST come from ICU's built-in tz
// data; nothing here reads the clock or files. Text form and semantics with
// examples: docs/sla.md.
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
// ParseCalendar only produces valid intervals (IsValidInterval); the arithmetic
// and the texts ignore invalid ones in calendars built by hand.
struct Interval {
  int start_minute = 0;
  int end_minute = 0;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// 0 <= start_minute < 1440 and start_minute < end_minute <= start_minute + 1440.
constexpr bool IsValidInterval(const Interval& i) {
  return i.start_minute >= 0 && i.start_minute < 1440 && i.end_minute > i.start_minute &&
         i.end_minute <= i.start_minute + 1440;
}

struct LocalDate {
  int year = 0, month = 0, day = 0;
  friend bool operator==(const LocalDate&, const LocalDate&) = default;
};

struct Calendar {
  std::string time_zone = "UTC";              // IANA name, e.g. "Europe/Sofia"
  std::array<std::vector<Interval>, 7> week;  // index 0 = Monday ... 6 = Sunday
  std::vector<LocalDate> holidays;            // local dates with no business hours
  bool always_open = false;  // "24/7": every instant is business time (week, holidays ignored)
  friend bool operator==(const Calendar&, const Calendar&) = default;
};

// Searches stop after this many local days without an opening (nullopt).
inline constexpr int kMaxDaysWithoutOpening = 400;

// Parses the text form used by the CLI and config files, e.g.
//   "24/7"                       (time zone UTC; "Europe/Sofia; 24/7" sets one for texts)
//   "Europe/Sofia; Mon-Fri 09:00-18:00; Sat 10:00-14:00; holidays 2026-12-24,2026-12-25"
//   "Europe/Moscow; Mon-Sun 22:00-06:00"
//   "Europe/Sofia; Mon,Wed 09:00-12:00, 13:00-17:00; Fri-Sun 00:00-24:00"
// The time zone comes first and is required (matched ignoring case, stored in
// ICU's spelling). Days: Mon Tue Wed Thu Fri Sat Sun (any case), ranges (Fri-Mon
// wraps over the weekend) and comma lists. Times HH:MM, 24:00 only as an end;
// end <= start means the next day. Several parts may name the same day: their
// intervals add up, in the order written. Holidays are YYYY-MM-DD local dates.
// Errors: kInvalidArgument "sla.bad_calendar", the message naming the bad part
// (unknown time zone, unknown day, bad time, bad date, empty spec).
util::Result<Calendar> ParseCalendar(std::string_view spec);
// The canonical text form: days with equal hours grouped ("Mon-Fri 09:00-18:00"),
// intervals and holidays in the calendar's order. ParseCalendar(FormatCalendar(c))
// == c for every calendar ParseCalendar can return (valid intervals; a 24/7
// calendar with an empty week and no holidays).
std::string FormatCalendar(const Calendar& calendar);

// Semantics shared by the three functions below (docs/sla.md "Semantics"):
//  - Intervals are half-open: 09:00-18:00 is open at 09:00:00, closed at 18:00:00.
//  - A local wall time maps to the first instant the zone's clock reads it or
//    later: a time skipped by DST maps to the jump, a repeated time to its first
//    occurrence. Business time is real elapsed seconds between those instants,
//    so a 09:00-18:00 day is 9 h on any DST day, while a 22:00-06:00 shift over
//    the change is 7 h (spring) or 9 h (autumn).
//  - Overlapping or touching intervals (also a night shift running into the
//    next day's hours) count once.
//  - Every function is thread-safe; ICU zones are cached per thread. An unknown
//    time zone (a calendar not made by ParseCalendar) behaves as UTC.
//  - Instants outside the years 1900-9999 are never open (nullopt, false).

// True when `t` is inside business hours.
bool IsOpen(const Calendar& calendar, UnixSeconds t);
// `t` itself when open, else the start of the next business interval; nullopt
// when the calendar has no business hours at all (or none within
// kMaxDaysWithoutOpening days of `t`).
std::optional<UnixSeconds> NextOpening(const Calendar& calendar, UnixSeconds t);
// The instant when `business_seconds` of business time have passed since
// `start` (counting only open time). A start outside hours counts from the
// next opening; the due instant may be a closing instant (start Mon 09:00 + 9 h
// on a 09:00-18:00 calendar is Mon 18:00). business_seconds <= 0 gives
// NextOpening(start). nullopt when the calendar has no hours (as NextOpening),
// or the answer would be more than 100 years after `start`.
std::optional<UnixSeconds> DueAt(const Calendar& calendar, UnixSeconds start,
                                 int64_t business_seconds);

// Human text for customers, in "en", "ru", "bg" or "ro" (others fall back to
// en; "ru-RU", "bg_BG" use their language). Day and month names come from ICU
// (CLDR); times are 24-hour; the zone is named after its city in the language
// ("Sofia time", "часовой пояс: София"), or as "UTC+3" for fixed-offset zones.
//   DescribeHours: "Monday to Friday 09:00–18:00, Saturday 10:00–14:00 (Sofia time)"
//                  "понедельник–пятница 09:00–18:00 (часовой пояс: София)"
//                  "around the clock, every day" for 24/7.
//   FormatLocalTime: "Tuesday, 24 November 2026 at 14:00 (Sofia time, UTC+2)"
std::string DescribeHours(const Calendar& calendar, std::string_view language);
std::string FormatLocalTime(const Calendar& calendar, UnixSeconds t, std::string_view language);

}  // namespace replydesk::sla
