// Administration of mailbox accounts (docs/mailboxes.md): add with
// validation, list without passwords, remove, and test a connection.
//
// Passwords are encrypted with the server key (util/secret_box) before they
// reach the store and are never returned: List clears password_encrypted.
//
// Thread safety: one MailboxService per thread (it uses one Store).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/mailbox_account.h"
#include "services/ports/remote_mailbox.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/secret_box.h"

namespace replydesk::services {

struct NewMailbox {
  std::string name;
  std::string channel_address;  // an existing channel
  domain::MailProtocol protocol = domain::MailProtocol::kImap;
  std::string host;
  int port = 0;  // 0: the protocol's default for the TLS mode
  domain::MailboxTls tls = domain::MailboxTls::kTls;
  std::string user;
  std::string password;
  std::string folder = "INBOX";
  int poll_interval_seconds = 60;
  // nullopt: "seen" for IMAP, "keep" for POP3.
  std::optional<domain::AfterImport> after_import;
  std::string move_to;  // for kMove
};

struct MailboxTestResult {
  int64_t new_messages = 0;  // what the next poll would import (before dedup)
  uint32_t uid_validity = 0;
};

class MailboxService {
 public:
  // `key` may be nullptr for List and Remove; Add and Test need it
  // (kPermissionDenied "mailbox.no_key"). `factory` is used by Test only.
  MailboxService(store::Store& store, const util::Clock& clock, const util::SecretBox* key,
                 RemoteMailboxFactory* factory = nullptr);

  // Validates and stores the account, due for its first poll at once.
  // kInvalidArgument "mailbox.invalid" (the message says what),
  // "mailbox.tls_required" (tls none for a host that is not loopback);
  // kNotFound "mailbox.no_channel"; kAlreadyExists "mailbox.exists".
  util::Result<domain::MailboxAccount> Add(const NewMailbox& m);
  // By name, passwords cleared.
  util::Result<std::vector<domain::MailboxAccount>> List();
  // kNotFound "mailbox.not_found".
  util::Result<domain::MailboxAccount> Get(const std::string& name);  // password cleared
  util::Status Remove(const std::string& name);
  // Connects, logs in, lists the folder and logs out; changes nothing on the
  // server or in the store. Errors: the port's (mailbox.connect, .auth,
  // .folder, .protocol) and "mailbox.decrypt".
  util::Result<MailboxTestResult> Test(const std::string& name);

 private:
  util::Status Validate(const NewMailbox& m) const;
  util::Result<domain::MailboxAccount> Find(const std::string& name);

  store::Store& store_;
  const util::Clock& clock_;
  const util::SecretBox* key_;
  RemoteMailboxFactory* factory_;
};

}  // namespace replydesk::services
