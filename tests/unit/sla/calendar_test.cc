// IsOpen, NextOpening and DueAt on ordinary weeks: weekends, holidays, night
// shifts, overlaps, 24/7, empty calendars, edges at opening and closing.
// DST cases are in calendar_dst_test.cc. Instants are hand-written UTC with the
// local time in a comment (Sofia is UTC+2 in winter).
#include "sla/calendar.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <thread>
#include <vector>

#include "sla_test_support.h"

namespace replydesk::sla {
namespace {

using testing::kHour;
using testing::Parse;
using testing::Utc;

// Mon-Fri 09:00-18:00, Sat 10:00-14:00 in Sofia; November 2026 is winter (UTC+2).
Calendar SofiaOffice() { return Parse("Europe/Sofia; Mon-Fri 09:00-18:00; Sat 10:00-14:00"); }

TEST(CalendarTest, IsOpenInsideHoursOnly) {
  const Calendar c = SofiaOffice();
  EXPECT_TRUE(IsOpen(c, Utc(2026, 11, 24, 12, 0)));       // Tue 14:00
  EXPECT_FALSE(IsOpen(c, Utc(2026, 11, 24, 6, 59, 59)));  // Tue 08:59:59
  EXPECT_TRUE(IsOpen(c, Utc(2026, 11, 24, 7, 0)));        // Tue 09:00:00, opening
  EXPECT_TRUE(IsOpen(c, Utc(2026, 11, 24, 15, 59, 59)));  // Tue 17:59:59
  EXPECT_FALSE(IsOpen(c, Utc(2026, 11, 24, 16, 0)));      // Tue 18:00:00, closing
  EXPECT_TRUE(IsOpen(c, Utc(2026, 11, 28, 9, 0)));        // Sat 11:00
  EXPECT_FALSE(IsOpen(c, Utc(2026, 11, 28, 12, 0)));      // Sat 14:00
  EXPECT_FALSE(IsOpen(c, Utc(2026, 11, 29, 10, 0)));      // Sun 12:00
}

TEST(CalendarTest, NextOpeningSkipsEveningsAndWeekend) {
  const Calendar c = SofiaOffice();
  // Open: the instant itself.
  EXPECT_EQ(NextOpening(c, Utc(2026, 11, 24, 12, 0)), Utc(2026, 11, 24, 12, 0));
  // Tue 06:00 -> Tue 09:00.
  EXPECT_EQ(NextOpening(c, Utc(2026, 11, 24, 4, 0)), Utc(2026, 11, 24, 7, 0));
  // Fri 18:30 -> Sat 10:00.
  EXPECT_EQ(NextOpening(c, Utc(2026, 11, 27, 16, 30)), Utc(2026, 11, 28, 8, 0));
  // Sat 14:00 (closing) -> Mon 09:00.
  EXPECT_EQ(NextOpening(c, Utc(2026, 11, 28, 12, 0)), Utc(2026, 11, 30, 7, 0));
  // Sun 23:59:59 -> Mon 09:00.
  EXPECT_EQ(NextOpening(c, Utc(2026, 11, 29, 21, 59, 59)), Utc(2026, 11, 30, 7, 0));
}

TEST(CalendarTest, DueAtCountsOnlyOpenTime) {
  const Calendar c = SofiaOffice();
  // Tue 10:00 + 4 h -> Tue 14:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 8, 0), 4 * kHour), Utc(2026, 11, 24, 12, 0));
  // Tue 16:00 + 4 h: 2 h Tue, 2 h Wed from 09:00 -> Wed 11:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 14, 0), 4 * kHour), Utc(2026, 11, 25, 9, 0));
  // Fri 17:00 + 4 h: 1 h Fri, 3 h Sat 10:00-13:00 -> Sat 13:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 27, 15, 0), 4 * kHour), Utc(2026, 11, 28, 11, 0));
  // Fri 17:00 + 6 h: 1 h Fri, 4 h Sat, 1 h Mon -> Mon 10:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 27, 15, 0), 6 * kHour), Utc(2026, 11, 30, 8, 0));
  // Seconds count too: Tue 17:59:30 + 45 s -> Wed 09:00:15.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 15, 59, 30), 45), Utc(2026, 11, 25, 7, 0, 15));
}

TEST(CalendarTest, DueAtFromOutsideHoursStartsAtNextOpening) {
  const Calendar c = SofiaOffice();
  // Sun 12:00 + 1 h -> Mon 10:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 29, 10, 0), kHour), Utc(2026, 11, 30, 8, 0));
  // Tue 03:00 + 30 min -> Tue 09:30.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 1, 0), 1800), Utc(2026, 11, 24, 7, 30));
}

TEST(CalendarTest, StartExactlyAtOpeningAndClosing) {
  const Calendar c = SofiaOffice();
  // Tue 09:00 + 9 h ends at the closing instant Tue 18:00, not Wed 09:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 7, 0), 9 * kHour), Utc(2026, 11, 24, 16, 0));
  // One second more -> Wed 09:00:01.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 7, 0), 9 * kHour + 1), Utc(2026, 11, 25, 7, 0, 1));
  // Tue 18:00 (closing) + 1 h -> Wed 10:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 16, 0), kHour), Utc(2026, 11, 25, 8, 0));
}

TEST(CalendarTest, ZeroAndNegativeDurationGiveNextOpening) {
  const Calendar c = SofiaOffice();
  // Open at Tue 14:00: due at once.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 12, 0), 0), Utc(2026, 11, 24, 12, 0));
  // Tue 18:00 (closing) + 0 -> Wed 09:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 16, 0), 0), Utc(2026, 11, 25, 7, 0));
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 16, 0), -5 * kHour), Utc(2026, 11, 25, 7, 0));
}

