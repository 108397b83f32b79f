// Time as a parameter: services read the clock through this interface so tests
// can use a fake one and never sleep. Times are Unix seconds (UTC) everywhere in
// the store; ISO 8601 formatting for JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace replydesk::util {

using UnixSeconds = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override;
  static const SystemClock& Instance();
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds now) : now_(now) {}
  UnixSeconds Now() const override { return now_; }
  void Advance(int64_t seconds) { now_ += seconds; }
  void Set(UnixSeconds now) { now_ = now; }

 private:
  UnixSeconds now_;
};

// "2026-11-24T08:55:25Z".
std::string FormatIso8601Utc(UnixSeconds t);

}  // namespace replydesk::util
