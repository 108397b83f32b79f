// Charset guess for unlabelled 8-bit text: see charset_guess.h.
// Step 1 tells Cyrillic from Latin by layout: Cyrillic words are runs of
// 8-bit bytes, Central European words are ASCII letters with an odd 8-bit
// one. Step 2 decodes the bytes with every Cyrillic candidate and keeps the
// reading that looks most like Russian or Bulgarian prose.
#include "mail/charset_guess.h"

#include <array>
#include <cmath>
#include <cstdint>

#include "mail/charset.h"

namespace replydesk::mail {
namespace {

// Letter frequencies (per cent) of а..я in Russian prose, ъ raised for
// Bulgarian where it is common.
constexpr std::array<double, 32> kCyrillicFrequency = {
    8.01, 1.59, 4.54, 1.70,  2.98, 8.45, 0.94, 1.65, 7.35, 1.21, 3.49,  // а б в г д е ж з и й к
    4.40, 3.21, 6.70, 10.97, 2.81, 4.73, 5.47, 6.26, 2.62, 0.26,  // л м н о п р с т у ф
    0.97, 0.48, 1.44, 0.73,  0.36, 1.50, 1.90, 1.74, 0.32, 0.64, 2.01,  // х ц ч ш щ ъ ы ь э ю я
};

bool IsAsciiLetter(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

// Decodes the code point at s[*i] (s is valid UTF-8) and advances *i.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(*i);
  size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (*i + len > s.size()) len = s.size() - *i;
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (b(*i + k) & 0x3F);
  *i += len;
  return cp;
}

bool IsTypographic(uint32_t cp) {
  switch (cp) {
    case 0x00A0:
    case 0x00AB:
    case 0x00BB:
    case 0x2013:
    case 0x2014:
    case 0x2018:
    case 0x2019:
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x2026:
    case 0x2116:
    case 0x20AC:
    case 0x00B0:
    case 0x00A9:
      return true;
    default:
      return false;
  }
}

// Layout evidence, counted per run of 8-bit bytes: a run touching an ASCII
// letter is an accented letter inside a Latin word ("Formação", "coşul");
// a run between spaces or punctuation is a Cyrillic word ("Привет").
bool LooksLatin(std::string_view s) {
  size_t latin = 0, cyrillic = 0;
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && static_cast<unsigned char>(s[end]) >= 0x80) ++end;
    bool letter_before = i > 0 && IsAsciiLetter(static_cast<unsigned char>(s[i - 1]));
    bool letter_after = end < s.size() && IsAsciiLetter(static_cast<unsigned char>(s[end]));
    if ((letter_before || letter_after) && end - i <= 3) {
      ++latin;
    } else {
      ++cyrillic;
    }
    i = end;
  }
  return latin > cyrillic;
}

}  // namespace

double CyrillicScore(std::string_view utf8_text) {
  double score = 0;
  bool prev_lower = false;
  for (size_t i = 0; i < utf8_text.size();) {
    uint32_t cp = NextCodePoint(utf8_text, &i);
    bool letter = false, lower = false;
    if (cp >= 0x0410 && cp <= 0x044F) {  // А..я
      letter = true;
      lower = cp >= 0x0430;
      score += std::log(kCyrillicFrequency[(cp - 0x0410) % 32] / 100.0);
    } else if (cp == 0x0401 || cp == 0x0451) {  // Ё ё
      letter = true;
      lower = cp == 0x0451;
      score += std::log(0.002);
    } else if (cp >= 0x0400 && cp <= 0x04FF) {  // other Cyrillic: Ukrainian, Serbian
      letter = true;
      lower = cp >= 0x0450;
      score += std::log(0.0005);
    } else if (cp >= 0x80 && cp < 0xA0) {
      score -= 14;  // C1 control: never in real text
    } else if (cp >= 0x80) {
      score -= IsTypographic(cp) ? 1.0 : 9.0;  // box drawing, math signs
    } else {
      letter = IsAsciiLetter(static_cast<unsigned char>(cp));
      lower = letter && cp >= 'a';
    }
    // "рТЙЧЕФ": an upper-case letter right after a lower-case one is how
    // a wrong Cyrillic reading shows itself.
    if (letter && !lower && prev_lower) score -= 6;
    prev_lower = letter && lower;
  }
  return score;
}

std::string GuessEightBitCharset(std::string_view bytes) {
  if (!HasEightBit(bytes)) return "us-ascii";
  if (IsValidUtf8(bytes)) return "utf-8";
  if (LooksLatin(bytes)) {
    for (unsigned char c : bytes) {
      if (c >= 0x80 && c < 0xA0) return "windows-1250";  // C1 range: a Windows code page
    }
    return "iso-8859-2";
  }
  std::string best = "windows-1251";
  double best_score = -INFINITY;
  for (const char* cs : {"windows-1251", "koi8-r", "iso-8859-5", "cp866"}) {
    std::string text;
    if (!ConvertCharset(bytes, cs, &text)) continue;
    double score = CyrillicScore(text);
    if (score > best_score) best_score = score, best = cs;
  }
  return best;
}

}  // namespace replydesk::mail
