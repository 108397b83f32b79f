// Text folding for rule conditions: see text_fold.h.
#include "rules/text_fold.h"

#include "domain/subject.h"
#include "util/utf8.h"

namespace replydesk::rules {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Lower-case letters written interchangeably by our customers.
char32_t FoldLetter(char32_t c) {
  switch (c) {
    case 0x451:  // ё
      return 0x435;
    case 0x103:  // ă
    case 0xE2:   // â
      return 'a';
    case 0xEE:  // î
      return 'i';
    case 0x219:  // ș
    case 0x15F:  // ş
      return 's';
    case 0x21B:  // ț
    case 0x163:  // ţ
      return 't';
    default:
      return c;
  }
}

// One code point; invalid input becomes U+FFFD so matching sees valid UTF-8.
char32_t Decode(std::string_view s, size_t& i) {
  const char32_t cp = util::DecodeUtf8(s, i);
  return cp == util::kUtf8Invalid ? kReplacement : cp;
}

}  // namespace

std::string FoldForMatch(std::string_view s) {
  // Invalid bytes become U+FFFD first, so a pattern never matches half a character.
  std::string valid;
  valid.reserve(s.size());
  for (size_t i = 0; i < s.size();) util::AppendUtf8(valid, Decode(s, i));
  const std::string lower = domain::LowerUtf8(valid);
  std::string out;
  out.reserve(lower.size());
  for (size_t i = 0; i < lower.size();) util::AppendUtf8(out, FoldLetter(Decode(lower, i)));
  return out;
}

}  // namespace replydesk::rules
