// ZoneRules: see zone_rules.h. ICU's tz data is compiled into libicudata, so
// nothing here touches the file system.
#include "sla/zone_rules.h"

#include <unicode/basictz.h>
#include <unicode/strenum.h>
#include <unicode/timezone.h>
#include <unicode/tztrans.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "util/strings.h"

namespace replydesk::sla {
namespace {

constexpr double kMillis = 1000.0;
// No zone is more than 14 h ahead of or 12 h behind UTC; 18 h is a safe margin.
constexpr int64_t kMaxAbsOffsetSeconds = 18 * 3600;
// A wall time has at most a couple of transitions within 36 h; more is a bug.
constexpr int kMaxSegments = 16;

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// The exact id ICU knows, or the one that matches it ignoring ASCII case.
std::optional<icu::UnicodeString> ResolveId(std::string_view id) {
  const icu::UnicodeString uid =
      icu::UnicodeString::fromUTF8(icu::StringPiece(id.data(), static_cast<int32_t>(id.size())));
  std::unique_ptr<icu::TimeZone> probe(icu::TimeZone::createTimeZone(uid));
  icu::UnicodeString got;
  if (probe && probe->getID(got) != icu::UnicodeString(u"Etc/Unknown")) return got;
  // "europe/sofia" in a config file means Europe/Sofia; ICU's lookup is exact.
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::StringEnumeration> all(icu::TimeZone::createEnumeration(status));
  if (U_FAILURE(status) || !all) return std::nullopt;
  const std::string wanted = util::AsciiLower(id);
  while (const icu::UnicodeString* candidate = all->snext(status)) {
    if (U_FAILURE(status)) break;
    if (util::AsciiLower(ToUtf8(*candidate)) == wanted) return *candidate;
  }
  return std::nullopt;
}

}  // namespace

ZoneRules::ZoneRules(std::string id, std::shared_ptr<const icu::BasicTimeZone> zone)
    : id_(std::move(id)), zone_(std::move(zone)) {}

std::optional<ZoneRules> ZoneRules::Load(std::string_view id) {
  if (id.empty() || id.size() > 64) return std::nullopt;
  std::optional<icu::UnicodeString> resolved = ResolveId(id);
  if (!resolved) return std::nullopt;
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(*resolved));
  auto* basic = dynamic_cast<icu::BasicTimeZone*>(tz.get());
  if (basic == nullptr) return std::nullopt;  // every ICU zone is one; be safe anyway
  tz.release();
  return ZoneRules(ToUtf8(*resolved), std::shared_ptr<const icu::BasicTimeZone>(basic));
}

ZoneRules ZoneRules::ForCalendar(const std::string& id) {
  // Creating an ICU zone costs a resource-bundle lookup; calendars name few
  // zones, so keep them per thread (no locking, and ICU objects stay unshared).
  thread_local std::map<std::string, ZoneRules, std::less<>> cache;
  if (auto it = cache.find(id); it != cache.end()) return it->second;
  if (cache.size() >= 256) cache.clear();
  std::optional<ZoneRules> zone = Load(id);
  if (!zone) zone = Load("UTC");
  return cache.emplace(id, std::move(*zone)).first->second;
}

int ZoneRules::OffsetAt(util::UnixSeconds t) const {
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  zone_->getOffset(static_cast<double>(t) * kMillis, false, raw, dst, status);
  if (U_FAILURE(status)) return 0;
  return (raw + dst) / 1000;
}

std::optional<util::UnixSeconds> ZoneRules::NextTransitionAfter(util::UnixSeconds t) const {
  icu::TimeZoneTransition transition;
  if (!zone_->getNextTransition(static_cast<double>(t) * kMillis, false, transition)) {
    return std::nullopt;
  }
  return static_cast<util::UnixSeconds>(std::floor(transition.getTime() / kMillis));
}

util::UnixSeconds ZoneRules::LocalToUtc(int64_t wall) const {
  // Walk the constant-offset segments [a, b) that can hold the answer. On a
  // segment with offset o the wall clock reads t + o, so the first instant
  // reading `wall` or later is max(a, wall - o) if that is before b. The first
  // segment where this holds gives the smallest such instant; in a skipped hour
  // that is the segment's start a, the moment the clocks jumped.
  util::UnixSeconds a = wall - kMaxAbsOffsetSeconds;
  for (int i = 0; i < kMaxSegments; ++i) {
    const util::UnixSeconds candidate = wall - OffsetAt(a);
    const std::optional<util::UnixSeconds> b = NextTransitionAfter(a);
    if (!b || candidate < *b) return std::max(a, candidate);
    a = *b;
  }
  return wall - OffsetAt(wall);
}

bool ZoneRules::IsFixedOffset() const {
  icu::TimeZoneTransition transition;
  return !zone_->getNextTransition(-8.64e15, true, transition);  // from the start of time
}

}  // namespace replydesk::sla