TEST(CalendarTest, HolidaysCloseWholeDays) {
  const Calendar c = Parse(
      "Europe/Sofia; Mon-Fri 09:00-18:00; holidays 2026-12-24,2026-12-25,2026-12-31,2027-01-01");
  EXPECT_FALSE(IsOpen(c, Utc(2026, 12, 24, 10, 0)));  // Thu 12:00, holiday
  EXPECT_TRUE(IsOpen(c, Utc(2026, 12, 23, 10, 0)));   // Wed 12:00
  // Wed 23 Dec 17:00 + 2 h: 1 h Wed; Thu, Fri holidays; weekend -> Mon 28 Dec 10:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 12, 23, 15, 0), 2 * kHour), Utc(2026, 12, 28, 8, 0));
  // Wed 30 Dec 17:00 + 10 h: 1 h Wed; 31 Dec, 1 Jan holidays; 9 h Mon 4 Jan -> Mon 18:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 12, 30, 15, 0), 10 * kHour), Utc(2027, 1, 4, 16, 0));
  EXPECT_EQ(NextOpening(c, Utc(2026, 12, 24, 0, 0)), Utc(2026, 12, 28, 7, 0));
}

TEST(CalendarTest, DurationsSpanningWeeks) {
  const Calendar c = Parse("Europe/Sofia; Mon-Fri 09:00-18:00");
  // Two working weeks = 10 days x 9 h, from Mon 23 Nov 09:00 -> Fri 4 Dec 18:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 23, 7, 0), 90 * kHour), Utc(2026, 12, 4, 16, 0));
  // One second more -> Mon 7 Dec 09:00:01.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 23, 7, 0), 90 * kHour + 1), Utc(2026, 12, 7, 7, 0, 1));
  // From Wed 25 Nov 12:00: 6 h that Wednesday, then 20 full days (180 h) through
  // Wed 23 Dec; 195 h need 9 h more -> Thu 24 Dec 18:00 (this calendar has no holidays).
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 25, 10, 0), 195 * kHour), Utc(2026, 12, 24, 16, 0));
}

TEST(CalendarTest, TwoWeekPromiseOnSparseCalendarIsFast) {
  // One hour a week: 336 business hours are 336 Wednesdays, 6.4 years away.
  const Calendar c = Parse("UTC; Wed 10:00-11:00");
  const auto begin = std::chrono::steady_clock::now();
  // Wed 25 Nov 2026 10:00 + 336 h -> the 336th Wednesday, 27 Apr 2033, at 11:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 25, 10, 0), 336 * kHour), Utc(2033, 4, 27, 11, 0));
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  EXPECT_LT(elapsed, std::chrono::seconds(2));  // minute-by-minute stepping would take far longer
}

