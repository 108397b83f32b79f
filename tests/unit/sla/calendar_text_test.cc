// DescribeHours and FormatLocalTime in en, ru, bg, ro: the exact customer texts.
#include <gtest/gtest.h>

#include "sla/calendar.h"
#include "sla_test_support.h"

namespace replydesk::sla {
namespace {

using testing::Parse;
using testing::Utc;

Calendar SofiaOffice() { return Parse("Europe/Sofia; Mon-Fri 09:00-18:00; Sat 10:00-14:00"); }

TEST(CalendarTextTest, DescribeOfficeHoursInFourLanguages) {
  const Calendar c = SofiaOffice();
  EXPECT_EQ(DescribeHours(c, "en"),
            "Monday to Friday 09:00–18:00, Saturday 10:00–14:00 (Sofia time)");
  EXPECT_EQ(DescribeHours(c, "ru"),
            "понедельник–пятница 09:00–18:00, суббота 10:00–14:00 (часовой пояс: София)");
  EXPECT_EQ(DescribeHours(c, "bg"),
            "понеделник–петък 09:00–18:00, събота 10:00–14:00 (часова зона: София)");
  EXPECT_EQ(DescribeHours(c, "ro"),
            "luni–vineri 09:00–18:00, sâmbătă 10:00–14:00 (fus orar: Sofia)");
}

TEST(CalendarTextTest, LanguageTagsAndFallback) {
  const Calendar c = SofiaOffice();
  EXPECT_EQ(DescribeHours(c, "ru-RU"), DescribeHours(c, "ru"));
  EXPECT_EQ(DescribeHours(c, "BG_bg"), DescribeHours(c, "bg"));
  EXPECT_EQ(DescribeHours(c, "de"), DescribeHours(c, "en"));
  EXPECT_EQ(DescribeHours(c, ""), DescribeHours(c, "en"));
  EXPECT_EQ(FormatLocalTime(c, Utc(2026, 11, 24, 12, 0), "fr"),
            FormatLocalTime(c, Utc(2026, 11, 24, 12, 0), "en"));
}

TEST(CalendarTextTest, DescribeListsSplitShiftsWholeDaysAndHolidays) {
  const Calendar c = Parse(
      "Europe/Bucharest; Mon,Wed 09:00-12:00, 13:00-17:00; Tue-Thu 22:00-06:00; "
      "Sat,Sun 00:00-24:00; holidays 2026-12-25");
  EXPECT_EQ(DescribeHours(c, "en"),
            "Monday 09:00–12:00 and 13:00–17:00, "
            "Tuesday and Thursday 22:00–06:00, "
            "Wednesday 09:00–12:00, 13:00–17:00 and 22:00–06:00, "
            "Saturday and Sunday around the clock, except holidays (Bucharest time)");
  EXPECT_EQ(DescribeHours(c, "ru"),
            "понедельник 09:00–12:00 и 13:00–17:00, "
            "вторник и четверг 22:00–06:00, "
            "среда 09:00–12:00, 13:00–17:00 и 22:00–06:00, "
            "суббота и воскресенье круглосуточно, кроме праздничных дней "
            "(часовой пояс: Бухарест)");
  EXPECT_EQ(DescribeHours(c, "bg"),
            "понеделник 09:00–12:00 и 13:00–17:00, "
            "вторник и четвъртък 22:00–06:00, "
            "сряда 09:00–12:00, 13:00–17:00 и 22:00–06:00, "
            "събота и неделя денонощно, с изключение на празниците (часова зона: Букурещ)");
  EXPECT_EQ(DescribeHours(c, "ro"),
            "luni 09:00–12:00 și 13:00–17:00, "
            "marți și joi 22:00–06:00, "
            "miercuri 09:00–12:00, 13:00–17:00 și 22:00–06:00, "
            "sâmbătă și duminică non-stop, cu excepția sărbătorilor (fus orar: București)");
}

TEST(CalendarTextTest, DescribeSortsIntervalsAndGroupsNonAdjacentDays) {
  const Calendar c = Parse("Europe/Moscow; Mon,Wed,Fri 13:00-17:00, 09:00-12:00");
  EXPECT_EQ(DescribeHours(c, "en"),
            "Monday, Wednesday and Friday 09:00–12:00 and 13:00–17:00 (Moscow time)");
  EXPECT_EQ(DescribeHours(c, "ro"),
            "luni, miercuri și vineri 09:00–12:00 și 13:00–17:00 (fus orar: Moscova)");
}

TEST(CalendarTextTest, DescribeEveryDay) {
  const Calendar c = Parse("Europe/Moscow; Mon-Sun 08:00-20:00");
  EXPECT_EQ(DescribeHours(c, "en"), "every day 08:00–20:00 (Moscow time)");
  EXPECT_EQ(DescribeHours(c, "ru"), "ежедневно 08:00–20:00 (часовой пояс: Москва)");
  EXPECT_EQ(DescribeHours(c, "bg"), "всеки ден 08:00–20:00 (часова зона: Москва)");
  EXPECT_EQ(DescribeHours(c, "ro"), "zilnic 08:00–20:00 (fus orar: Moscova)");
}

TEST(CalendarTextTest, DescribeAroundTheClockAndNoHours) {
  for (const Calendar& c : {Parse("24/7"), Parse("Europe/Sofia; 24/7")}) {
    EXPECT_EQ(DescribeHours(c, "en"), "around the clock, every day");
    EXPECT_EQ(DescribeHours(c, "ru"), "круглосуточно, без выходных");
    EXPECT_EQ(DescribeHours(c, "bg"), "денонощно, без почивни дни");
    EXPECT_EQ(DescribeHours(c, "ro"), "non-stop, în fiecare zi");
  }
  const Calendar none = Parse("Europe/Sofia");
  EXPECT_EQ(DescribeHours(none, "en"), "no business hours");
  EXPECT_EQ(DescribeHours(none, "ru"), "нет рабочих часов");
  EXPECT_EQ(DescribeHours(none, "bg"), "няма работно време");
  EXPECT_EQ(DescribeHours(none, "ro"), "fără program de lucru");
}

TEST(CalendarTextTest, DescribeFixedOffsetZones) {
  EXPECT_EQ(DescribeHours(Parse("UTC; Mon 09:00-10:00"), "en"), "Monday 09:00–10:00 (UTC)");
  EXPECT_EQ(DescribeHours(Parse("Etc/GMT-3; Mon 09:00-10:00"), "ru"),
            "понедельник 09:00–10:00 (часовой пояс: UTC+3)");
}

TEST(CalendarTextTest, FormatLocalTimeWinterAndSummer) {
  const Calendar c = SofiaOffice();
  // 2026-11-24 12:00Z is Tue 14:00 in Sofia (UTC+2).
  const UnixSeconds winter = Utc(2026, 11, 24, 12, 0);
  EXPECT_EQ(FormatLocalTime(c, winter, "en"),
            "Tuesday, 24 November 2026 at 14:00 (Sofia time, UTC+2)");
  EXPECT_EQ(FormatLocalTime(c, winter, "ru"),
            "вторник, 24 ноября 2026 г. в 14:00 (часовой пояс: София, UTC+2)");
  EXPECT_EQ(FormatLocalTime(c, winter, "bg"),
            "вторник, 24 ноември 2026 г. в 14:00 ч. (часова зона: София, UTC+2)");
  EXPECT_EQ(FormatLocalTime(c, winter, "ro"),
            "marți, 24 noiembrie 2026, ora 14:00 (fus orar: Sofia, UTC+2)");
  // 2026-07-01 06:05Z is Wed 09:05 in Sofia (UTC+3).
  const UnixSeconds summer = Utc(2026, 7, 1, 6, 5);
  EXPECT_EQ(FormatLocalTime(c, summer, "en"),
            "Wednesday, 1 July 2026 at 09:05 (Sofia time, UTC+3)");
  EXPECT_EQ(FormatLocalTime(c, summer, "ru"),
            "среда, 1 июля 2026 г. в 09:05 (часовой пояс: София, UTC+3)");
  EXPECT_EQ(FormatLocalTime(c, summer, "bg"),
            "сряда, 1 юли 2026 г. в 09:05 ч. (часова зона: София, UTC+3)");
  EXPECT_EQ(FormatLocalTime(c, summer, "ro"),
            "miercuri, 1 iulie 2026, ora 09:05 (fus orar: Sofia, UTC+3)");
}

TEST(CalendarTextTest, FormatLocalTimeAcrossMidnightAndZones) {
  // 2026-12-31 22:30Z is already 1 January 2027 01:30 in Moscow (UTC+3), a Friday.
  const Calendar moscow = Parse("Europe/Moscow; Mon-Fri 09:00-18:00");
  EXPECT_EQ(FormatLocalTime(moscow, Utc(2026, 12, 31, 22, 30), "ru"),
            "пятница, 1 января 2027 г. в 01:30 (часовой пояс: Москва, UTC+3)");
  EXPECT_EQ(FormatLocalTime(moscow, Utc(2026, 12, 31, 22, 30), "en"),
            "Friday, 1 January 2027 at 01:30 (Moscow time, UTC+3)");
  // Bucharest in the Romanian spelling; 2026-03-29 01:00Z is 04:00 EEST, just after the jump.
  const Calendar bucharest = Parse("Europe/Bucharest; Mon-Fri 09:00-18:00");
  EXPECT_EQ(FormatLocalTime(bucharest, Utc(2026, 3, 29, 1, 0), "ro"),
            "duminică, 29 martie 2026, ora 04:00 (fus orar: București, UTC+3)");
  EXPECT_EQ(FormatLocalTime(bucharest, Utc(2026, 3, 29, 0, 59), "bg"),
            "неделя, 29 март 2026 г. в 02:59 ч. (часова зона: Букурещ, UTC+2)");
  // UTC and fixed offsets state the offset once.
  EXPECT_EQ(FormatLocalTime(Parse("24/7"), Utc(2026, 2, 3, 4, 5), "en"),
            "Tuesday, 3 February 2026 at 04:05 (UTC)");
  EXPECT_EQ(FormatLocalTime(Parse("Etc/GMT-3"), Utc(2026, 2, 3, 4, 5), "ro"),
            "marți, 3 februarie 2026, ora 07:05 (fus orar: UTC+3)");
  EXPECT_EQ(FormatLocalTime(Parse("Asia/Kolkata"), Utc(2026, 2, 3, 4, 5), "en"),
            "Tuesday, 3 February 2026 at 09:35 (Kolkata time, UTC+5:30)");
  EXPECT_EQ(FormatLocalTime(Parse("America/New_York"), Utc(2026, 2, 3, 4, 5), "en"),
            "Monday, 2 February 2026 at 23:05 (New York time, UTC-5)");
}

}  // namespace
}  // namespace replydesk::sla
