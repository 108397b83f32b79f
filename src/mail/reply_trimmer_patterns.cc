// Line classifiers of the reply trimmer: see reply_trimmer_patterns.h. Lines
// are folded (FoldCase) before they are compared with the phrases of
// reply_trimmer_phrases.h, so one spelling covers "Wrote:" and "wrote:",
// "ОТ:" and "от:", "Mulţumesc" and "Mulțumesc".
#include "mail/reply_trimmer_patterns.h"

#include "mail/reply_trimmer_phrases.h"
#include "util/utf8.h"

#include <algorithm>

namespace replydesk::mail::reply_trim {
namespace {

char32_t Lower(char32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 0x20;
  bool even = c % 2 == 0;
  if ((c >= 0x100 && c <= 0x137 && even) || (c >= 0x139 && c <= 0x148 && !even) ||
      (c >= 0x14A && c <= 0x177 && even) || (c >= 0x218 && c <= 0x21B && even)) {
    c += 1;
  }
  if (c == 0x15F) return 0x219;  // ş -> ș
  if (c == 0x163) return 0x21B;  // ţ -> ț
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

bool IsSpaceAt(std::string_view s, size_t i, size_t* len) {
  if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
    *len = 1;
    return true;
  }
  if (s.substr(i, 2) == "\xC2\xA0") {  // NBSP, as Outlook writes before a colon
    *len = 2;
    return true;
  }
  return false;
}

std::string_view TrimLeft(std::string_view s) {
  size_t len = 0;
  while (!s.empty() && IsSpaceAt(s, 0, &len)) s.remove_prefix(len);
  return s;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty()) {
    if (s.back() == ' ' || s.back() == '\t' || s.back() == '\r') {
      s.remove_suffix(1);
    } else if (s.ends_with("\xC2\xA0")) {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

std::string_view Trim(std::string_view s) { return TrimRight(TrimLeft(s)); }

// Zoho writes "---- On Wed, 24 Feb 2021 14:02:50 +0530 john@gmail.com wrote
// ----", a French client "- Le 2021-04-09 23:25, Test a écrit :".
std::string_view TrimDashes(std::string_view s) {
  s = Trim(s);
  while (s.starts_with('-')) s.remove_prefix(1);
  while (s.ends_with('-')) s.remove_suffix(1);
  return Trim(s);
}

bool AllOf(std::string_view s, char c) {
  return std::all_of(s.begin(), s.end(), [c](char x) { return x == c; });
}

bool HasDigit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `s` starts with `word` followed by a space, ',' or the end.
bool StartsWithWord(std::string_view s, std::string_view word) {
  if (!s.starts_with(word)) return false;
  return s.size() == word.size() || s[word.size()] == ' ' || s[word.size()] == ',';
}

// Removes one trailing ':' (or the full-width '：') and the spaces around it;
// returns whether there was one.
bool StripColon(std::string_view& s) {
  s = TrimRight(s);
  if (s.ends_with(':')) {
    s.remove_suffix(1);
  } else if (s.ends_with("\xEF\xBC\x9A")) {
    s.remove_suffix(3);
  } else {
    return false;
  }
  s = TrimRight(s);
  return true;
}

bool StartsWithOpener(std::string_view folded) {
  folded = TrimLeft(folded);
  if (!folded.empty() && folded[0] >= '0' && folded[0] <= '9') return true;  // "12.05.2025, ..."
  if (folded.starts_with("在")) return true;  // "在2017年8月2日，X 写道：": no space in Chinese
  return std::any_of(phrases::kOpeners.begin(), phrases::kOpeners.end(),
                     [&](std::string_view o) { return StartsWithWord(folded, o); });
}

bool EndsWithVerb(std::string_view folded) {
  for (std::string_view verb : phrases::kTrailingVerbs) {
    if (!folded.ends_with(verb)) continue;
    if (static_cast<unsigned char>(verb[0]) >= 0xE3) return true;  // CJK: no spaces
    size_t at = folded.size() - verb.size();
    if (at == 0 || folded[at - 1] == ' ' || folded[at - 1] == '>' || folded[at - 1] == ')' ||
        folded[at - 1] == '"') {
      return true;
    }
  }
  return false;
}

bool Decoration(char c) { return c == '-' || c == '_' || c == '=' || c == '*' || c == ' '; }

// `folded` is `field`, optional spaces or '*', then a colon.
bool IsField(std::string_view folded, std::string_view field) {
  if (!folded.starts_with(field)) return false;
  std::string_view rest = folded.substr(field.size());
  while (!rest.empty() && (rest[0] == '*' || rest[0] == ' ')) rest.remove_prefix(1);
  rest = TrimLeft(rest);
  return rest.starts_with(':') || rest.starts_with("\xEF\xBC\x9A");
}

}  // namespace

std::string FoldCase(std::string_view s) {
  // Bytes that are not UTF-8 stay as they were; they are not letters to fold.
  return util::MapUtf8(s, Lower);
}

bool IsQuoteLine(std::string_view line) {
  std::string_view t = Trim(line);
  return !t.empty() && t[0] == '>' && t != ">:";
}

bool IsBlank(std::string_view line) { return Trim(line).empty(); }

bool IsSignatureDelimiter(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.size() >= 2 && t.size() <= 4 && AllOf(t, '-')) return true;
  return t.size() >= 2 && AllOf(t, '_');
}

bool IsSeparatorLine(std::string_view line) {
  std::string_view t = Trim(line);
  return t.size() >= 3 && (AllOf(t, '_') || AllOf(t, '-') || AllOf(t, '='));
}

bool IsMobileFooter(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.size() > 160 || t.find(", ") != std::string_view::npos) return false;
  // A footer is a few words, maybe a <link>: "Sent from the warehouse: 3
  // boxes left" is the sender's text.
  std::string_view words = t.substr(0, t.find('<'));
  if (words.find(':') != std::string_view::npos) return false;
  if (std::count(words.begin(), words.end(), ' ') > 8) return false;
  std::string folded = FoldCase(t);
  return std::any_of(phrases::kMobileFooters.begin(), phrases::kMobileFooters.end(),
                     [&](std::string_view p) { return folded.starts_with(p); });
}

bool IsOriginalMessageLine(std::string_view line, bool next_is_from) {
  std::string_view t = Trim(line);
  if (t.size() > 120) return false;
  bool dashed = t.starts_with("--");
  std::string folded = FoldCase(t);
  std::string_view core = folded;
  while (!core.empty() && Decoration(core.front())) core.remove_prefix(1);
  while (!core.empty() && Decoration(core.back())) core.remove_suffix(1);
  if (!dashed && !next_is_from) return false;
  return std::find(phrases::kOriginalMessage.begin(), phrases::kOriginalMessage.end(), core) !=
         phrases::kOriginalMessage.end();
}

HeaderField HeaderFieldOf(std::string_view line) {
  std::string_view t = TrimLeft(line);
  while (!t.empty() && t[0] == '*') t.remove_prefix(1);
  if (t.size() > 2000) t = t.substr(0, 2000);
  std::string folded = FoldCase(t);
  for (std::string_view f : phrases::kFromFields) {
    if (IsField(folded, f)) return HeaderField::kFrom;
  }
  for (std::string_view f : phrases::kOtherFields) {
    if (IsField(folded, f)) return HeaderField::kOther;
  }
  return HeaderField::kNone;
}

std::optional<size_t> OutlookBlockEnd(const std::vector<std::string_view>& lines, size_t i) {
  if (HeaderFieldOf(lines[i]) == HeaderField::kNone) return std::nullopt;
  size_t fields = 0;
  bool from = false, from_has_address = false;
  size_t j = i;
  for (; j < lines.size() && j < i + 8 && !IsBlank(lines[j]); ++j) {
    HeaderField field = HeaderFieldOf(lines[j]);
    if (field != HeaderField::kNone) ++fields;
    if (field == HeaderField::kFrom && !from) {
      from = true;
      from_has_address = lines[j].find('@') != std::string_view::npos;
    }
  }
  if (!from || fields < 2 || (!from_has_address && fields < 3)) return std::nullopt;
  return j;
}

bool IsForwardLine(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.size() > 120) return false;
  std::string folded = FoldCase(t);
  std::string_view core = folded;
  while (!core.empty() && Decoration(core.front())) core.remove_prefix(1);
  while (!core.empty() && (Decoration(core.back()) || core.back() == ':')) core.remove_suffix(1);
  return std::find(phrases::kForwarded.begin(), phrases::kForwarded.end(), core) !=
         phrases::kForwarded.end();
}

