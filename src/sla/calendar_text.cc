// Customer-facing texts for calendars: DescribeHours and FormatLocalTime in
// en, ru, bg, ro. Day and month names (with the genitive months Russian needs:
// "24 ноября") come from ICU's CLDR data; the few connecting words are ours.
// The zone is named after its exemplar city in the reader's language.
#include <unicode/dtfmtsym.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>
#include <unicode/tznames.h>

#include <algorithm>
#include <memory>

#include "sla/calendar.h"
#include "sla/civil.h"
#include "sla/day_groups.h"
#include "sla/zone_rules.h"
#include "util/strings.h"

namespace replydesk::sla {
namespace {

struct Language {
  const char* locale;
  std::string_view range_sep;        // between the first and last day of a run
  std::string_view and_word;         // before the last item of a list
  std::string_view every_day;        // a group covering all seven days
  std::string_view all_day;          // a day open 00:00-24:00
  std::string_view always_open;      // a 24/7 calendar
  std::string_view no_hours;         // a calendar without hours
  std::string_view except_holidays;  // appended when the calendar has holidays
  std::string_view city_zone;        // {0} = exemplar city
  std::string_view other_zone;       // {0} = "UTC+3" or the zone id
  std::string_view date_time;        // {0} weekday {1} day {2} month {3} year {4} HH:MM
};

// Connecting words per language; ru, bg and ro write day names in lower case.
constexpr Language kEnglish{"en_GB",
                            " to ",
                            " and ",
                            "every day",
                            "around the clock",
                            "around the clock, every day",
                            "no business hours",
                            ", except holidays",
                            "{0} time",
                            "{0}",
                            "{0}, {1} {2} {3} at {4}"};
constexpr Language kRussian{"ru",
                            "–",
                            " и ",
                            "ежедневно",
                            "круглосуточно",
                            "круглосуточно, без выходных",
                            "нет рабочих часов",
                            ", кроме праздничных дней",
                            "часовой пояс: {0}",
                            "часовой пояс: {0}",
                            "{0}, {1} {2} {3} г. в {4}"};
constexpr Language kBulgarian{"bg",
                              "–",
                              " и ",
                              "всеки ден",
                              "денонощно",
                              "денонощно, без почивни дни",
                              "няма работно време",
                              ", с изключение на празниците",
                              "часова зона: {0}",
                              "часова зона: {0}",
                              "{0}, {1} {2} {3} г. в {4} ч."};
constexpr Language kRomanian{"ro",
                             "–",
                             " și ",
                             "zilnic",
                             "non-stop",
                             "non-stop, în fiecare zi",
                             "fără program de lucru",
                             ", cu excepția sărbătorilor",
                             "fus orar: {0}",
                             "fus orar: {0}",
                             "{0}, {1} {2} {3}, ora {4}"};

// "ru", "RU", "ru-RU", "ru_RU" -> Russian; anything unknown -> English.
const Language& PickLanguage(std::string_view tag) {
  const std::string primary = util::AsciiLower(tag.substr(0, tag.find_first_of("-_")));
  if (primary == "ru") return kRussian;
  if (primary == "bg") return kBulgarian;
  if (primary == "ro") return kRomanian;
  return kEnglish;
}

std::string Fill(std::string_view pattern, const std::vector<std::string>& args) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}') {
      out += args.at(static_cast<size_t>(pattern[i + 1] - '0'));
      i += 2;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// ICU's names of days (0 = Monday) and months (0 = January) in one language.
struct Names {
  std::array<std::string, 7> standalone_days, format_days;
  std::array<std::string, 12> months;  // format context: genitive in Russian
};

Names LoadNames(const Language& lang) {
  constexpr const char* kDays[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                    "Friday", "Saturday", "Sunday"};
  constexpr const char* kMonths[12] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
  Names names;
  for (int d = 0; d < 7; ++d) names.standalone_days[d] = names.format_days[d] = kDays[d];
  for (int m = 0; m < 12; ++m) names.months[m] = kMonths[m];
  UErrorCode status = U_ZERO_ERROR;
  const icu::DateFormatSymbols symbols(icu::Locale(lang.locale), status);
  if (U_FAILURE(status)) return names;  // keep the English fallback
  using Symbols = icu::DateFormatSymbols;
  int32_t count = 0;
  // ICU's weekday arrays are indexed 1 = Sunday ... 7 = Saturday.
  const icu::UnicodeString* days = symbols.getWeekdays(count, Symbols::STANDALONE, Symbols::WIDE);
  for (int d = 0; d < 7 && count == 8; ++d)
    names.standalone_days[d] = ToUtf8(days[(d + 1) % 7 + 1]);
  days = symbols.getWeekdays(count, Symbols::FORMAT, Symbols::WIDE);
  for (int d = 0; d < 7 && count == 8; ++d) names.format_days[d] = ToUtf8(days[(d + 1) % 7 + 1]);
  const icu::UnicodeString* months = symbols.getMonths(count, Symbols::FORMAT, Symbols::WIDE);
  for (int m = 0; m < 12 && count >= 12; ++m) names.months[m] = ToUtf8(months[m]);
  return names;
}

// "UTC", "UTC+2", "UTC+5:30", "UTC-3".
std::string OffsetText(int seconds) {
  if (seconds == 0) return "UTC";
  const int minutes = std::abs(seconds) / 60;
  std::string out = std::string("UTC") + (seconds < 0 ? "-" : "+") + std::to_string(minutes / 60);
  if (minutes % 60)
    out += ":" + std::string(minutes % 60 < 10 ? "0" : "") + std::to_string(minutes % 60);
  return out;
}

// The zone's exemplar city in the reader's language ("Sofia", "София",
// "București"); empty for zones without one (UTC, Etc/GMT-3, CET).
std::string ExemplarCity(const ZoneRules& zone, const Language& lang) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString canonical;
  icu::TimeZone::getCanonicalID(icu::UnicodeString::fromUTF8(zone.id()), canonical, status);
  if (U_FAILURE(status) || canonical.startsWith(icu::UnicodeString(u"Etc/"))) return {};
  std::unique_ptr<icu::TimeZoneNames> names(
      icu::TimeZoneNames::createInstance(icu::Locale(lang.locale), status));
  if (U_FAILURE(status) || !names) return {};
  icu::UnicodeString city;
  names->getExemplarLocationName(canonical, city);
  return city.isBogus() ? std::string() : ToUtf8(city);
}

