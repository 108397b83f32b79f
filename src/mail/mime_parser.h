// MimeParser: RFC 5322 / MIME message -> ParsedMessage, built on GMime 3.
// Never fails on bad input: a malformed or over-limit message yields a
// partial result with flags. Thread-safe after the first construction
// (GMime is initialised once per process).
#pragma once

#include <cstddef>
#include <string_view>

#include "mail/parsed_message.h"

namespace replydesk::mail {

// Parser limits in one place. Hitting one adds a flag "limit.<name>" and the
// parse continues with what fits; the message is still stored.
struct ParseLimits {
  int max_depth = 20;                           // multipart / message nesting
  int max_parts = 500;                          // MIME parts walked
  size_t max_header_bytes = 256 * 1024;         // per message header block
  size_t max_decoded_bytes = 64 * 1024 * 1024;  // sum of decoded part sizes
  size_t max_text_bytes = 2 * 1024 * 1024;      // chosen text body kept
};

class MimeParser {
 public:
  explicit MimeParser(ParseLimits limits = {});
  ParsedMessage Parse(std::string_view raw) const;

 private:
  ParseLimits limits_;
};

}  // namespace replydesk::mail
