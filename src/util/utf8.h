// UTF-8 code points one at a time (RFC 3629): a strict decoder that never
// reads past the end and an encoder. The one copy the case folding of
// subjects (domain), rule conditions (rules), quote trimming and language
// detection (mail) share.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::util {

inline constexpr char32_t kUtf8Invalid = 0xFFFFFFFF;

// Decodes the code point at s[i] (i < s.size()) and advances i past it.
// Malformed, truncated, overlong, surrogate or out-of-range input gives
// kUtf8Invalid and advances one byte, so a caller can keep or replace it.
char32_t DecodeUtf8(std::string_view s, size_t& i);

// Appends `cp` (a valid code point, at most U+10FFFF) as UTF-8.
void AppendUtf8(std::string& out, char32_t cp);

// `s` with `fn` applied to every code point (case folding); bytes that are
// not UTF-8 are copied unchanged.
std::string MapUtf8(std::string_view s, char32_t (*fn)(char32_t));

}  // namespace replydesk::util
