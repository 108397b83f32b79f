// Chooses the IMAP or POP3 client: see remote_mailbox_factory.h.
#include "channels/remote_mailbox_factory.h"

#include <cctype>

#include "channels/imap_mailbox.h"
#include "channels/pop3_mailbox.h"

namespace replydesk::channels {

util::Result<std::unique_ptr<services::RemoteMailbox>> RemoteMailboxFactoryImpl::Open(
    const services::RemoteMailboxConfig& config) {
  std::string protocol = config.protocol;
  for (char& c : protocol) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (protocol == "imap") {
    RD_ASSIGN_OR_RETURN(std::unique_ptr<ImapMailbox> box, ImapMailbox::Open(config, options_));
    return std::unique_ptr<services::RemoteMailbox>(std::move(box));
  }
  if (protocol == "pop3") {
    RD_ASSIGN_OR_RETURN(std::unique_ptr<Pop3Mailbox> box, Pop3Mailbox::Open(config, options_));
    return std::unique_ptr<services::RemoteMailbox>(std::move(box));
  }
  return util::MakeError(util::ErrorCode::kInvalidArgument, "mailbox.config",
                         "unknown mailbox protocol \"" + config.protocol + "\" (imap or pop3)");
}

}  // namespace replydesk::channels
