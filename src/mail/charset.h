// Charset conversion to UTF-8 for header and body text, with a guess for
// unlabelled or mislabelled 8-bit text (Cyrillic and Central European mail).
// RFC 2045 §5.1 (charset parameter), RFC 2047 §3 (charset of encoded words).
// Thread-safe: uses GMime's locked iconv cache; no global mutable state.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::mail {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

// Copy of `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view s);

// True when `s` holds a byte >= 0x80.
bool HasEightBit(std::string_view s);

struct Utf8Text {
  std::string text;      // always valid UTF-8
  bool guessed = false;  // the declared charset was missing, unknown or wrong
};

// Converts `bytes` labelled `declared_charset` ("" when unlabelled) to UTF-8.
// ASCII and valid UTF-8 pass through when unlabelled; an unknown label, a
// failed conversion or invalid "utf-8" fall back to GuessEightBitCharset.
Utf8Text ToUtf8(std::string_view bytes, std::string_view declared_charset);

// Converts with exactly this charset; false when iconv does not know it or
// the bytes are invalid in it.
bool ConvertCharset(std::string_view bytes, std::string_view charset, std::string* out);

}  // namespace replydesk::mail
