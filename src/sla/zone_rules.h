// ZoneRules (internal to sla): one IANA time zone from ICU's built-in tz data,
// answering the two questions business hours need: the UTC offset at an
// instant, and the first instant at which the local wall clock reads a given
// time (which defines what skipped and repeated hours mean; see LocalToUtc).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <unicode/utypes.h>

#include "util/clock.h"

U_NAMESPACE_BEGIN
class BasicTimeZone;
U_NAMESPACE_END

namespace replydesk::sla {

class ZoneRules {
 public:
  // The zone named `id` (exact IANA or ICU id such as "Europe/Sofia", "UTC",
  // "GMT+03:00"; a case-insensitive match of a known id is accepted too).
  // nullopt when ICU does not know it (ICU itself would silently answer with
  // "Etc/Unknown", which behaves as UTC). Reads no files.
  static std::optional<ZoneRules> Load(std::string_view id);
  // Like Load, but an unknown id yields a UTC zone (for calendars built by hand
  // that never went through ParseCalendar). ICU zones are cached per thread;
  // the copy returned is cheap and stays valid on its own.
  static ZoneRules ForCalendar(const std::string& id);

  // ICU's spelling of the id ("europe/sofia" -> "Europe/Sofia").
  const std::string& id() const { return id_; }

  // Total UTC offset (raw + DST) in seconds at instant `t`.
  int OffsetAt(util::UnixSeconds t) const;
  // Local wall-clock seconds since 1970-01-01T00:00 local: t + OffsetAt(t).
  int64_t UtcToLocal(util::UnixSeconds t) const { return t + OffsetAt(t); }
  // The first instant at which the local wall clock reads `wall` or later:
  //  - an ordinary time maps to its single instant;
  //  - a repeated time (clocks turned back) maps to its first occurrence;
  //  - a skipped time (clocks turned forward) maps to the instant of the jump.
  // Monotone in `wall`, so an interval [a, b) of wall times never turns inside out.
  util::UnixSeconds LocalToUtc(int64_t wall) const;
  // True when the zone never changes its offset (UTC, "Etc/GMT-3", "GMT+03:00").
  bool IsFixedOffset() const;

 private:
  ZoneRules(std::string id, std::shared_ptr<const icu::BasicTimeZone> zone);
  // The first offset transition strictly after `t`, if any.
  std::optional<util::UnixSeconds> NextTransitionAfter(util::UnixSeconds t) const;

  std::string id_;
  std::shared_ptr<const icu::BasicTimeZone> zone_;
};

}  // namespace replydesk::sla
