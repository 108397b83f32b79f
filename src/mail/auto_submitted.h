// Recognition of mail that no human wrote for us to answer: auto-replies,
// bulk and list mail, bounces and receipts. RFC 3834 §2 (Auto-Submitted),
// §3.1.8 (Precedence, List-Id), §5 (when not to reply); RFC 3464, RFC 8098
// (multipart/report). Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mail/parsed_message.h"

namespace replydesk::mail {

struct HeaderField {
  std::string name;   // as written ("Auto-Submitted")
  std::string value;  // unfolded raw value
};

// True for the sender addresses of delivery notices: mailer-daemon (also
// mailer_daemon, mailerdaemon, mail-daemon), postmaster, and the system
// mailbox Exchange sends NDRs from (MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@...).
// Case-insensitive; `address` is an addr-spec or a bare local part.
bool IsDaemonAddress(std::string_view address);

// True when the message must not get an automatic answer. `content_type` is
// the top-level type in lower case ("multipart/report"), `from` the decoded
// From mailboxes.
bool IsAutoSubmitted(const std::vector<HeaderField>& headers, std::string_view content_type,
                     const std::vector<Mailbox>& from);

}  // namespace replydesk::mail
