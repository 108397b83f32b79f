// Opens IMAP or POP3 sessions for the mailbox poller: the implementation of
// services::RemoteMailboxFactory wired in app/, choosing the client by
// RemoteMailboxConfig::protocol.
#pragma once

#include <memory>

#include "channels/tls_stream.h"
#include "services/ports/remote_mailbox.h"

namespace replydesk::channels {

// Thread-safe (holds only its options); every session it opens is not.
class RemoteMailboxFactoryImpl : public services::RemoteMailboxFactory {
 public:
  explicit RemoteMailboxFactoryImpl(MailboxClientOptions options = {})
      : options_(std::move(options)) {}

  // "imap" -> ImapMailbox, "pop3" -> Pop3Mailbox (case-insensitive); anything
  // else is kInvalidArgument "mailbox.config". Other errors as those classes.
  util::Result<std::unique_ptr<services::RemoteMailbox>> Open(
      const services::RemoteMailboxConfig& config) override;

 private:
  MailboxClientOptions options_;
};

}  // namespace replydesk::channels
