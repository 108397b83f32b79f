// Language detection with CLD2: see language_detect.h.
#include "mail/language_detect.h"
#include "util/utf8.h"

// compact_lang_det.h uses FILE without including <cstdio>.
#include <cstdio>

#include <cld2/public/compact_lang_det.h>

#include <vector>

namespace replydesk::mail {
namespace {

enum class Script { kNone, kLatin, kCyrillic, kMixed };

// One word of the text, with its letters counted by script.
struct Word {
  std::string_view text;
  int latin = 0;
  int cyrillic = 0;
  int other = 0;  // letters of other scripts (Greek, Arabic, CJK, ...)

  int letters() const { return latin + cyrillic + other; }
  Script script() const {
    if (latin > 0 && cyrillic > 0) return Script::kMixed;
    if (latin > 0) return Script::kLatin;
    if (cyrillic > 0) return Script::kCyrillic;
    return Script::kNone;
  }
};

constexpr char32_t kInvalid = util::kUtf8Invalid;

bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == 0xA0 ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x3000;
}

bool IsLatinLetter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x1E00 && c <= 0x1EFF);
}

// Rough: code points past Latin that are not punctuation, symbols or emoji.
bool IsOtherLetter(char32_t c) {
  return c >= 0x370 && !(c >= 0x2000 && c <= 0x2BFF) && !(c >= 0x3000 && c <= 0x303F) &&
         !(c >= 0xFE00 && c <= 0xFE0F) && !(c >= 0xFF00 && c <= 0xFF0F) && c < 0x1F000;
}

bool IsAddressOrLink(std::string_view w) {
  const auto lower_starts = [&](std::string_view p) {
    if (w.size() < p.size()) return false;
    for (size_t k = 0; k < p.size(); ++k) {
      if ((w[k] | 0x20) != p[k]) return false;
    }
    return true;
  };
  return w.find('@') != w.npos || w.find("://") != w.npos || lower_starts("www.");
}

// Appends the words of one line to `out`. A word holding invalid UTF-8 or a
// control character is dropped whole (CLD2 refuses such text outright).
void SplitWords(std::string_view line, std::vector<Word>& out) {
  Word word;
  bool bad = false;
  size_t start = 0;
  const auto finish = [&](size_t end) {
    word.text = line.substr(start, end - start);
    if (!bad && word.letters() > 0 && !IsAddressOrLink(word.text)) out.push_back(word);
    word = Word{};
    bad = false;
  };
  for (size_t i = 0; i < line.size();) {
    size_t at = i;
    char32_t c = util::DecodeUtf8(line, i);
    if (c != kInvalid && IsSpace(c)) {
      if (at > start) finish(at);
      start = i;
      continue;
    }
    if (c == kInvalid || c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xFFFE || c == 0xFFFF) {
      bad = true;
    } else if (c >= 0x400 && c <= 0x52F) {
      ++word.cyrillic;
    } else if (IsLatinLetter(c)) {
      ++word.latin;
    } else if (IsOtherLetter(c)) {
      ++word.other;
    }
  }
  if (line.size() > start) finish(line.size());
}

// The customer's own words: quoted lines and the signature left out.
std::vector<Word> OwnWords(std::string_view text) {
  std::vector<Word> words;
  for (size_t pos = 0; pos <= text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == text.npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "-- " || line == "--") break;  // RFC 3676 §4.3 signature separator
    size_t first = line.find_first_not_of(" \t");
    if (first != line.npos && line[first] == '>') continue;
    SplitWords(line, words);
  }
  return words;
}

// Joins the words worth detecting: a Russian message naming "Microsoft Teams"
// and "Google Workspace" scores those as unknown-language runs, and CLD2 then
// calls the whole text unreliable, so words of the minority script go.
std::string DetectableText(const std::vector<Word>& words, int& letters) {
  int latin = 0, cyrillic = 0;
  for (const Word& w : words) {
    latin += w.latin;
    cyrillic += w.cyrillic;
  }
  Script drop = cyrillic > latin   ? Script::kLatin
                : latin > cyrillic ? Script::kCyrillic
                                   : Script::kNone;
  std::string out;
  letters = 0;
  for (const Word& w : words) {
    if (w.script() == drop) continue;
    if (out.size() + w.text.size() + 1 > kLanguageDetectMaxBytes) break;
    if (!out.empty()) out += ' ';
    out += w.text;
    letters += w.letters();
  }
  return out;
}

// ISO 639-1 for a CLD2 language; "" for unknown, pseudo-languages and
// languages that only have a three-letter code ("haw", "ceb").
std::string IsoCode(CLD2::Language language) {
  if (language == CLD2::UNKNOWN_LANGUAGE) return "";
  std::string_view code = CLD2::LanguageCode(language);
  if (code == "iw") return "he";
  if (code == "jw") return "jv";
  code = code.substr(0, code.find('-'));  // "zh-Hant", "sr-ME"
  if (code.size() != 2 || code == "un" || code == "xx") return "";
  return std::string(code);
}

}  // namespace

std::string DetectLanguage(std::string_view utf8_text) {
  // The start of a long message says as much as all of it (a cut code point
  // just drops the last word).
  utf8_text = utf8_text.substr(0, kLanguageDetectMaxScan);
  int letters = 0;
  std::string text = DetectableText(OwnWords(utf8_text), letters);
  if (letters < kLanguageDetectMinLetters) return "";

  CLD2::Language language3[3];
  int percent3[3];
  double normalized_score3[3];
  int text_bytes = 0;
  int valid_prefix_bytes = 0;
  bool is_reliable = false;
  CLD2::Language language = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, /*cld_hints=*/nullptr,
      /*flags=*/0, language3, percent3, normalized_score3, /*resultchunkvector=*/nullptr,
      &text_bytes, &is_reliable, &valid_prefix_bytes);
  if (!is_reliable) return "";
  return IsoCode(language);
}

}  // namespace replydesk::mail
