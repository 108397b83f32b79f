// POP3 client for polling a customer's mailbox (RFC 1939; CAPA, STLS and
// PIPELINING from RFC 2449 and RFC 2595; response codes RFC 2449 §8, RFC 3206).
// Implements services::RemoteMailbox on TlsStream; see imap_mailbox.h for why
// not libcurl (here: curl's POP3 has no UIDL listing with sizes in one session
// and no way to delete after the caller's commit).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "channels/tls_stream.h"
#include "services/ports/remote_mailbox.h"

namespace replydesk::channels {

// One authenticated POP3 session (USER/PASS). Not thread-safe. Messages are
// identified by UIDL (required: a server without it gives kInternal
// "mailbox.protocol"). Fetch returns RETR's bytes dot-unstuffed, otherwise as
// sent. Dispose issues DELE for kDelete only (kMarkSeen and kKeep leave the
// message; the poller remembers UIDLs); the deletions take effect at Close
// (QUIT) and are forgotten by the server if the session ends any other way:
// Close then reports kUnavailable "mailbox.connect" when DELEs were pending.
//
// Errors as ImapMailbox: mailbox.connect, mailbox.auth, mailbox.protocol,
// mailbox.insecure, mailbox.config, mailbox.gone (a UIDL not in the last
// List). The password is not kept after login and never appears in messages.
class Pop3Mailbox : public services::RemoteMailbox {
 public:
  static constexpr size_t kMaxMessage = size_t{1} << 30;

  static util::Result<std::unique_ptr<Pop3Mailbox>> Open(
      const services::RemoteMailboxConfig& config, const MailboxClientOptions& options = {});
  ~Pop3Mailbox() override = default;

  // Both arguments are ignored: POP3 has no UIDVALIDITY (0 is returned).
  util::Result<services::FolderState> List(uint32_t known_uid_validity,
                                           uint32_t after_uid) override;
  util::Result<std::string> Fetch(const services::RemoteMessageRef& ref) override;
  util::Status Dispose(const std::vector<services::RemoteMessageRef>& refs) override;
  util::Status Close() override;

  bool HasCapability(const std::string& name) const;  // upper-case CAPA keyword

 private:
  Pop3Mailbox(services::RemoteMailboxConfig config, std::unique_ptr<TlsStream> stream);
  // Sends `line` (unless empty) and reads the status line: "+OK ..." text or
  // "-ERR ..." as `error` (false = transport error, already in the Result).
  util::Result<std::string> Exchange(const std::string& line, bool& negative);
  util::Result<std::string> Command(const std::string& line, const std::string& what);
  util::Result<std::string> ReadMultiLine(size_t limit);  // after +OK, up to "."
  util::Status Greet();
  util::Status ReadCapabilities();
  util::Status StartTls();
  util::Status Login();
  util::Result<int> Number(const services::RemoteMessageRef& ref) const;

  util::Error Protocol(const std::string& what) const;
  util::Error Broken(util::Error error);  // drops the stream, passes the error on
  std::string Who() const;

  services::RemoteMailboxConfig config_;  // password cleared after login
  std::unique_ptr<TlsStream> stream_;
  std::string peer_;
  std::vector<std::string> capabilities_;
  std::map<std::string, int> number_by_uidl_;  // from the last List
  size_t pending_deletes_ = 0;                 // DELEs that QUIT has not committed
};

}  // namespace replydesk::channels
