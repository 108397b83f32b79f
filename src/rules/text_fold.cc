// Text folding for rule conditions: see text_fold.h.
#include "rules/text_fold.h"

#include "domain/subject.h"

namespace replydesk::rules {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at s[i] and advances i; U+FFFD (advancing one byte)
// for malformed, overlong, surrogate or out-of-range sequences.
char32_t Decode(std::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  const int len = c < 0x80                 ? 1
                  : c >= 0xC2 && c <= 0xDF ? 2
                  : (c & 0xF0) == 0xE0     ? 3
                  : c >= 0xF0 && c <= 0xF4 ? 4
                                           : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return kReplacement;
  }
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += len;
  return cp;
}

void Append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

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

}  // namespace

std::string FoldForMatch(std::string_view s) {
  // domain::LowerUtf8 turns a stray byte into a code point of its own (0xD0
  // followed by 'A' reads as "Ё"), so it only ever sees valid UTF-8.
  std::string valid;
  valid.reserve(s.size());
  for (size_t i = 0; i < s.size();) Append(valid, Decode(s, i));
  const std::string lower = domain::LowerUtf8(valid);
  std::string out;
  out.reserve(lower.size());
  for (size_t i = 0; i < lower.size();) Append(out, FoldLetter(Decode(lower, i)));
  return out;
}

}  // namespace replydesk::rules
