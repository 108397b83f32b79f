// Decoding of text/plain; format=flowed (RFC 3676 §4): joins soft-broken
// lines, undoes space-stuffing, honours DelSp=yes and keeps quote depth.
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::mail {

// `text` is UTF-8 with LF or CRLF line ends; the result has LF line ends.
// Quoted paragraphs come out as "> " (depth 1), ">> " (depth 2), ...
std::string DecodeFormatFlowed(std::string_view text, bool delsp);

}  // namespace replydesk::mail
