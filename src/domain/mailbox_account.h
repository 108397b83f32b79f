// A mailbox account: an existing IMAP or POP3 mailbox that Replydesk polls and
// feeds into a channel (its team). Pure values and rules: the poll schedule
// after a failure (exponential backoff) and which hosts may be reached without
// TLS. No I/O, no clock reads: times come in as parameters.
//
// The password is held only encrypted (util/secret_box, the server key); it is
// decrypted in memory by the poller for one session and never listed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/entities.h"

namespace replydesk::domain {

enum class MailProtocol { kImap, kPop3 };
const char* MailProtocolName(MailProtocol p);  // "imap", "pop3"
std::optional<MailProtocol> ParseMailProtocol(const std::string& s);

// kNone is allowed for loopback hosts only (IsLoopbackHost).
enum class MailboxTls { kTls, kStartTls, kNone };
const char* MailboxTlsName(MailboxTls t);  // "tls", "starttls", "none"
std::optional<MailboxTls> ParseMailboxTls(const std::string& s);

// What the server is told once a message is committed. POP3 knows only
// kDelete and kKeep (it has no flags or folders).
enum class AfterImport { kMarkSeen, kMove, kDelete, kKeep };
const char* AfterImportName(AfterImport a);  // "seen", "move", "delete", "keep"
std::optional<AfterImport> ParseAfterImport(const std::string& s);

struct MailboxAccount {
  Id id = 0;
  std::string name;   // unique, chosen by the admin: "support-gmail"
  Id channel_id = 0;  // default channel when no receiving address matches one
  MailProtocol protocol = MailProtocol::kImap;
  std::string host;
  int port = 0;  // 0: the protocol's default for the TLS mode
  MailboxTls tls = MailboxTls::kTls;
  std::string user;
  std::string password_encrypted;  // nonce + secretbox ciphertext; never shown
  std::string folder = "INBOX";    // IMAP only
  int poll_interval_seconds = 60;
  AfterImport after_import = AfterImport::kMarkSeen;
  std::string move_to;  // IMAP folder for kMove, "" otherwise
  bool enabled = true;

  // Poll state. IMAP: messages up to last_uid under uid_validity are imported.
  // POP3 keeps its seen UIDLs in a table of their own.
  int64_t uid_validity = 0;  // 0: never listed
  int64_t last_uid = 0;
  std::optional<UnixSeconds> last_success_at;
  std::string last_error;  // human message of the last failure, "" when none yet
  std::optional<UnixSeconds> last_error_at;
  int64_t imported_count = 0;  // messages accepted from this mailbox (duplicates excluded)
  int64_t backlog = 0;         // messages left on the server at the end of the last poll
  int failures = 0;            // consecutive failed polls
  UnixSeconds next_poll_at = 0;
  UnixSeconds created_at = 0;
};

// Seconds to wait after the `failures`-th consecutive failure:
// poll_interval * 2^failures, at most kMaxBackoffSeconds (and never less than
// the interval itself).
inline constexpr int64_t kMaxBackoffSeconds = 3600;
int64_t BackoffSeconds(int poll_interval_seconds, int failures);

// True for "localhost", "127.0.0.0/8" and "::1" (with or without brackets):
// the only hosts a password may be sent to without TLS.
bool IsLoopbackHost(std::string_view host);

}  // namespace replydesk::domain
