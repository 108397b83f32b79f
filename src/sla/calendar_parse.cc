// ParseCalendar and FormatCalendar: the text form of business calendars used
// by the CLI and config files (grammar and examples in docs/sla.md):
//   "<zone>; <days> HH:MM-HH:MM[, HH:MM-HH:MM]; ...; holidays YYYY-MM-DD,..."  or  "24/7"
#include <string>

#include "sla/calendar.h"
#include "sla/civil.h"
#include "sla/day_groups.h"
#include "sla/zone_rules.h"
#include "util/strings.h"

namespace replydesk::sla {
namespace {

constexpr std::string_view kDayAbbrev[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::string_view kDayFull[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                          "friday", "saturday", "sunday"};

util::Error Bad(std::string message) {
  return util::MakeError(util::ErrorCode::kInvalidArgument, "sla.bad_calendar", std::move(message));
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// People paste hours from web pages: "09:00–18:00" with an en dash, stray spaces.
std::string Squeeze(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 3, "\xE2\x80\x93") == 0) {  // U+2013 EN DASH
      out += '-';
      i += 2;
    } else if (s[i] != ' ' && s[i] != '\t') {
      out += s[i];
    }
  }
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

std::optional<int> ParseDay(std::string_view name) {
  for (int d = 0; d < 7; ++d) {
    if (util::EqualsIgnoreCase(name, kDayAbbrev[d]) || util::EqualsIgnoreCase(name, kDayFull[d])) {
      return d;
    }
  }
  return std::nullopt;
}

// "Mon-Fri,Sun" -> {Mon..Fri, Sun}. Ranges wrap: "Fri-Mon" is Fri, Sat, Sun, Mon.
using DaySet = std::array<bool, 7>;

util::Result<DaySet> ParseDays(std::string_view text, std::string_view part) {
  DaySet days{};
  for (const std::string& item : util::Split(text, ',')) {
    const size_t dash = item.find('-');
    const std::string first = item.substr(0, dash);
    const std::string last = dash == std::string::npos ? first : item.substr(dash + 1);
    const std::optional<int> from = ParseDay(first), to = ParseDay(last);
    if (!from || !to) {
      return Bad("unknown day " + Quote(!from ? first : last) + " in " + Quote(part) +
                 " (days are Mon Tue Wed Thu Fri Sat Sun)");
    }
    for (int d = *from;; d = (d + 1) % 7) {
      days[d] = true;
      if (d == *to) break;
    }
  }
  return days;
}

// "HH:MM" or "H:MM" -> minutes; 24:00 only where `allow_24` (an end).
std::optional<int> ParseTime(std::string_view s, bool allow_24) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3) {
    return std::nullopt;
  }
  const std::string_view hh = s.substr(0, colon), mm = s.substr(colon + 1);
  if (!AllDigits(hh) || !AllDigits(mm)) return std::nullopt;
  const int h = ToInt(hh), m = ToInt(mm);
  if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24))) return std::nullopt;
  return h * 60 + m;
}

util::Result<std::vector<Interval>> ParseIntervals(std::string_view text, std::string_view part) {
  std::vector<Interval> out;
  for (const std::string& item : util::Split(text, ',')) {
    const size_t dash = item.find('-');
    const std::optional<int> start =
        dash == std::string::npos ? std::nullopt : ParseTime(item.substr(0, dash), false);
    const std::optional<int> end =
        dash == std::string::npos ? std::nullopt : ParseTime(item.substr(dash + 1), true);
    if (!start || !end) {
      return Bad("bad hours " + Quote(item) + " in " + Quote(part) +
                 " (want HH:MM-HH:MM, 00:00 to 24:00)");
    }
    // End at or before start: the shift ends the next day (22:00-06:00, 09:00-09:00 = 24 h).
    out.push_back(Interval{*start, *end <= *start ? *end + 1440 : *end});
  }
  return out;
}

// "Mon-Fri 09:00-18:00, 19:00-21:00": days up to the first digit, hours after.
util::Status ParseDayPart(std::string_view part, Calendar& calendar) {
  const std::string text = Squeeze(part);
  const size_t digit = text.find_first_of("0123456789");
  if (digit == std::string::npos) return Bad("no hours in " + Quote(part));
  if (digit == 0) return Bad("no days before the hours in " + Quote(part));
  RD_ASSIGN_OR_RETURN(const DaySet days, ParseDays(text.substr(0, digit), part));
  RD_ASSIGN_OR_RETURN(const std::vector<Interval> intervals,
                      ParseIntervals(text.substr(digit), part));
  for (int d = 0; d < 7; ++d) {
    if (days[d])
      calendar.week[d].insert(calendar.week[d].end(), intervals.begin(), intervals.end());
  }
  return util::OkStatus();
}

