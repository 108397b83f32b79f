// What the MIME parser saw in one message, decoded to UTF-8. This is the
// input of ingestion and the source of `replydesk inspect --json`
// (docs/inspect-json.md). RFC 5322, RFC 2045-2049, RFC 2047, RFC 2231.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace replydesk::mail {

struct Mailbox {
  std::string name;     // display name, UTF-8, "" when none
  std::string address;  // addr-spec as written (not lower-cased), "" when unparsable
};

struct ParsedAttachment {
  std::string filename;      // decoded (RFC 2047 / RFC 2231), "" when none given;
                             // a message/rfc822 without one: its subject + ".eml"
  std::string content_type;  // "application/pdf", lower-case
  std::string content_id;    // without angle brackets, "" when none
  bool inline_part = false;  // Content-Disposition inline (or a related image with an id)
  std::string data;          // decoded bytes (transfer encoding undone)
  size_t size = 0;           // decoded size in bytes; equals data.size() unless
                             // limit.decoded_bytes dropped the data
};

struct ParsedMessage {
  std::vector<Mailbox> from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::vector<Mailbox> reply_to;
  std::string subject;
  std::optional<long long> date;         // Unix seconds (UTC), nullopt when missing or invalid
  std::string message_id;                // without angle brackets, "" when none
  std::vector<std::string> in_reply_to;  // ids without angle brackets
  std::vector<std::string> references;   // ids without angle brackets, oldest first
  std::string text;                      // chosen body as UTF-8 text
  std::string html;                      // HTML body (UTF-8) when one exists, else ""
  std::vector<ParsedAttachment> attachments;
  bool auto_submitted = false;     // auto-reply, bulk, list or bounce (RFC 3834 and common forms)
  std::vector<std::string> flags;  // limits hit or repairs made, e.g. "limit.nesting_depth"

  // Routing headers, decoded addresses in the order they appear.
  std::vector<std::string> delivered_to;
  std::vector<std::string> x_original_to;
};

}  // namespace replydesk::mail