std::optional<size_t> AttributionBegin(const std::vector<std::string_view>& lines, size_t i,
                                       bool quote_follows) {
  std::string_view last = Trim(lines[i]);
  // Gmail wraps "<address\n>:" (Norwegian "... skrev X <x@y.no\n>:").
  bool wrapped_bracket = last == ">:" && i > 0 && !IsBlank(lines[i - 1]);
  if (last.empty() || last.size() > 1000 || IsQuoteLine(last)) return std::nullopt;
  std::string folded_last = FoldCase(TrimDashes(last));
  std::string_view end = folded_last;
  bool colon = StripColon(end);
  bool trailing_verb = EndsWithVerb(end);
  bool verbless = colon && (end.ends_with('>') || end.ends_with(']'));
  if (!trailing_verb && !verbless && !colon) return std::nullopt;

  // A wrapped attribution: walk up (at most two lines) to its opening line.
  size_t begin = i;
  if (!StartsWithOpener(folded_last)) {
    for (size_t k = i; k-- > 0 && k + 2 >= i;) {
      if (IsBlank(lines[k]) || IsQuoteLine(lines[k])) break;
      if (StartsWithOpener(FoldCase(TrimLeft(lines[k]).substr(0, 64)))) {
        begin = k;
        break;
      }
    }
  }
  if (begin == i && verbless && i > 0 &&
      (wrapped_bracket || TrimRight(lines[i - 1]).ends_with('<'))) {
    begin = i - 1;
  }
  std::string joined;
  for (size_t k = begin; k <= i; ++k) joined += FoldCase(TrimDashes(lines[k])) + " ";
  if (joined.size() > 500) return std::nullopt;
  bool dated = HasDigit(joined);
  bool addressed = joined.find('@') != std::string::npos;
  bool opened = StartsWithOpener(joined);
  // Prose ends with a verb too ("Вот что он 12 мая написал:"): without a
  // quote below, an attribution names an address or opens with a date.
  if (trailing_verb) {
    return (quote_follows || addressed || (dated && opened)) ? std::optional(begin) : std::nullopt;
  }
  if (verbless) return (dated && addressed) ? std::optional(begin) : std::nullopt;
  // "Am <date> schrieb <name> <address>:": the verb in the middle.
  bool inner = std::any_of(phrases::kInnerVerbs.begin(), phrases::kInnerVerbs.end(),
                           [&](std::string_view v) { return joined.find(v) != std::string::npos; });
  return (inner && opened && (dated || addressed)) ? std::optional(begin) : std::nullopt;
}

}  // namespace replydesk::mail::reply_trim
