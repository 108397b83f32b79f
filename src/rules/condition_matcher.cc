// Conditions of rules: validation (shared with ParseRule) and evaluation
// (ConditionMatcher, ConditionHolds).
// Fields, operators and folding are described in rule.h and docs/rules.md.
#include "rules/condition_matcher.h"

#include <algorithm>
#include <string_view>

#include "domain/address.h"
#include "rules/rule.h"
#include "rules/text_fold.h"
#include "util/strings.h"

namespace replydesk::rules {
namespace {

using util::ErrorCode;

enum class FieldKind { kText, kSender, kLanguage, kPriority, kStatus, kAutomatic };

struct Field {
  std::string_view name;
  FieldKind kind;
};

// Index order is the order of ConditionMatcher's cache.
constexpr std::array<Field, 10> kFields = {{{"channel", FieldKind::kText},
                                            {"team", FieldKind::kText},
                                            {"sender", FieldKind::kSender},
                                            {"subject", FieldKind::kText},
                                            {"body", FieldKind::kText},
                                            {"language", FieldKind::kLanguage},
                                            {"priority", FieldKind::kPriority},
                                            {"status", FieldKind::kStatus},
                                            {"organisation", FieldKind::kText},
                                            {"automatic", FieldKind::kAutomatic}}};

static_assert(kFields.size() == ConditionMatcher::kFieldCount);

enum class Op { kIs, kIsNot, kContains, kNotContains, kMatchesDomain };

std::optional<size_t> FieldIndex(std::string_view name) {
  for (size_t i = 0; i < kFields.size(); ++i) {
    if (kFields[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<Op> ParseOp(std::string_view name) {
  if (name == "is") return Op::kIs;
  if (name == "is_not") return Op::kIsNot;
  if (name == "contains") return Op::kContains;
  if (name == "not_contains") return Op::kNotContains;
  if (name == "matches_domain") return Op::kMatchesDomain;
  return std::nullopt;
}

bool OpApplies(Op op, FieldKind kind) {
  switch (kind) {
    case FieldKind::kText:
      return op != Op::kMatchesDomain;
    case FieldKind::kSender:
      return true;
    default:  // enumerated values: whole-value comparison only
      return op == Op::kIs || op == Op::kIsNot;
  }
}

// "@Example.COM." -> "example.com".
std::string DomainValue(std::string_view value) {
  std::string_view v = util::TrimView(value);
  if (!v.empty() && v.front() == '@') v.remove_prefix(1);
  while (!v.empty() && v.back() == '.') v.remove_suffix(1);
  return FoldForMatch(v);
}

// The message for a value that does not suit the field and op; "" when fine.
std::string ValueProblem(FieldKind kind, Op op, const std::string& value) {
  const std::string_view v = util::TrimView(value);
  if (op == Op::kMatchesDomain) {
    const std::string d = DomainValue(value);
    bool bad = d.empty() || d.find_first_of("@ \t") != std::string::npos;
    return bad ? "not a domain" : "";
  }
  if ((op == Op::kContains || op == Op::kNotContains) && v.empty()) return "empty";
  switch (kind) {
    case FieldKind::kPriority:
      return domain::ParsePriority(value) ? "" : "not a priority (low, normal, high, urgent)";
    case FieldKind::kStatus:
      return domain::ParseTicketStatus(value) ? ""
                                              : "not a status (new, open, pending, solved, closed)";
    case FieldKind::kAutomatic:
      return value == "true" || value == "false" ? "" : "must be \"true\" or \"false\"";
    case FieldKind::kLanguage: {
      bool letters = std::all_of(v.begin(), v.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      });
      return letters && v.size() != 1 && v.size() <= 3 ? "" : "not a language code (\"ru\")";
    }
    default:
      return "";
  }
}

util::Error BadRule(std::string message) {
  return util::MakeError(ErrorCode::kInvalidArgument, "rules.bad_rule", std::move(message));
}

// True when the sender's domain is `domain` or one of its subdomains.
bool DomainMatches(std::string_view sender_domain, std::string_view domain) {
  if (sender_domain == domain) return true;
  return sender_domain.size() > domain.size() && sender_domain.ends_with(domain) &&
         sender_domain[sender_domain.size() - domain.size() - 1] == '.';
}

}  // namespace

util::Status ValidateCondition(const Condition& c) {
  const auto field = FieldIndex(c.field);
  if (!field) return BadRule("field: unknown field \"" + c.field + "\"");
  const auto op = ParseOp(c.op);
  if (!op) return BadRule("op: unknown op \"" + c.op + "\"");
  const FieldKind kind = kFields[*field].kind;
  if (!OpApplies(*op, kind)) {
    return BadRule("op: \"" + c.op + "\" does not apply to field \"" + c.field + "\"");
  }
  if (std::string problem = ValueProblem(kind, *op, c.value); !problem.empty()) {
    return BadRule("value: \"" + c.value + "\" " + problem);
  }
  return util::OkStatus();
}

bool ConditionHolds(const Condition& c, const EventContext& ctx) {
  return ConditionMatcher(ctx).Holds(c);
}

const std::string& ConditionMatcher::Folded(size_t field) {
  std::optional<std::string>& slot = folded_[field];
  if (slot) return *slot;
  std::string_view raw;
  switch (field) {
    case 0:
      raw = ctx_.channel_address;
      break;
    case 1:
      raw = ctx_.team_name;
      break;
    case 2:
      raw = ctx_.sender_address;
      break;
    case 3:
      raw = ctx_.subject;
      break;
    case 4:
      raw = ctx_.body;
      break;
    case 5:
      raw = ctx_.language;
      break;
    case 6:
      raw = domain::PriorityName(ctx_.priority);
      break;
    case 7:
      raw = domain::TicketStatusName(ctx_.status);
      break;
    case 8:
      raw = ctx_.organisation;
      break;
    default:
      raw = ctx_.automatic ? "true" : "false";
      break;
  }
  slot = FoldForMatch(raw);
  return *slot;
}

bool ConditionMatcher::Holds(const Condition& c) {
  if (!ValidateCondition(c).ok()) return false;
  const size_t field = *FieldIndex(c.field);
  const std::string& text = Folded(field);
  switch (*ParseOp(c.op)) {
    case Op::kIs:
      return util::TrimView(text) == util::TrimView(FoldForMatch(c.value));
    case Op::kIsNot:
      return util::TrimView(text) != util::TrimView(FoldForMatch(c.value));
    case Op::kContains:
      return text.find(FoldForMatch(c.value)) != std::string::npos;
    case Op::kNotContains:
      return text.find(FoldForMatch(c.value)) == std::string::npos;
    case Op::kMatchesDomain:
      return DomainMatches(domain::AddressDomain(util::TrimView(text)), DomainValue(c.value));
  }
  return false;
}

}  // namespace replydesk::rules
