// Proleptic Gregorian date arithmetic for the sla module (internal): days since
// 1970-01-01 <-> year/month/day, weekdays. No time zones here; ZoneRules turns
// local wall-clock seconds into instants. Algorithms after H. Hinnant,
// "chrono-Compatible Low-Level Date Algorithms".
#pragma once

#include <cstdint>

#include "sla/calendar.h"

namespace replydesk::sla::civil {

inline constexpr int64_t kSecondsPerDay = 86400;

// Floor division and modulo for negative operands (days before 1970).
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
constexpr int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

constexpr int64_t DaysFromCivil(const LocalDate& d) {
  const int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;                                                   // [0, 399]
  const int64_t doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;
}

constexpr LocalDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return LocalDate{year, month, day};
}

// 0 = Monday ... 6 = Sunday (Calendar::week's index); 1970-01-01 was a Thursday.
constexpr int WeekdayFromDays(int64_t days) { return static_cast<int>(FloorMod(days + 3, 7)); }

constexpr bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int DaysInMonth(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

constexpr bool IsValidDate(const LocalDate& d) {
  return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
         d.day <= DaysInMonth(d.year, d.month);
}

static_assert(DaysFromCivil({1970, 1, 1}) == 0);
static_assert(DaysFromCivil({2026, 11, 24}) == 20781);
static_assert(CivilFromDays(20781) == LocalDate{2026, 11, 24});
static_assert(WeekdayFromDays(20781) == 1);  // Tuesday
static_assert(CivilFromDays(-1) == LocalDate{1969, 12, 31});

}  // namespace replydesk::sla::civil
