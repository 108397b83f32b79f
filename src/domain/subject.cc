// Subject normalisation: see subject.h.
#include "domain/subject.h"

#include <array>

#include "util/strings.h"
#include "util/utf8.h"

namespace replydesk::domain {
namespace {

// Reply and forward prefixes, lower-case, as sent by clients in the languages
// we serve and the ones our customers' correspondents use (de AW/WG, nl/sv SV,
// pl Odp, pt RES/ENC, fr TR, ru Отв/Ответ/Пересл, bg Отг/Пре/Препр, ro Răs/Redir).
constexpr std::array<std::string_view, 24> kPrefixes = {
    "re",     "fwd",   "fw",  "aw",  "wg",   "sv",     "vs",  "odp",
    "res",    "enc",   "tr",  "rif", "antw", "doorst", "отв", "ответ",
    "пересл", "перес", "fwd", "отг", "пре",  "препр",  "răs", "redir"};

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
  // Bytes that are not UTF-8 stay as they were; they are not letters to fold.
  return util::MapUtf8(s, Lower);
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
