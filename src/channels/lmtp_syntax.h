// Small pieces of LMTP/SMTP syntax shared by the session: the reverse-/forward-path argument
// of MAIL and RCPT with its ESMTP parameters (RFC 5321 §4.1.2, §4.1.1.11) and reply
// formatting with enhanced status codes (RFC 5321 §4.2, RFC 2034).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "channels/lmtp_handler.h"
#include "util/result.h"

namespace replydesk::channels {

struct LmtpPath {
  std::string address;  // without angle brackets and source route; "" for "<>"
  std::vector<std::pair<std::string, std::string>> params;  // keys upper-cased; value may be ""
};

// Parses the argument of MAIL ("FROM:<a@b> SIZE=10") or RCPT ("TO:<a@b>"); `keyword` is
// "FROM:" or "TO:". Tolerates a space after the colon and a path without brackets (old MTAs).
// Errors: kInvalidArgument "lmtp.syntax" for anything unparseable.
util::Result<LmtpPath> ParsePathArgument(std::string_view argument, std::string_view keyword);

// "250 2.1.0 Ok\r\n". An empty `enhanced` is derived from the code class ("2.0.0").
std::string FormatReply(const LmtpReply& reply);

// A multi-line reply without enhanced codes (greeting-like replies such as LHLO, RFC 2034 §3).
std::string FormatMultiline(int code, const std::vector<std::string>& lines);

}  // namespace replydesk::channels
