// Subject normalisation: see subject.h.
#include "domain/subject.h"

#include <array>

#include "util/strings.h"

namespace replydesk::domain {
namespace {

// Reply and forward prefixes, lower-case, as sent by clients in the languages
// we serve and the ones our customers' correspondents use (de AW/WG, nl/sv SV,
// pl Odp, pt RES/ENC, fr TR, ru Отв/Ответ/Пересл, bg Отг/Пре/Препр, ro Răs/Redir).
constexpr std::array<std::string_view, 24> kPrefixes = {
    "re",     "fwd",   "fw",  "aw",  "wg",   "sv",     "vs",  "odp",
    "res",    "enc",   "tr",  "rif", "antw", "doorst", "отв", "ответ",
    "пересл", "перес", "fwd", "отг", "пре",  "препр",  "răs", "redir"};

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes come back as is.
char32_t Next(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + len > s.size()) len = 1;
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
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

char32_t Lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x138 && c != 0x149 && c != 0x178) {
    // Latin Extended-A pairs upper/lower by parity (ă, ș's cedilla forms ş ţ).
    bool odd_lower = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_lower ? (c % 2 == 1) : (c % 2 == 0)) return c + 1;
    return c;
  }
  if (c >= 0x218 && c <= 0x21B && c % 2 == 0) return c + 1;  // Ș Ț (comma below)
  if (c >= 0x410 && c <= 0x42F) return c + 32;               // А..Я
  if (c >= 0x400 && c <= 0x40F) return c + 80;               // Ѐ..Џ (Ё)
  return c;
}

// Length of a reply prefix at the start of s ("Re: ", "RE[2]: ", "Fwd:"), 0 when none.
size_t PrefixLength(std::string_view s) {
  for (std::string_view p : kPrefixes) {
    if (s.size() <= p.size() || s.substr(0, p.size()) != p) continue;
    size_t i = p.size();
    if (i < s.size() && (s[i] == '[' || s[i] == '(')) {  // "re[2]:" "re(3):"
      char close = s[i] == '[' ? ']' : ')';
      size_t j = i + 1;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
      if (j == i + 1 || j >= s.size() || s[j] != close) continue;
      i = j + 1;
    }
    if (i < s.size() && s[i] == ' ') ++i;  // "AW :" (French spacing)
    if (i < s.size() && (s[i] == ':' || s.substr(i, 3) == "\xEF\xBC\x9A")) {  // ':' or '：'
      i += s[i] == ':' ? 1 : 3;
      while (i < s.size() && s[i] == ' ') ++i;
      return i;
    }
  }
  return 0;
}

std::string CollapseSpaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string LowerUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) Append(out, Lower(Next(s, i)));
  return out;
}

bool HasReplyPrefix(std::string_view subject) {
  return PrefixLength(LowerUtf8(util::TrimView(subject))) > 0;
}

std::string NormalizeSubject(std::string_view subject, const TicketTag& tag) {
  std::string s = CollapseSpaces(LowerUtf8(tag.Strip(subject)));
  // Prefixes may repeat and mix ("Re: Fwd: RE: ..."); tags may sit between them.
  for (size_t n; (n = PrefixLength(s)) > 0;) s = CollapseSpaces(tag.Strip(s.substr(n)));
  return s;
}

}  // namespace replydesk::domain
