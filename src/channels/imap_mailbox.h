// IMAP client for polling one folder of a customer's mailbox (RFC 9051 and
// RFC 3501 commands; UIDPLUS RFC 4315, MOVE RFC 6851, LITERAL+ RFC 7888,
// STARTTLS RFC 2595). Implements services::RemoteMailbox.
//
// Our own line-based client on TlsStream rather than libcurl: curl's IMAP
// fetch uses BODY[] (sets \Seen), a custom "UID FETCH ... BODY.PEEK[]" request
// hands back only the first response line (the literal is dropped, tried with
// curl 7.88), and neither UIDVALIDITY nor one session for
// SELECT/FETCH/STORE/EXPUNGE is reachable through its URL interface.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "channels/imap_syntax.h"
#include "channels/tls_stream.h"
#include "services/ports/remote_mailbox.h"

namespace replydesk::channels {

// One authenticated IMAP session on config.folder. Not thread-safe.
//
// Errors, besides the port's (mailbox.connect, mailbox.auth, mailbox.folder,
// mailbox.protocol): kInvalidArgument "mailbox.insecure" for kNone to a
// non-loopback host, kInvalidArgument "mailbox.config" for a bad account
// (kMove without move_to, line breaks in the user name), kNotFound
// "mailbox.gone" when Fetch asks for a message expunged meanwhile. Messages
// name the user and host:port, never the password (which is not kept after
// login). After a connection error the session is unusable (every call
// returns mailbox.connect).
//
// Fetch serves from a prefetch window: asked for a listed message it fetches
// it and the ones listed after it (up to kPrefetchMessages / kPrefetchBytes)
// in one UID FETCH, so a poller fetching in List order pays one round trip per
// window, not per message. Dispose sends compressed UID sets (one command per
// ~1000 scattered UIDs or any run of consecutive ones).
class ImapMailbox : public services::RemoteMailbox {
 public:
  static constexpr int kPrefetchMessages = 200;
  static constexpr int64_t kPrefetchBytes = 16 << 20;
  static constexpr size_t kMaxLiteral = size_t{1} << 30;

  // Connects, negotiates TLS as configured and logs in; the folder is
  // selected by the first List (or Fetch/Dispose).
  static util::Result<std::unique_ptr<ImapMailbox>> Open(
      const services::RemoteMailboxConfig& config, const MailboxClientOptions& options = {});
  ~ImapMailbox() override = default;

  util::Result<services::FolderState> List(uint32_t known_uid_validity,
                                           uint32_t after_uid) override;
  util::Result<std::string> Fetch(const services::RemoteMessageRef& ref) override;
  util::Status Dispose(const std::vector<services::RemoteMessageRef>& refs) override;
  util::Status Close() override;
  // IDLE (RFC 2177) on config.folder; re-issue within 29 minutes (§3).
  bool CanWaitForNews() const override { return HasCapability("IDLE"); }
  util::Result<bool> WaitForNews(int max_seconds, const std::atomic<bool>* stop) override;

  bool HasCapability(const std::string& name) const;  // upper-case name, e.g. "MOVE"

 private:
  struct Reply {
    std::string status;  // "OK", "NO" or "BAD"
    std::string text;    // the rest of the tagged line
    std::vector<imap::Response> untagged;
  };

  ImapMailbox(services::RemoteMailboxConfig config, std::unique_ptr<TlsStream> stream);
  util::Result<Reply> Run(const imap::Command& command);
  util::Result<Reply> Run(const std::string& text) { return Run(imap::Command().Text(text)); }
  util::Status Send(const imap::Command& command, const std::string& tag, Reply& early);
  util::Result<imap::Response> ReadResponse();
  void NoteCapabilities(const std::string& line);
  util::Status Greet();
  util::Status StartTls();
  util::Status Login();
  util::Status Select();
  util::Status RequireOk(const util::Result<Reply>& reply, const std::string& what);
  util::Status FetchWindow(uint32_t uid, const services::RemoteMessageRef& ref);
  util::Status Store(const std::vector<std::string>& sets, const std::string& flag);
  util::Status Expunge(const std::vector<std::string>& sets);
  util::Status MoveTo(const std::vector<std::string>& sets);

  util::Error Protocol(const std::string& what) const;
  std::string Who() const;  // "user x at host:port"

  services::RemoteMailboxConfig config_;  // password cleared after login
  std::unique_ptr<TlsStream> stream_;     // null once closed or broken
  std::string peer_;
  std::vector<std::string> capabilities_;
  int next_tag_ = 1;
  bool selected_ = false;
  uint32_t uid_validity_ = 0;
  uint64_t exists_ = 0;
  std::vector<services::RemoteMessageRef> listed_;  // last List, ascending UID
  std::map<uint32_t, size_t> listed_index_;         // UID -> position in listed_
  std::map<uint32_t, std::string> prefetched_;      // UID -> raw message
};

}  // namespace replydesk::channels
