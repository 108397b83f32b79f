// Mailbox sources for `replydesk import`: walks a Maildir (Maildir++ subfolders included), an
// mbox file (RFC 4155, see MboxReader), a single message file, or a folder holding any mix of
// them, and hands every message to a callback. Streams: one message is in memory at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "util/result.h"

namespace replydesk::channels {

struct MailboxMessage {
  std::string origin;  // the file for single messages, "path#N" (N from 1) inside an mbox
  std::string data;    // Maildir and single files byte-exact; mbox messages with LF line ends
};

using MailboxCallback = std::function<util::Status(const MailboxMessage&)>;

// What PATH may be:
// - a Maildir (a folder with cur/ and new/): new/ then cur/, files sorted by name, tmp/ and
//   dot-files skipped; then its Maildir++ subfolders (".Sent", ".Lists.rust") and nested
//   maildirs (Dovecot LAYOUT=fs), each the same way;
// - a file: an mbox if it starts with "From ", otherwise one message;
// - any other folder: entries sorted by name, hidden ones skipped, recursing into folders;
//   there a file is an mbox if it starts with "From ", one message if it is named *.eml or
//   starts with a header field ("Received: ..."), and otherwise skipped with a log line
//   (Thunderbird's .msf indexes, Dovecot's index files).
// Empty files hold no message. Directory symlinks are not followed (no loops).
// Stops at the first error from `fn` and returns it. Errors: kNotFound "mailbox.not_found",
// kPermissionDenied "mailbox.permission_denied", kUnavailable "mailbox.read_failed".
util::Status ForEachMessage(const std::string& path, const MailboxCallback& fn);

// The number of messages ForEachMessage would visit, without keeping their bytes (for a
// progress bar). Same errors.
util::Result<size_t> CountMessages(const std::string& path);

}  // namespace replydesk::channels
