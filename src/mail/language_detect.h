// Language of a customer's message, for choosing the language of automatic
// replies and remembering a customer's language. Statistical detection by CLD2
// (Compact Language Detector 2) on the customer's own words: quoted text,
// signatures, addresses, links and words in the minority script (Latin product
// names inside Cyrillic text) are left out first. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::mail {

// Fewer letters than this (after filtering) is too short to tell: CLD2 calls
// "Моля, обадете ми се" (Bulgarian, 16 letters) Serbian, "Да, конечно" Macedonian.
inline constexpr int kLanguageDetectMinLetters = 20;

// Only this many bytes of the text are looked at, and only this many bytes of
// filtered text are given to CLD2.
inline constexpr size_t kLanguageDetectMaxScan = 256 * 1024;
inline constexpr size_t kLanguageDetectMaxBytes = 64 * 1024;

// The ISO 639-1 code ("ru", "bg", "ro", "en", "uk", "sr", ...) of the language
// `utf8_text` is written in, or "" when it cannot be told: fewer than
// kLanguageDetectMinLetters letters, CLD2 not reliable, or a language without an
// ISO 639-1 code. Before detection it drops lines starting with '>' (quotes),
// everything after a signature separator line ("-- "), e-mail addresses and
// URLs, and words of the minority script (Latin vs Cyrillic). Bytes that are
// not valid UTF-8 drop the word they are in. Moldovan comes out as "ro" (CLD2
// knows it as Romanian); CLD2's legacy codes are mapped ("iw" -> "he",
// "jw" -> "jv", "zh-Hant" -> "zh").
std::string DetectLanguage(std::string_view utf8_text);

}  // namespace replydesk::mail
