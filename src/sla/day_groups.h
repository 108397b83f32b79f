// Week helpers internal to sla: the valid intervals of each day in time order
// (the arithmetic and DescribeHours), and days grouped by equal hours, shared by
// FormatCalendar ("Mon-Fri 09:00-18:00; Sat 10:00-14:00") and DescribeHours
// ("Monday to Friday 09:00–18:00, Saturday 10:00–14:00").
#pragma once

#include <algorithm>
#include <array>
#include <vector>

#include "sla/calendar.h"

namespace replydesk::sla {

using Week = std::array<std::vector<Interval>, 7>;

// Each day's valid intervals (IsValidInterval), sorted by start, then end.
inline Week UsableWeek(const Calendar& calendar) {
  Week week;
  for (size_t d = 0; d < 7; ++d) {
    for (const Interval& i : calendar.week[d]) {
      if (IsValidInterval(i)) week[d].push_back(i);
    }
    std::sort(week[d].begin(), week[d].end(), [](const Interval& a, const Interval& b) {
      return a.start_minute != b.start_minute ? a.start_minute < b.start_minute
                                              : a.end_minute < b.end_minute;
    });
  }
  return week;
}

// Consecutive days first..last (0 = Monday), first <= last; no wrap past Sunday.
struct DayRun {
  int first = 0, last = 0;
};

// Days whose interval lists are equal, as runs in week order.
struct DayGroup {
  const std::vector<Interval>* intervals = nullptr;  // points into the week passed in
  std::vector<DayRun> runs;
};

// Groups in the order of their first day; days without intervals are left out.
inline std::vector<DayGroup> GroupDays(const Week& week) {
  std::vector<DayGroup> groups;
  std::array<bool, 7> done{};
  for (int d = 0; d < 7; ++d) {
    if (done[d] || week[d].empty()) continue;
    DayGroup group{&week[d], {}};
    for (int e = d; e < 7; ++e) {
      if (done[e] || week[e] != week[d]) continue;
      done[e] = true;
      if (!group.runs.empty() && group.runs.back().last == e - 1) {
        group.runs.back().last = e;
      } else {
        group.runs.push_back(DayRun{e, e});
      }
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace replydesk::sla
