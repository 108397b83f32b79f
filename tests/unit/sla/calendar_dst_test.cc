// Business time across DST changes. Sofia and Bucharest go from 03:00 to 04:00
// (UTC+2 -> UTC+3) on the last Sunday of March (2026-03-29, at 01:00 UTC) and
// from 04:00 back to 03:00 on the last Sunday of October (2026-10-25, at 01:00
// UTC). Moscow is UTC+3 all year since 2014-10-26 (UTC+4 before). Business
// time is real elapsed seconds; a skipped wall time maps to the jump, a
// repeated one to its first occurrence (calendar.h).
#include <gtest/gtest.h>

#include "sla/calendar.h"
#include "sla_test_support.h"

namespace replydesk::sla {
namespace {

using testing::kHour;
using testing::Parse;
using testing::Utc;

TEST(CalendarDstTest, DayShiftIsNineRealHoursOnBothChangeDays) {
  for (const char* zone : {"Europe/Sofia", "Europe/Bucharest"}) {
    const Calendar c = Parse(std::string(zone) + "; Mon-Sun 09:00-18:00");
    // Sun 29 Mar 09:00 EEST (UTC+3) -> 18:00 EEST.
    EXPECT_EQ(NextOpening(c, Utc(2026, 3, 28, 20, 0)), Utc(2026, 3, 29, 6, 0)) << zone;
    EXPECT_EQ(DueAt(c, Utc(2026, 3, 29, 6, 0), 9 * kHour), Utc(2026, 3, 29, 15, 0)) << zone;
    // Sat 28 Mar 09:00 EET (UTC+2) + 10 h -> Sun 10:00 EEST.
    EXPECT_EQ(DueAt(c, Utc(2026, 3, 28, 7, 0), 10 * kHour), Utc(2026, 3, 29, 7, 0)) << zone;
    // Sun 25 Oct 09:00 EET (UTC+2, after the change) -> 18:00 EET.
    EXPECT_EQ(NextOpening(c, Utc(2026, 10, 24, 20, 0)), Utc(2026, 10, 25, 7, 0)) << zone;
    EXPECT_EQ(DueAt(c, Utc(2026, 10, 25, 7, 0), 9 * kHour), Utc(2026, 10, 25, 16, 0)) << zone;
    // Sat 24 Oct 17:00 EEST (UTC+3) + 2 h -> Sun 10:00 EET.
    EXPECT_EQ(DueAt(c, Utc(2026, 10, 24, 14, 0), 2 * kHour), Utc(2026, 10, 25, 8, 0)) << zone;
  }
}

TEST(CalendarDstTest, NightShiftIsSevenHoursInSpringAndNineInAutumn) {
  for (const char* zone : {"Europe/Sofia", "Europe/Bucharest"}) {
    const Calendar c = Parse(std::string(zone) + "; Mon-Sun 22:00-06:00");
    // Spring: Sat 28 Mar 22:00 EET = 20:00Z to Sun 06:00 EEST = 03:00Z: 7 h.
    EXPECT_EQ(DueAt(c, Utc(2026, 3, 28, 20, 0), 7 * kHour), Utc(2026, 3, 29, 3, 0)) << zone;
    // One second more waits for Sun 22:00 EEST = 19:00Z.
    EXPECT_EQ(DueAt(c, Utc(2026, 3, 28, 20, 0), 7 * kHour + 1), Utc(2026, 3, 29, 19, 0, 1)) << zone;
    EXPECT_TRUE(IsOpen(c, Utc(2026, 3, 29, 0, 59, 59))) << zone;  // 02:59:59 EET
    EXPECT_TRUE(IsOpen(c, Utc(2026, 3, 29, 1, 0))) << zone;       // 04:00:00 EEST
    EXPECT_FALSE(IsOpen(c, Utc(2026, 3, 29, 3, 0))) << zone;      // 06:00 EEST
    // Autumn: Sat 24 Oct 22:00 EEST = 19:00Z to Sun 06:00 EET = 04:00Z: 9 h.
    EXPECT_EQ(DueAt(c, Utc(2026, 10, 24, 19, 0), 9 * kHour), Utc(2026, 10, 25, 4, 0)) << zone;
    EXPECT_EQ(DueAt(c, Utc(2026, 10, 24, 19, 0), 9 * kHour + 1), Utc(2026, 10, 25, 20, 0, 1))
        << zone;
    EXPECT_TRUE(IsOpen(c, Utc(2026, 10, 25, 0, 30))) << zone;  // first 03:30 (EEST)
    EXPECT_TRUE(IsOpen(c, Utc(2026, 10, 25, 1, 30))) << zone;  // second 03:30 (EET)
    EXPECT_TRUE(IsOpen(c, Utc(2026, 10, 25, 3, 59))) << zone;  // 05:59 EET
    EXPECT_FALSE(IsOpen(c, Utc(2026, 10, 25, 4, 0))) << zone;  // 06:00 EET
  }
}

TEST(CalendarDstTest, MoscowHasNoChangeSince2014) {
  const Calendar c = Parse("Europe/Moscow; Mon-Sun 22:00-06:00");
  // Sat 28 Mar 2026 22:00 MSK = 19:00Z; Sun 06:00 MSK = 03:00Z: 8 h, as every night.
  EXPECT_EQ(DueAt(c, Utc(2026, 3, 28, 19, 0), 8 * kHour), Utc(2026, 3, 29, 3, 0));
  // Sat 24 Oct 2026 22:00 MSK = 19:00Z; Sun 06:00 MSK = 03:00Z.
  EXPECT_EQ(DueAt(c, Utc(2026, 10, 24, 19, 0), 8 * kHour), Utc(2026, 10, 25, 3, 0));
  // Summer and winter 09:00 MSK are both 06:00Z.
  const Calendar day = Parse("Europe/Moscow; Mon-Fri 09:00-18:00");
  EXPECT_EQ(NextOpening(day, Utc(2026, 7, 1, 0, 0)), Utc(2026, 7, 1, 6, 0));  // Wed
  EXPECT_EQ(NextOpening(day, Utc(2026, 1, 7, 0, 0)), Utc(2026, 1, 7, 6, 0));  // Wed
}

TEST(CalendarDstTest, MoscowHistoryFromTzData) {
  const Calendar c = Parse("Europe/Moscow; Mon-Fri 09:00-18:00");
  // Fri 24 Oct 2014 09:00 was UTC+4 (05:00Z); Mon 27 Oct 2014 09:00 is UTC+3 (06:00Z).
  EXPECT_EQ(NextOpening(c, Utc(2014, 10, 24, 0, 0)), Utc(2014, 10, 24, 5, 0));
  EXPECT_EQ(NextOpening(c, Utc(2014, 10, 24, 14, 0)), Utc(2014, 10, 27, 6, 0));
  // The night the clocks went back (Sun 26 Oct 02:00 MSK+4 -> 01:00) does not
  // stretch the working week: Fri 17:00 (13:00Z) + 2 h -> Mon 10:00 (07:00Z).
  EXPECT_EQ(DueAt(c, Utc(2014, 10, 24, 13, 0), 2 * kHour), Utc(2014, 10, 27, 7, 0));
}

TEST(CalendarDstTest, WorkingWeekAcrossChanges) {
  const Calendar c = Parse("Europe/Sofia; Mon-Fri 09:00-18:00");
  // Fri 27 Mar 17:00 EET (15:00Z) + 2 h -> Mon 30 Mar 10:00 EEST (07:00Z).
  EXPECT_EQ(DueAt(c, Utc(2026, 3, 27, 15, 0), 2 * kHour), Utc(2026, 3, 30, 7, 0));
  // Fri 23 Oct 17:00 EEST (14:00Z) + 2 h -> Mon 26 Oct 10:00 EET (08:00Z).
  EXPECT_EQ(DueAt(c, Utc(2026, 10, 23, 14, 0), 2 * kHour), Utc(2026, 10, 26, 8, 0));
  // Two weeks (90 h) from Mon 23 Mar 09:00 EET (07:00Z) -> Fri 3 Apr 18:00 EEST (15:00Z).
  EXPECT_EQ(DueAt(c, Utc(2026, 3, 23, 7, 0), 90 * kHour), Utc(2026, 4, 3, 15, 0));
}

TEST(CalendarDstTest, IntervalInsideTheSkippedHourIsEmpty) {
  // 03:00-04:00 does not exist in Sofia on 29 Mar 2026.
  const Calendar c = Parse("Europe/Sofia; Sun 03:00-04:00");
  // From Sat 28 Mar noon, the next opening is Sun 5 Apr 03:00 EEST (00:00Z).
  EXPECT_EQ(NextOpening(c, Utc(2026, 3, 28, 10, 0)), Utc(2026, 4, 5, 0, 0));
  EXPECT_FALSE(IsOpen(c, Utc(2026, 3, 29, 1, 0)));  // 04:00 EEST, the jump
  // The week before (22 Mar, EET) it was a full hour: 01:00Z-02:00Z.
  EXPECT_EQ(DueAt(c, Utc(2026, 3, 22, 1, 0), kHour), Utc(2026, 3, 22, 2, 0));
}

TEST(CalendarDstTest, StartInsideTheSkippedHourOpensAtTheJump) {
  const Calendar c = Parse("Europe/Sofia; Sun 03:30-05:00");
  // 03:30 does not exist on 29 Mar; the clocks read 04:00 EEST at 01:00Z.
  EXPECT_EQ(NextOpening(c, Utc(2026, 3, 28, 10, 0)), Utc(2026, 3, 29, 1, 0));
  // Open 04:00-05:00 EEST, one real hour.
  EXPECT_EQ(DueAt(c, Utc(2026, 3, 28, 10, 0), kHour), Utc(2026, 3, 29, 2, 0));
  // An interval ending in the gap ends at the jump: 02:00-03:30 is 02:00-04:00 EEST, 1 h.
  const Calendar early = Parse("Europe/Sofia; Sun 02:00-03:30");
  EXPECT_EQ(DueAt(early, Utc(2026, 3, 29, 0, 0), kHour), Utc(2026, 3, 29, 1, 0));
  // One second more: Sun 5 Apr 02:00 EEST (Sat 23:00Z) + 1 s.
  EXPECT_EQ(DueAt(early, Utc(2026, 3, 29, 0, 0), kHour + 1), Utc(2026, 4, 4, 23, 0, 1));
}

TEST(CalendarDstTest, RepeatedHourUsesItsFirstOccurrence) {
  const Calendar c = Parse("Europe/Sofia; Sun 03:30-05:00");
  // 25 Oct: the first 03:30 is EEST (00:30Z); 05:00 EET is 03:00Z: 2.5 real hours.
  EXPECT_EQ(NextOpening(c, Utc(2026, 10, 24, 10, 0)), Utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(DueAt(c, Utc(2026, 10, 25, 0, 30), 9000), Utc(2026, 10, 25, 3, 0));
  // One second more: Sun 1 Nov 03:30 EET (01:30Z) + 1 s.
  EXPECT_EQ(DueAt(c, Utc(2026, 10, 25, 0, 30), 9001), Utc(2026, 11, 1, 1, 30, 1));
  // An interval ending at 03:30 ends at its first occurrence: 00:00-03:30 EEST.
  const Calendar early = Parse("Europe/Sofia; Sun 00:00-03:30");
  EXPECT_TRUE(IsOpen(early, Utc(2026, 10, 25, 0, 29)));   // 03:29 EEST
  EXPECT_FALSE(IsOpen(early, Utc(2026, 10, 25, 1, 15)));  // 03:15 EET, the second time
  // Sun 00:00 EEST = Sat 21:00Z; 3.5 h later.
  EXPECT_EQ(DueAt(early, Utc(2026, 10, 24, 21, 0), 3 * kHour + 1800), Utc(2026, 10, 25, 0, 30));
}

TEST(CalendarDstTest, TheDocsTableOfChangeDays) {
  // docs/sla.md: 03:00-04:00 is 0 h in spring and 2 h in autumn (both 03:00s).
  const Calendar hour = Parse("Europe/Sofia; Sun 03:00-04:00");
  // Sun 25 Oct: first 03:00 EEST = 00:00Z to 04:00 EET = 02:00Z.
  EXPECT_EQ(NextOpening(hour, Utc(2026, 10, 24, 12, 0)), Utc(2026, 10, 25, 0, 0));
  EXPECT_EQ(DueAt(hour, Utc(2026, 10, 25, 0, 0), 2 * kHour), Utc(2026, 10, 25, 2, 0));
  EXPECT_EQ(DueAt(hour, Utc(2026, 10, 25, 0, 0), 2 * kHour + 1), Utc(2026, 11, 1, 1, 0, 1));
  // 00:00-03:30 in spring: Sun 00:00 EET = Sat 22:00Z to the jump at 01:00Z, 3 h.
  const Calendar early = Parse("Europe/Sofia; Sun 00:00-03:30");
  EXPECT_EQ(DueAt(early, Utc(2026, 3, 28, 22, 0), 3 * kHour), Utc(2026, 3, 29, 1, 0));
  EXPECT_FALSE(IsOpen(early, Utc(2026, 3, 29, 1, 0)));  // 04:00 EEST
}

TEST(CalendarDstTest, WholeDayOnChangeDaysIs23And25Hours) {
  const Calendar c = Parse("Europe/Bucharest; Sun 00:00-24:00");
  // 29 Mar: Sun 00:00 EET (Sat 22:00Z) to Mon 00:00 EEST (Sun 21:00Z): 23 h.
  EXPECT_EQ(DueAt(c, Utc(2026, 3, 28, 22, 0), 23 * kHour), Utc(2026, 3, 29, 21, 0));
  EXPECT_FALSE(IsOpen(c, Utc(2026, 3, 29, 21, 0)));
  // 25 Oct: Sun 00:00 EEST (Sat 21:00Z) to Mon 00:00 EET (Sun 22:00Z): 25 h.
  EXPECT_EQ(DueAt(c, Utc(2026, 10, 24, 21, 0), 25 * kHour), Utc(2026, 10, 25, 22, 0));
  EXPECT_TRUE(IsOpen(c, Utc(2026, 10, 25, 21, 59, 59)));
}

TEST(CalendarDstTest, NextYearsChangesToo) {
  // 2027: last Sundays are 28 Mar and 31 Oct.
  const Calendar c = Parse("Europe/Sofia; Mon-Sun 22:00-06:00");
  EXPECT_EQ(DueAt(c, Utc(2027, 3, 27, 20, 0), 7 * kHour), Utc(2027, 3, 28, 3, 0));
  EXPECT_EQ(DueAt(c, Utc(2027, 10, 30, 19, 0), 9 * kHour), Utc(2027, 10, 31, 4, 0));
}

}  // namespace
}  // namespace replydesk::sla