struct ZoneLabel {
  std::string text;           // "Sofia time", "часовой пояс: София", "UTC+3"
  bool names_offset = false;  // the text already states the UTC offset
};

ZoneLabel LabelZone(const ZoneRules& zone, const Language& lang) {
  if (const std::string city = ExemplarCity(zone, lang); !city.empty()) {
    return {Fill(lang.city_zone, {city}), false};
  }
  if (zone.IsFixedOffset()) return {Fill(lang.other_zone, {OffsetText(zone.OffsetAt(0))}), true};
  return {Fill(lang.other_zone, {zone.id()}), false};
}

// "a", "a and b", "a, b and c".
std::string JoinList(const std::vector<std::string>& items, const Language& lang) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? lang.and_word : std::string_view(", ");
    out += items[i];
  }
  return out;
}

std::string Clock(int minute) {
  const int h = minute / 60, m = minute % 60;
  return std::string{char('0' + h / 10), char('0' + h % 10), ':', char('0' + m / 10),
                     char('0' + m % 10)};
}

std::string DescribeDays(const DayGroup& group, const Names& names, const Language& lang) {
  if (group.runs.size() == 1 && group.runs[0].first == 0 && group.runs[0].last == 6) {
    return std::string(lang.every_day);
  }
  std::vector<std::string> items;
  for (const DayRun& run : group.runs) {
    if (run.last - run.first >= 2) {
      items.push_back(names.standalone_days[run.first] + std::string(lang.range_sep) +
                      names.standalone_days[run.last]);
    } else {
      for (int d = run.first; d <= run.last; ++d) items.push_back(names.standalone_days[d]);
    }
  }
  return JoinList(items, lang);
}

std::string DescribeIntervals(const std::vector<Interval>& intervals, const Language& lang) {
  if (intervals.size() == 1 && intervals[0] == Interval{0, 1440}) return std::string(lang.all_day);
  std::vector<std::string> items;
  for (const Interval& i : intervals) {
    const int end = i.end_minute > 1440 ? i.end_minute - 1440 : i.end_minute;
    items.push_back(Clock(i.start_minute) + "\xE2\x80\x93" + Clock(end));  // en dash
  }
  return JoinList(items, lang);
}

}  // namespace

std::string DescribeHours(const Calendar& calendar, std::string_view language) {
  const Language& lang = PickLanguage(language);
  if (calendar.always_open) return std::string(lang.always_open);
  const Week week = UsableWeek(calendar);  // what customers read: valid, by start time
  const std::vector<DayGroup> groups = GroupDays(week);
  if (groups.empty()) return std::string(lang.no_hours);
  const Names names = LoadNames(lang);
  std::vector<std::string> parts;
  for (const DayGroup& group : groups) {
    parts.push_back(DescribeDays(group, names, lang) + " " +
                    DescribeIntervals(*group.intervals, lang));
  }
  std::string out = util::Join(parts, ", ");
  if (!calendar.holidays.empty()) out += lang.except_holidays;
  return out + " (" + LabelZone(ZoneRules::ForCalendar(calendar.time_zone), lang).text + ")";
}

std::string FormatLocalTime(const Calendar& calendar, UnixSeconds t, std::string_view language) {
  const Language& lang = PickLanguage(language);
  const ZoneRules zone = ZoneRules::ForCalendar(calendar.time_zone);
  const int64_t wall = zone.UtcToLocal(t);
  const int64_t days = civil::FloorDiv(wall, civil::kSecondsPerDay);
  const LocalDate date = civil::CivilFromDays(days);
  const int minute = static_cast<int>(civil::FloorMod(wall, civil::kSecondsPerDay) / 60);
  const Names names = LoadNames(lang);
  std::string out = Fill(lang.date_time,
                         {names.format_days[civil::WeekdayFromDays(days)], std::to_string(date.day),
                          names.months[date.month - 1], std::to_string(date.year), Clock(minute)});
  const ZoneLabel label = LabelZone(zone, lang);
  out += " (" + label.text;
  if (!label.names_offset) out += ", " + OffsetText(zone.OffsetAt(t));
  return out + ")";
}

}  // namespace replydesk::sla
