// Business-time arithmetic over a Calendar: IsOpen, NextOpening, DueAt.
// The week is walked interval by interval (never minute by minute): each local
// day's intervals become UTC spans through ZoneRules::LocalToUtc, which fixes
// what DST-skipped and repeated wall times mean (see calendar.h). Parsing and
// formatting live in calendar_parse.cc, customer texts in calendar_text.cc.
#include "sla/calendar.h"

#include <algorithm>

#include "sla/civil.h"
#include "sla/day_groups.h"
#include "sla/zone_rules.h"

namespace replydesk::sla {
namespace {

// Inputs outside these instants are not business times (no calendar covers
// them and ICU's tz data has nothing to say); searches stop 100 years on.
constexpr UnixSeconds kMinInstant = civil::DaysFromCivil({1900, 1, 1}) * civil::kSecondsPerDay;
constexpr UnixSeconds kMaxInstant = civil::DaysFromCivil({10000, 1, 1}) * civil::kSecondsPerDay;
constexpr int64_t kHorizonDays = 36525;

bool InRange(UnixSeconds t) { return t >= kMinInstant && t < kMaxInstant; }

// A Calendar made ready for walking: valid intervals sorted by start, holidays
// as sorted day numbers.
struct Schedule {
  ZoneRules zone;
  Week week;
  std::vector<int64_t> holidays;
  bool has_hours = false;
};

Schedule Prepare(const Calendar& calendar) {
  Schedule s{ZoneRules::ForCalendar(calendar.time_zone), UsableWeek(calendar), {}, false};
  for (const std::vector<Interval>& day : s.week) s.has_hours = s.has_hours || !day.empty();
  for (const LocalDate& h : calendar.holidays) {
    if (civil::IsValidDate(h)) s.holidays.push_back(civil::DaysFromCivil(h));
  }
  std::sort(s.holidays.begin(), s.holidays.end());
  return s;
}

struct Span {
  UnixSeconds start = 0, end = 0;  // [start, end), start < end
};

// Yields the open time at or after `from` as disjoint spans in time order.
// Intervals of one local day are sorted by start and a day's starts all lie
// before the next day's, so UTC starts never decrease; clipping each span at
// the furthest end seen so far removes overlaps (a night shift running into
// the next morning's hours) without lookahead. Spans may touch.
class OpenSpans {
 public:
  OpenSpans(const Schedule& schedule, UnixSeconds from) : s_(schedule), covered_(from) {
    const int64_t from_day = civil::FloorDiv(s_.zone.UtcToLocal(from), civil::kSecondsPerDay);
    // A valid shift ends within a day of its start, so the day before `from`
    // is the earliest that can still be open at `from`.
    day_ = from_day - 2;
    give_up_day_ = from_day + kMaxDaysWithoutOpening;
    horizon_day_ = from_day + kHorizonDays;
  }

  std::optional<Span> Next() {
    while (true) {
      while (next_ < spans_.size()) {
        const Span raw = spans_[next_++];
        const Span clipped{std::max(raw.start, covered_), raw.end};
        if (clipped.end <= clipped.start) continue;
        covered_ = clipped.end;
        give_up_day_ = day_ + kMaxDaysWithoutOpening;
        return clipped;
      }
      if (day_ >= give_up_day_ || day_ >= horizon_day_) return std::nullopt;
      LoadDay(++day_);
    }
  }

 private:
  void LoadDay(int64_t day) {
    spans_.clear();
    next_ = 0;
    if (std::binary_search(s_.holidays.begin(), s_.holidays.end(), day)) return;
    const int64_t midnight = day * civil::kSecondsPerDay;
    for (const Interval& i : s_.week[civil::WeekdayFromDays(day)]) {
      spans_.push_back(Span{s_.zone.LocalToUtc(midnight + int64_t{i.start_minute} * 60),
                            s_.zone.LocalToUtc(midnight + int64_t{i.end_minute} * 60)});
    }
  }

  const Schedule& s_;
  UnixSeconds covered_;  // open time before this instant was already yielded
  int64_t day_ = 0;      // local day (days since 1970-01-01) whose spans are loaded
  int64_t give_up_day_ = 0;
  int64_t horizon_day_ = 0;
  std::vector<Span> spans_;
  size_t next_ = 0;
};

}  // namespace

std::optional<UnixSeconds> NextOpening(const Calendar& calendar, UnixSeconds t) {
  if (!InRange(t)) return std::nullopt;
  if (calendar.always_open) return t;
  const Schedule schedule = Prepare(calendar);
  if (!schedule.has_hours) return std::nullopt;
  OpenSpans spans(schedule, t);
  const std::optional<Span> first = spans.Next();
  if (!first) return std::nullopt;
  return first->start;
}

bool IsOpen(const Calendar& calendar, UnixSeconds t) {
  const std::optional<UnixSeconds> opening = NextOpening(calendar, t);
  return opening && *opening == t;
}

std::optional<UnixSeconds> DueAt(const Calendar& calendar, UnixSeconds start,
                                 int64_t business_seconds) {
  if (!InRange(start)) return std::nullopt;
  int64_t remaining = std::max<int64_t>(business_seconds, 0);
  if (remaining > kHorizonDays * civil::kSecondsPerDay) return std::nullopt;
  if (calendar.always_open) return start + remaining;
  const Schedule schedule = Prepare(calendar);
  if (!schedule.has_hours) return std::nullopt;
  OpenSpans spans(schedule, start);
  while (const std::optional<Span> span = spans.Next()) {
    const int64_t length = span->end - span->start;
    if (remaining <= length) return span->start + remaining;
    remaining -= length;
  }
  return std::nullopt;
}

}  // namespace replydesk::sla