// "2026-12-24" exactly (local date, proleptic Gregorian).
std::optional<LocalDate> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const std::string_view y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
  if (!AllDigits(y) || !AllDigits(m) || !AllDigits(d)) return std::nullopt;
  const LocalDate date{ToInt(y), ToInt(m), ToInt(d)};
  if (!civil::IsValidDate(date)) return std::nullopt;
  return date;
}

util::Status ParseHolidays(std::string_view list, std::string_view part, Calendar& calendar) {
  const std::string text = Squeeze(list);
  if (text.empty()) return Bad("no dates in " + Quote(part));
  for (const std::string& item : util::Split(text, ',')) {
    const std::optional<LocalDate> date = ParseDate(item);
    if (!date)
      return Bad("bad holiday date " + Quote(item) + " in " + Quote(part) + " (want YYYY-MM-DD)");
    calendar.holidays.push_back(*date);
  }
  return util::OkStatus();
}

constexpr std::string_view kHolidaysWord = "holidays";

bool IsHolidaysPart(std::string_view part) {
  const size_t n = kHolidaysWord.size();
  return util::StartsWithIgnoreCase(part, kHolidaysWord) &&
         (part.size() == n || part[n] == ' ' || part[n] == '\t');
}

util::Result<Calendar> ParseZone(std::string_view first) {
  if (first.empty())
    return Bad("empty calendar (want \"24/7\" or \"<time zone>; Mon-Fri 09:00-18:00\")");
  const std::optional<ZoneRules> zone = ZoneRules::Load(first);
  if (!zone) {
    const std::string what = ParseDay(first.substr(0, std::min<size_t>(3, first.size())))
                                 ? "the first part must be a time zone, got "
                                 : "unknown time zone ";
    return Bad(what + Quote(first) + " (use an IANA name such as Europe/Sofia or UTC)");
  }
  Calendar calendar;
  calendar.time_zone = zone->id();
  return calendar;
}

std::string TwoDigits(int v) { return std::string{char('0' + v / 10), char('0' + v % 10)}; }

std::string FormatMinute(int minute) {
  return TwoDigits(minute / 60) + ":" + TwoDigits(minute % 60);
}

std::string FormatInterval(const Interval& i) {
  const int end = i.end_minute > 1440 ? i.end_minute - 1440 : i.end_minute;
  return FormatMinute(i.start_minute) + "-" + FormatMinute(end);
}

std::string FormatDate(const LocalDate& d) {
  return std::to_string(d.year) + "-" + TwoDigits(d.month) + "-" + TwoDigits(d.day);
}

}  // namespace

util::Result<Calendar> ParseCalendar(std::string_view spec) {
  std::vector<std::string> parts;
  for (const std::string& raw : util::Split(spec, ';')) {
    std::string part = util::Trim(raw);
    if (!part.empty()) parts.push_back(std::move(part));  // "a;;b" and a trailing ';' are fine
  }
  if (!parts.empty() && parts[0] == "24/7") {
    if (parts.size() > 1)
      return Bad("\"24/7\" is open at every instant and takes no hours or holidays");
    return Calendar{.always_open = true};
  }
  RD_ASSIGN_OR_RETURN(Calendar calendar, ParseZone(parts.empty() ? "" : parts[0]));
  bool has_hours = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (part == "24/7") {
      calendar.always_open = true;
    } else if (IsHolidaysPart(part)) {
      RD_RETURN_IF_ERROR(
          ParseHolidays(std::string_view(part).substr(kHolidaysWord.size()), part, calendar));
    } else {
      RD_RETURN_IF_ERROR(ParseDayPart(part, calendar));
      has_hours = true;
    }
  }
  if (calendar.always_open && (has_hours || !calendar.holidays.empty())) {
    return Bad("\"24/7\" is open at every instant and takes no hours or holidays");
  }
  return calendar;
}

std::string FormatCalendar(const Calendar& calendar) {
  if (calendar.always_open) {
    return calendar.time_zone == "UTC" ? "24/7" : calendar.time_zone + "; 24/7";
  }
  std::string out = calendar.time_zone;
  for (const DayGroup& group : GroupDays(calendar.week)) {
    std::vector<std::string> runs;
    for (const DayRun& run : group.runs) {
      if (run.last - run.first >= 2) {
        runs.push_back(std::string(kDayAbbrev[run.first]) + "-" +
                       std::string(kDayAbbrev[run.last]));
      } else {
        for (int d = run.first; d <= run.last; ++d) runs.emplace_back(kDayAbbrev[d]);
      }
    }
    std::vector<std::string> hours;
    for (const Interval& i : *group.intervals) hours.push_back(FormatInterval(i));
    out += "; " + util::Join(runs, ",") + " " + util::Join(hours, ", ");
  }
  if (!calendar.holidays.empty()) {
    std::vector<std::string> dates;
    for (const LocalDate& d : calendar.holidays) dates.push_back(FormatDate(d));
    out += "; holidays " + util::Join(dates, ",");
  }
  return out;
}

}  // namespace replydesk::sla
