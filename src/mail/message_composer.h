// Composes outgoing RFC 5322 messages with GMime: UTF-8 headers encoded per
// RFC 2047, parameters per RFC 2231, text/plain alone or multipart/alternative
// with HTML, multipart/mixed with attachments, CRLF line ends.
// RFC 3834 §5: automatic replies carry Auto-Submitted: auto-replied.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mail/parsed_message.h"
#include "util/result.h"

namespace replydesk::mail {

struct OutgoingAttachment {
  std::string filename;      // UTF-8; encoded with RFC 2231 when not ASCII
  std::string content_type;  // "application/pdf"; "" = application/octet-stream
  std::string data;          // raw bytes
};

struct OutgoingMessage {
  Mailbox from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::optional<Mailbox> reply_to;
  std::string subject;                  // UTF-8
  std::string message_id;               // without angle brackets (MakeMessageId)
  std::string in_reply_to;              // without angle brackets, "" when none
  std::vector<std::string> references;  // without angle brackets, oldest first
  long long date = 0;                   // Unix seconds; rendered in UTC (+0000); 0 = now
  std::string text;                     // UTF-8 plain text body (required)
  std::string html;                     // UTF-8 HTML alternative, "" when none
  std::vector<OutgoingAttachment> attachments;
  std::string auto_submitted;  // "" (header omitted) or "auto-replied"
  // Added as given (e.g. {"X-Replydesk-Ticket","100001"}, {"Precedence","bulk"});
  // a non-ASCII value is RFC 2047 encoded. Names the composer writes itself
  // (From ... References, MIME-Version, Auto-Submitted, Content-*) are refused.
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

// The message as bytes, CRLF line ends, ready for SMTP DATA (not dot-stuffed).
// Display names and the subject are RFC 2047 encoded in UTF-8; line breaks or
// control characters in them become spaces (no header injection). Bodies are
// text/plain; charset=utf-8 in 7bit, quoted-printable or base64 (whichever
// GMime finds best; quoted-printable when a 7bit line would exceed 78);
// attachments are always base64. Every line ends in CRLF and is at most 998
// octets; header lines are folded at 78 where the content allows.
// Errors: kInvalidArgument "mail.bad_outgoing" when from/to/message_id is
// missing or malformed (addresses and ids must be bare: no spaces, no angle
// brackets), or an extra header is refused or holds a line break.
// Thread-safe.
util::Result<std::string> ComposeMessage(const OutgoingMessage& message);

// "<random 128 bits, base32>.<unix time>@domain" without angle brackets:
// 26 lower-case base32 characters (libsodium randombytes), a dot, the current
// Unix time. Thread-safe.
std::string MakeMessageId(std::string_view domain);

}  // namespace replydesk::mail
