// Address headers (From, To, Cc, Reply-To, Delivered-To) to mailboxes:
// RFC 5322 §3.4 with groups flattened into their members, RFC 2047 names
// (also inside quoted strings, where RFC 2047 §5 forbids them but Outlook
// and many webmails put them), unlabelled 8-bit names guessed.
// Thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "mail/parsed_message.h"

namespace replydesk::mail {

// Parses one raw address header value. Never fails: junk yields what could
// be recognised (possibly nothing). `*repaired` is set when a charset was
// guessed.
std::vector<Mailbox> DecodeAddressList(std::string_view raw, bool* repaired);

}  // namespace replydesk::mail
