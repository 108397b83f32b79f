// ParseCalendar and FormatCalendar: the text form, its errors, round trips.
#include <gtest/gtest.h>

#include "sla/calendar.h"
#include "sla_test_support.h"

namespace replydesk::sla {
namespace {

using testing::Parse;

constexpr Interval kNineToSix{540, 1080};

TEST(CalendarParseTest, OfficeWeekWithHolidays) {
  const Calendar c =
      Parse("Europe/Sofia; Mon-Fri 09:00-18:00; Sat 10:00-14:00; holidays 2026-12-24,2026-12-25");
  EXPECT_EQ(c.time_zone, "Europe/Sofia");
  EXPECT_FALSE(c.always_open);
  for (int d = 0; d < 5; ++d) EXPECT_EQ(c.week[d], std::vector<Interval>{kNineToSix}) << d;
  EXPECT_EQ(c.week[5], (std::vector<Interval>{{600, 840}}));
  EXPECT_TRUE(c.week[6].empty());
  EXPECT_EQ(c.holidays, (std::vector<LocalDate>{{2026, 12, 24}, {2026, 12, 25}}));
}

TEST(CalendarParseTest, OvernightAnd2400) {
  const Calendar night = Parse("Europe/Moscow; Mon-Sun 22:00-06:00");
  for (int d = 0; d < 7; ++d) EXPECT_EQ(night.week[d], (std::vector<Interval>{{1320, 1800}}));
  const Calendar c =
      Parse("UTC; Sat 00:00-24:00; Sun 22:00-24:00; Mon 09:00-09:00; Tue 18:00-00:00");
  EXPECT_EQ(c.week[5], (std::vector<Interval>{{0, 1440}}));
  EXPECT_EQ(c.week[6], (std::vector<Interval>{{1320, 1440}}));
  EXPECT_EQ(c.week[0], (std::vector<Interval>{{540, 1980}}));  // 24 h from 09:00
  EXPECT_EQ(c.week[1], (std::vector<Interval>{{1080, 1440}}));
}

TEST(CalendarParseTest, DayListsRangesAndWrap) {
  const Calendar c = Parse("UTC; Mon,Wed 08:00-12:00; Fri-Sun 10:00-11:00");
  EXPECT_EQ(c.week[0], (std::vector<Interval>{{480, 720}}));
  EXPECT_TRUE(c.week[1].empty());
  EXPECT_EQ(c.week[2], (std::vector<Interval>{{480, 720}}));
  for (int d = 4; d < 7; ++d) EXPECT_EQ(c.week[d], (std::vector<Interval>{{600, 660}})) << d;
  // A range wraps over the weekend: Sat-Mon is Sat, Sun, Mon.
  const Calendar wrap = Parse("UTC; Sat-Mon 10:00-11:00");
  EXPECT_FALSE(wrap.week[0].empty());
  EXPECT_TRUE(wrap.week[1].empty());
  EXPECT_FALSE(wrap.week[5].empty());
  EXPECT_FALSE(wrap.week[6].empty());
  // Mixed: list items can be ranges.
  const Calendar mixed = Parse("UTC; Mon-Tue,Thu 10:00-11:00");
  EXPECT_EQ(
      (std::array<bool, 3>{!mixed.week[1].empty(), mixed.week[2].empty(), !mixed.week[3].empty()}),
      (std::array<bool, 3>{true, true, true}));
}

TEST(CalendarParseTest, SeveralIntervalsAndPartsAddUp) {
  const Calendar c = Parse("UTC; Mon-Fri 09:00-12:00, 13:00-18:00; Mon 19:00-21:00");
  EXPECT_EQ(c.week[0], (std::vector<Interval>{{540, 720}, {780, 1080}, {1140, 1260}}));
  EXPECT_EQ(c.week[1], (std::vector<Interval>{{540, 720}, {780, 1080}}));
}

TEST(CalendarParseTest, ForgivingAboutCaseSpacesAndDashes) {
  const Calendar expected = Parse("Europe/Sofia; Mon-Fri 09:00-18:00; holidays 2026-12-24");
  for (const char* spec : {
           "europe/sofia; mon-fri 09:00-18:00; HOLIDAYS 2026-12-24",
           "  Europe/Sofia ;Mon - Fri  09:00 - 18:00 ;holidays  2026-12-24 ; ",
           "Europe/Sofia; Monday-Friday 9:00-18:00; holidays 2026-12-24",
           "Europe/Sofia; Mon\xE2\x80\x93"
           "Fri 09:00\xE2\x80\x93"
           "18:00; holidays 2026-12-24",
       }) {
    EXPECT_EQ(Parse(spec), expected) << spec;
  }
}

TEST(CalendarParseTest, AlwaysOpenAndZoneOnly) {
  const Calendar always = Parse("24/7");
  EXPECT_TRUE(always.always_open);
  EXPECT_EQ(always.time_zone, "UTC");
  const Calendar sofia = Parse("Europe/Sofia; 24/7");
  EXPECT_TRUE(sofia.always_open);
  EXPECT_EQ(sofia.time_zone, "Europe/Sofia");
  const Calendar empty = Parse("Europe/Bucharest");
  EXPECT_FALSE(empty.always_open);
  EXPECT_EQ(empty, Calendar{.time_zone = "Europe/Bucharest"});
}

TEST(CalendarParseTest, OtherZoneSpellings) {
  EXPECT_EQ(Parse("Etc/GMT-3").time_zone, "Etc/GMT-3");
  EXPECT_EQ(Parse("GMT+03:00").time_zone, "GMT+03:00");
  EXPECT_EQ(Parse("europe/BUCHAREST").time_zone, "Europe/Bucharest");
}

struct BadCase {
  const char* spec;
  const char* names;  // the part the message must name
};

TEST(CalendarParseTest, ErrorsNameTheBadPart) {
  const BadCase cases[] = {
      {"", "empty calendar"},
      {" ; ; ", "empty calendar"},
      {"Mars/Olympus_Mons; Mon-Fri 09:00-18:00", "unknown time zone 'Mars/Olympus_Mons'"},
      {"Etc/Unknown; Mon 09:00-10:00", "unknown time zone 'Etc/Unknown'"},
      {"Mon-Fri 09:00-18:00", "must be a time zone"},
      {"Europe/Sofia; Mox-Fri 09:00-18:00", "unknown day 'Mox'"},
      {"Europe/Sofia; Mon-Fry 09:00-18:00", "unknown day 'Fry'"},
      {"Europe/Sofia; Mon-Fri", "no hours in 'Mon-Fri'"},
      {"Europe/Sofia; 09:00-18:00", "no days before the hours in '09:00-18:00'"},
      {"Europe/Sofia; Mon 09:00-25:00", "bad hours '09:00-25:00'"},
      {"Europe/Sofia; Mon 09:60-18:00", "bad hours '09:60-18:00'"},
      {"Europe/Sofia; Mon 24:00-06:00", "bad hours '24:00-06:00'"},
      {"Europe/Sofia; Mon 24:30", "bad hours '24:30'"},
      {"Europe/Sofia; Mon 09:00-18:00,", "bad hours ''"},
      {"Europe/Sofia; Mon 0900-1800", "bad hours '0900-1800'"},
      {"Europe/Sofia; Mon 09:00-18:00-19:00", "bad hours '09:00-18:00-19:00'"},
      {"Europe/Sofia; holidays 2026-02-29", "bad holiday date '2026-02-29'"},
      {"Europe/Sofia; holidays 2026-13-01", "bad holiday date '2026-13-01'"},
      {"Europe/Sofia; holidays 2026-1-5", "bad holiday date '2026-1-5'"},
      {"Europe/Sofia; holidays", "no dates in 'holidays'"},
      {"Europe/Sofia; 24/7; Mon 09:00-10:00", "24/7"},
      {"24/7; holidays 2026-12-25", "takes no hours or holidays"},
  };
  for (const BadCase& c : cases) {
    const util::Result<Calendar> r = ParseCalendar(c.spec);
    ASSERT_FALSE(r.ok()) << c.spec;
    EXPECT_EQ(r.error().code, util::ErrorCode::kInvalidArgument) << c.spec;
    EXPECT_EQ(r.error().detail, "sla.bad_calendar") << c.spec;
    EXPECT_NE(r.error().message.find(c.names), std::string::npos)
        << c.spec << " -> " << r.error().message;
  }
}

TEST(CalendarParseTest, HolidayPartsAddUp) {
  const Calendar c = Parse("UTC; holidays 2026-12-24; Mon-Fri 09:00-18:00; holidays 2027-01-01");
  EXPECT_EQ(c.holidays, (std::vector<LocalDate>{{2026, 12, 24}, {2027, 1, 1}}));
}

TEST(CalendarParseTest, LeapDayIsAValidHoliday) {
  EXPECT_EQ(Parse("UTC; holidays 2028-02-29").holidays, (std::vector<LocalDate>{{2028, 2, 29}}));
}

TEST(CalendarParseTest, FormatIsCanonical) {
  EXPECT_EQ(FormatCalendar(Parse("24/7")), "24/7");
  EXPECT_EQ(FormatCalendar(Parse("Europe/Sofia; 24/7")), "Europe/Sofia; 24/7");
  EXPECT_EQ(FormatCalendar(Calendar{}), "UTC");
  EXPECT_EQ(FormatCalendar(Parse(" europe/sofia ;mon-fri 9:00-18:00;sat 10:00-14:00;"
                                 "holidays 2026-12-24, 2026-12-25")),
            "Europe/Sofia; Mon-Fri 09:00-18:00; Sat 10:00-14:00; holidays 2026-12-24,2026-12-25");
  // Equal days are grouped even when written apart; two-day runs are lists.
  EXPECT_EQ(FormatCalendar(Parse("UTC; Mon 09:00-12:00; Wed 09:00-12:00; Sat-Sun 22:00-06:00")),
            "UTC; Mon,Wed 09:00-12:00; Sat,Sun 22:00-06:00");
  EXPECT_EQ(FormatCalendar(Parse("UTC; Mon-Sun 00:00-24:00; Fri 09:00-09:00")),
            "UTC; Mon-Thu,Sat,Sun 00:00-24:00; Fri 00:00-24:00, 09:00-09:00");
}

TEST(CalendarParseTest, RoundTripFormatThenParse) {
  Calendar built;
  built.time_zone = "Europe/Bucharest";
  built.week[0] = {{780, 1080}, {540, 720}};  // unsorted order survives the round trip
  built.week[2] = {{540, 720}};
  built.week[4] = {{1320, 1800}, {0, 60}};
  built.week[6] = {{0, 1440}};
  built.holidays = {{2027, 1, 1}, {2026, 12, 25}};
  std::vector<Calendar> calendars = {
      built,
      Calendar{},
      Parse("24/7"),
      Parse("Europe/Sofia; 24/7"),
      Parse("Europe/Sofia; Mon-Fri 09:00-18:00; Sat 10:00-14:00; holidays 2026-12-24,2026-12-25"),
      Parse("Europe/Moscow; Mon-Sun 22:00-06:00"),
      Parse("Etc/GMT-3; Tue,Thu 08:30-12:15, 12:45-17:59; Sun 23:59-23:58"),
  };
  for (const Calendar& c : calendars) {
    const std::string text = FormatCalendar(c);
    const util::Result<Calendar> back = ParseCalendar(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.error().ToString();
    EXPECT_EQ(*back, c) << text;
    EXPECT_EQ(FormatCalendar(*back), text);
  }
}

}  // namespace
}  // namespace replydesk::sla
