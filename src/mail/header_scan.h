// A fast scan of a raw message's header block for the two fields the accept
// path needs before anything else: Message-ID and the From address (the
// idempotency key "same Message-ID from the same sender"). No MIME parse, no
// allocation beyond the results; stops at the first empty line. RFC 5322 §2.2.3
// (unfolding), §3.6.4 (msg-id).
#pragma once

#include <string>
#include <string_view>

namespace replydesk::mail {

struct HeaderScan {
  std::string message_id;    // without angle brackets, trimmed; "" when none
  std::string from_address;  // addr-spec of the first From mailbox as written; "" when none
};

HeaderScan ScanHeaders(std::string_view raw);

}  // namespace replydesk::mail