TEST(CalendarTest, OvernightShiftBelongsToItsStartDay) {
  // Moscow is UTC+3 all year.
  const Calendar c = Parse("Europe/Moscow; Mon-Fri 22:00-06:00; holidays 2026-12-04");
  EXPECT_TRUE(IsOpen(c, Utc(2026, 11, 27, 19, 0)));   // Fri 22:00
  EXPECT_TRUE(IsOpen(c, Utc(2026, 11, 28, 2, 59)));   // Sat 05:59, Friday's shift
  EXPECT_FALSE(IsOpen(c, Utc(2026, 11, 28, 3, 0)));   // Sat 06:00
  EXPECT_FALSE(IsOpen(c, Utc(2026, 11, 28, 20, 0)));  // Sat 23:00, no Saturday shift
  EXPECT_FALSE(IsOpen(c, Utc(2026, 11, 30, 1, 0)));   // Mon 04:00, no Sunday shift
  EXPECT_TRUE(IsOpen(c, Utc(2026, 12, 1, 1, 0)));     // Tue 04:00, Monday's shift
  // Holiday Fri 4 Dec cancels the whole Fri->Sat shift.
  EXPECT_FALSE(IsOpen(c, Utc(2026, 12, 4, 20, 0)));  // Fri 23:00
  EXPECT_FALSE(IsOpen(c, Utc(2026, 12, 5, 1, 0)));   // Sat 04:00
  // Thu 3 Dec 22:00 + 8 h -> Fri 06:00; the shift runs into the holiday morning.
  EXPECT_EQ(DueAt(c, Utc(2026, 12, 3, 19, 0), 8 * kHour), Utc(2026, 12, 4, 3, 0));
  // + 9 h: Fri and weekend closed -> Mon 7 Dec 23:00.
  EXPECT_EQ(DueAt(c, Utc(2026, 12, 3, 19, 0), 9 * kHour), Utc(2026, 12, 7, 20, 0));
}

TEST(CalendarTest, HolidayTheMorningAfterKeepsThePreviousNightShift) {
  const Calendar c = Parse("UTC; Mon-Sun 22:00-06:00; holidays 2026-12-25");
  EXPECT_TRUE(IsOpen(c, Utc(2026, 12, 25, 3, 0)));    // Thursday's shift, early on the 25th
  EXPECT_FALSE(IsOpen(c, Utc(2026, 12, 25, 23, 0)));  // the 25th's own shift is cancelled
  EXPECT_EQ(NextOpening(c, Utc(2026, 12, 25, 6, 0)), Utc(2026, 12, 26, 22, 0));
}

TEST(CalendarTest, OverlappingAndTouchingIntervalsCountOnce) {
  const Calendar overlap = Parse("UTC; Mon-Fri 09:00-17:00, 12:00-18:00");
  // Mon 30 Nov 09:00 + 9 h -> Mon 18:00 (the overlap 12-17 counts once).
  EXPECT_EQ(DueAt(overlap, Utc(2026, 11, 30, 9, 0), 9 * kHour), Utc(2026, 11, 30, 18, 0));
  // Night shifts touching day shifts: open from Mon 06:00 without a break until Sat 06:00.
  const Calendar round = Parse("UTC; Mon-Fri 06:00-22:00; Mon-Fri 22:00-06:00");
  EXPECT_EQ(DueAt(round, Utc(2026, 11, 30, 6, 0), 100 * kHour), Utc(2026, 12, 4, 10, 0));
  EXPECT_EQ(DueAt(round, Utc(2026, 11, 30, 6, 0), 96 * kHour), Utc(2026, 12, 4, 6, 0));
  // 120 h reach Sat 06:00 exactly; one second more waits for Mon 06:00.
  EXPECT_EQ(DueAt(round, Utc(2026, 11, 30, 6, 0), 120 * kHour), Utc(2026, 12, 5, 6, 0));
  EXPECT_EQ(DueAt(round, Utc(2026, 11, 30, 6, 0), 120 * kHour + 1), Utc(2026, 12, 7, 6, 0, 1));
  // A night shift overlapping the next morning's hours.
  const Calendar night = Parse("UTC; Mon 20:00-10:00; Tue 08:00-12:00");
  // Mon 20:00 + 16 h: Mon 20:00 -> Tue 12:00 is 16 h of open time.
  EXPECT_EQ(DueAt(night, Utc(2026, 11, 30, 20, 0), 16 * kHour), Utc(2026, 12, 1, 12, 0));
}

TEST(CalendarTest, WholeDaysWith2400) {
  const Calendar c = Parse("UTC; Sat-Sun 00:00-24:00");
  EXPECT_TRUE(IsOpen(c, Utc(2026, 11, 29, 23, 59, 59)));  // Sun 23:59:59
  EXPECT_FALSE(IsOpen(c, Utc(2026, 11, 30, 0, 0)));       // Mon 00:00
  // Sat 00:00 + 48 h -> Mon 00:00; + 1 s more -> next Sat 00:00:01.
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 28), 48 * kHour), Utc(2026, 11, 30));
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 28), 48 * kHour + 1), Utc(2026, 12, 5, 0, 0, 1));
}

