// Port for a mailbox on a remote server (IMAP or POP3), implemented in
// channels/ (imap_mailbox, pop3_mailbox) and driven by services/mailbox_poller.
// The poller commits each message through the accept path before it calls
// Dispose for it: flag/move/delete on the server happens only after commit.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace replydesk::services {

enum class TlsMode { kTls, kStartTls, kNone };  // kNone allowed for loopback hosts only
enum class AfterImport { kMarkSeen, kMove, kDelete, kKeep };

struct RemoteMailboxConfig {
  std::string protocol;  // "imap" or "pop3"
  std::string host;
  int port = 0;  // 0 = protocol default for the TLS mode
  TlsMode tls = TlsMode::kTls;
  std::string user;
  std::string password;                        // decrypted, in memory only
  std::string folder = "INBOX";                // IMAP only
  AfterImport after = AfterImport::kMarkSeen;  // POP3: kMarkSeen/kKeep keep the message
  std::string move_to;                         // IMAP folder for kMove
  int timeout_seconds = 30;
};

// One message on the server. `uid` is the IMAP UID (decimal) or the POP3 UIDL
// string; `uid_number` is the IMAP UID (0 for POP3).
struct RemoteMessageRef {
  std::string uid;
  uint32_t uid_number = 0;
  int64_t size = 0;
};

struct FolderState {
  uint32_t uid_validity = 0;               // IMAP UIDVALIDITY; 0 for POP3
  std::vector<RemoteMessageRef> messages;  // newer than the given UID (IMAP) / all (POP3)
};

// One open session. Errors: kUnavailable "mailbox.connect" (refused, timeout,
// TLS failure: retry later), kPermissionDenied "mailbox.auth" (wrong
// password), kNotFound "mailbox.folder" (folder missing), kInternal
// "mailbox.protocol" (server said something we cannot use).
class RemoteMailbox {
 public:
  virtual ~RemoteMailbox() = default;
  // IMAP: selects the folder and lists UIDs greater than `after_uid` (all
  // when 0 or when UIDVALIDITY differs from `known_uid_validity`).
  // POP3: lists every message with its UIDL.
  virtual util::Result<FolderState> List(uint32_t known_uid_validity, uint32_t after_uid) = 0;
  // The message's raw bytes, exactly as stored on the server (not marking it seen).
  virtual util::Result<std::string> Fetch(const RemoteMessageRef& ref) = 0;
  // Applies the configured AfterImport to messages that are committed.
  // POP3 deletes only take effect at Close() (QUIT).
  virtual util::Status Dispose(const std::vector<RemoteMessageRef>& refs) = 0;
  // Ends the session cleanly (IMAP LOGOUT after EXPUNGE when needed, POP3 QUIT).
  virtual util::Status Close() = 0;

  // Push (IMAP IDLE, RFC 2177): whether WaitForNews works on this session.
  virtual bool CanWaitForNews() const { return false; }
  // Waits on the folder until the server announces new messages (true), or
  // max_seconds pass or *stop is set (false). Only when CanWaitForNews().
  // Errors as above; a session that failed is unusable.
  virtual util::Result<bool> WaitForNews(int max_seconds, const std::atomic<bool>* stop) {
    (void)max_seconds;
    (void)stop;
    return util::MakeError(util::ErrorCode::kInternal, "mailbox.protocol",
                           "no push on this session");
  }
};

class RemoteMailboxFactory {
 public:
  virtual ~RemoteMailboxFactory() = default;
  // Connects and authenticates. Errors as above.
  virtual util::Result<std::unique_ptr<RemoteMailbox>> Open(const RemoteMailboxConfig& config) = 0;
};

}  // namespace replydesk::services
