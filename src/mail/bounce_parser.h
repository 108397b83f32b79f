// Bounce recognition: which of our messages failed, for whom and why.
// RFC 3464 (multipart/report; report-type=delivery-status), RFC 3463
// (enhanced status codes), RFC 6533 (message/global-delivery-status), and the
// common non-standard notices: Postfix and Exim plain text, qmail-send,
// Exchange/Outlook NDRs, Gmail "Delivery Status Notification", and plain
// notices from MAILER-DAEMON/postmaster quoting the original after a
// separator. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace replydesk::mail {

struct BounceRecipient {
  std::string address;     // the recipient that failed (addr-spec, no brackets), may be ""
  std::string action;      // RFC 3464 §2.3.3, lower case: "failed", "delayed", ...
  std::string status;      // RFC 3463 "5.1.1", "" when none was given or found
  std::string diagnostic;  // the remote server's words, unfolded, "" when none
};

struct BounceReport {
  bool is_bounce = false;
  bool permanent = false;  // a failure; false for a delay warning ("action: delayed", 4.x.x)
  // "dsn" (RFC 3464), "postfix", "exim", "qmail", "exchange", "gmail" (the plain-text
  // notices), "heuristic" (another daemon notice); "" when not a bounce.
  std::string kind;
  // Ids (no brackets) of the mail that bounced, from the returned message part or
  // text/rfc822-headers or the copy quoted inline, plus In-Reply-To/References of
  // the bounce itself as fallbacks; in that order, no duplicates.
  std::vector<std::string> original_message_ids;
  std::vector<BounceRecipient> recipients;
};

// Never fails: anything not recognised is reported as not a bounce. A message
// counts only when it is a delivery-status report or comes from a
// mailer-daemon/postmaster-like sender (or a null Return-Path, or carries
// X-Failed-Recipients) and reads like a delivery failure: a person writing
// "undeliverable" is not a bounce. Success reports (action delivered,
// relayed, expanded only) and read receipts (RFC 8098) are not bounces.
BounceReport ParseBounce(std::string_view raw);

}  // namespace replydesk::mail
