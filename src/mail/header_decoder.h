// Decoding of unstructured header text (Subject, display names, filenames) to
// UTF-8: RFC 5322 §2.2.3 unfolding, RFC 2047 encoded words and unlabelled
// 8-bit text. Tolerates the broken forms real mail has: encoded words inside
// quoted strings or glued to text, a multibyte character split across two
// words, base64 split off a 4-byte boundary, unknown or wrong charset labels.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::mail {

struct DecodedText {
  std::string text;       // UTF-8, unfolded, leading/trailing white space trimmed
  bool repaired = false;  // a charset was guessed or an encoded word was malformed
};

// Decodes one raw header value (bytes as written, possibly folded).
DecodedText DecodeHeaderText(std::string_view raw);

// Joins folded lines: CR and LF are dropped, the white space after them kept.
std::string Unfold(std::string_view raw);

// Raw 8-bit header bytes to UTF-8 (guessing the charset when not UTF-8);
// encoded words are left alone. `*repaired` is set when a guess was made.
std::string EightBitHeaderToUtf8(std::string_view raw, bool* repaired);

}  // namespace replydesk::mail
