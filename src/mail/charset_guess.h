// Guessing the charset of unlabelled 8-bit text. Fallback order alone cannot
// tell windows-1251 from KOI8-R (every byte is valid in both), so Cyrillic
// candidates are scored by Russian/Bulgarian letter frequency and by case
// pattern: KOI8-R read as windows-1251 gives "рТЙЧЕФ" for "Привет".
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::mail {

// One of "windows-1251", "koi8-r", "iso-8859-5", "cp866" (Cyrillic) or
// "iso-8859-2", "windows-1250" (Central European), or "windows-1252" when
// the text looks Western. Never fails; ASCII-only input gives "us-ascii".
std::string GuessEightBitCharset(std::string_view bytes);

// Plausibility of UTF-8 `text` as Cyrillic prose: higher is better. Exposed
// for tests; the score of one candidate is only comparable to another
// decoding of the same bytes.
double CyrillicScore(std::string_view utf8_text);

}  // namespace replydesk::mail