TEST(CalendarTest, AlwaysOpen) {
  const Calendar c = Parse("24/7");
  EXPECT_TRUE(IsOpen(c, Utc(2026, 12, 25, 3, 0)));
  EXPECT_EQ(NextOpening(c, Utc(2026, 12, 25, 3, 0)), Utc(2026, 12, 25, 3, 0));
  // 14 days of a 24/7 channel are 14 calendar days.
  EXPECT_EQ(DueAt(c, Utc(2026, 12, 25, 3, 0), 14 * 24 * kHour), Utc(2027, 1, 8, 3, 0));
  EXPECT_EQ(DueAt(c, Utc(2026, 12, 25, 3, 0), 0), Utc(2026, 12, 25, 3, 0));
  EXPECT_EQ(DueAt(c, Utc(2026, 12, 25, 3, 0), -1), Utc(2026, 12, 25, 3, 0));
}

TEST(CalendarTest, EmptyCalendarHasNoHours) {
  for (const Calendar& c :
       {Calendar{}, Parse("Europe/Sofia"), Parse("Europe/Sofia; holidays 2026-12-25")}) {
    EXPECT_FALSE(IsOpen(c, Utc(2026, 11, 24, 12, 0)));
    EXPECT_EQ(NextOpening(c, Utc(2026, 11, 24, 12, 0)), std::nullopt);
    EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 12, 0), kHour), std::nullopt);
    EXPECT_EQ(DueAt(c, Utc(2026, 11, 24, 12, 0), 0), std::nullopt);
  }
}

TEST(CalendarTest, HandBuiltCalendarsAreHandledSafely) {
  Calendar c;
  c.time_zone = "Not/AZone";                        // behaves as UTC
  c.week[0] = {{600, 540}, {-60, 30}, {540, 600}};  // two invalid intervals, one valid
  EXPECT_EQ(NextOpening(c, Utc(2026, 11, 24)), Utc(2026, 11, 30, 9, 0));  // Mon 09:00 UTC
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24), 2 * kHour), Utc(2026, 12, 7, 10, 0));
  // Unsorted intervals are fine.
  c.week[0] = {{900, 960}, {540, 600}};
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 30), 90 * 60), Utc(2026, 11, 30, 15, 30));
}

TEST(CalendarTest, IsValidIntervalBounds) {
  EXPECT_TRUE(IsValidInterval({0, 1440}));      // 00:00-24:00
  EXPECT_TRUE(IsValidInterval({1320, 1800}));   // 22:00-06:00
  EXPECT_TRUE(IsValidInterval({540, 1980}));    // 09:00-09:00, 24 h
  EXPECT_FALSE(IsValidInterval({540, 1981}));   // more than 24 h
  EXPECT_FALSE(IsValidInterval({540, 540}));    // empty
  EXPECT_FALSE(IsValidInterval({1440, 1500}));  // starts on the next day
  EXPECT_FALSE(IsValidInterval({-1, 30}));
  // A hand-built two-day interval is ignored, not half-used.
  Calendar c;
  c.week[0] = {{0, 2 * 1440}};
  EXPECT_EQ(NextOpening(c, Utc(2026, 11, 24)), std::nullopt);
}

TEST(CalendarTest, SafeFromSeveralThreads) {
  const Calendar sofia = SofiaOffice();
  const Calendar moscow = Parse("Europe/Moscow; Mon-Sun 22:00-06:00");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        // Fri 17:00 Sofia + 4 h -> Sat 13:00; Sat 28 Mar 22:00 MSK + 8 h -> Sun 06:00 MSK.
        if (DueAt(sofia, Utc(2026, 11, 27, 15, 0), 4 * kHour) != Utc(2026, 11, 28, 11, 0)) ++wrong;
        if (DueAt(moscow, Utc(2026, 3, 28, 19, 0), 8 * kHour) != Utc(2026, 3, 29, 3, 0)) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(CalendarTest, ExtremeInputsGiveNulloptNotCrashes) {
  const Calendar c = SofiaOffice();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_FALSE(IsOpen(c, kMax));
  EXPECT_EQ(NextOpening(c, kMin), std::nullopt);
  EXPECT_EQ(DueAt(c, kMax, kHour), std::nullopt);
  EXPECT_EQ(DueAt(c, Utc(2026, 11, 24), kMax), std::nullopt);
  EXPECT_EQ(DueAt(Parse("24/7"), Utc(2026, 11, 24), kMax), std::nullopt);
  // A year of business time is still answered: 2026-11-24 Tue 00:00 Sofia time start.
  EXPECT_TRUE(DueAt(c, Utc(2026, 11, 24), 366 * 24 * kHour).has_value());
}

}  // namespace
}  // namespace replydesk::sla
