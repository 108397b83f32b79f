// Evaluation of conditions against one event: the text of each field is
// folded (text_fold.h) once and reused by every rule that looks at it. Used by
// Evaluate and ConditionHolds (rule.h); internal to the rules module.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "rules/rule.h"

namespace replydesk::rules {

// Not thread-safe (caches); cheap to create, one per evaluation. `ctx` must
// outlive the matcher.
class ConditionMatcher {
 public:
  explicit ConditionMatcher(const EventContext& ctx) : ctx_(ctx) {}

  // ConditionHolds(c, ctx), with the folded field texts cached.
  bool Holds(const Condition& c);

  static constexpr size_t kFieldCount = 10;  // the fields of Condition (rule.h)

 private:
  const std::string& Folded(size_t field);

  const EventContext& ctx_;
  std::array<std::optional<std::string>, kFieldCount> folded_;
};

}  // namespace replydesk::rules
