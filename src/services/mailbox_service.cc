// Mailbox account administration: see mailbox_service.h.
#include "services/mailbox_service.h"

#include <cctype>
#include <set>

#include "domain/address.h"
#include "services/mailbox_poller.h"

namespace replydesk::services {

using After = domain::AfterImport;
using domain::MailboxAccount;
using domain::MailProtocol;
using util::ErrorCode;
using util::MakeError;

namespace {

util::Error Invalid(const std::string& message) {
  return MakeError(ErrorCode::kInvalidArgument, "mailbox.invalid", message);
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.' && c != '@') return false;
  }
  return true;
}

}  // namespace

MailboxService::MailboxService(store::Store& store, const util::Clock& clock,
                               const util::SecretBox* key, RemoteMailboxFactory* factory)
    : store_(store), clock_(clock), key_(key), factory_(factory) {}

util::Status MailboxService::Validate(const NewMailbox& m) const {
  if (!ValidName(m.name)) {
    return Invalid("name '" + m.name + "': 1-64 letters, digits and - _ . @");
  }
  if (m.host.empty() || m.host.find_first_of(" \t\r\n/") != std::string::npos) {
    return Invalid("host '" + m.host + "'");
  }
  if (m.port < 0 || m.port > 65535) return Invalid("port " + std::to_string(m.port));
  if (m.tls == domain::MailboxTls::kNone && !domain::IsLoopbackHost(m.host)) {
    // A password in clear over a network: refused. Loopback is for local
    // servers and tests.
    return MakeError(ErrorCode::kInvalidArgument, "mailbox.tls_required",
                     "--tls none is allowed only for a loopback host (127.0.0.1, ::1, "
                     "localhost), not '" +
                         m.host + "'");
  }
  if (m.user.empty()) return Invalid("user is empty");
  if (m.password.empty()) return Invalid("password is empty");
  if (m.poll_interval_seconds < 1 || m.poll_interval_seconds > 86400) {
    return Invalid("interval " + std::to_string(m.poll_interval_seconds) +
                   " s: between 1 and 86400");
  }
  const After after = m.after_import.value_or(After::kKeep);
  if (m.protocol == MailProtocol::kPop3) {
    if (after == After::kMove || after == After::kMarkSeen) {
      return Invalid("POP3 has no flags or folders: --after delete or keep");
    }
    if (m.folder != "INBOX" && !m.folder.empty()) return Invalid("POP3 has no folders");
  } else {
    if (m.folder.empty()) return Invalid("folder is empty");
    if (after == After::kMove && (m.move_to.empty() || m.move_to == m.folder)) {
      return Invalid("--after move:FOLDER needs a folder other than " + m.folder);
    }
  }
  return util::OkStatus();
}

util::Result<MailboxAccount> MailboxService::Add(const NewMailbox& m) {
  RD_RETURN_IF_ERROR(Validate(m));
  if (key_ == nullptr) {
    return MakeError(ErrorCode::kPermissionDenied, "mailbox.no_key",
                     "no server key to encrypt the mailbox password (--secret-key-file)");
  }
  MailboxAccount a;
  a.name = m.name;
  a.protocol = m.protocol;
  a.host = m.host;
  a.port = m.port;
  a.tls = m.tls;
  a.user = m.user;
  a.password_encrypted = key_->Seal(m.password);
  a.folder = m.protocol == MailProtocol::kPop3 ? "INBOX" : m.folder;
  a.poll_interval_seconds = m.poll_interval_seconds;
  a.after_import =
      m.after_import.value_or(m.protocol == MailProtocol::kImap ? After::kMarkSeen : After::kKeep);
  a.move_to = a.after_import == After::kMove ? m.move_to : "";
  a.created_at = a.next_poll_at = clock_.Now();
  const std::string address = domain::NormalizeAddress(m.channel_address);
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto channel, tx.FindChannelByAddress(address));
    if (!channel) {
      return MakeError(ErrorCode::kNotFound, "mailbox.no_channel",
                       "no channel '" + m.channel_address + "' (replydesk channel add)");
    }
    a.channel_id = channel->id;
    RD_ASSIGN_OR_RETURN(auto existing, tx.FindMailboxByName(a.name));
    if (existing) {
      return MakeError(ErrorCode::kAlreadyExists, "mailbox.exists", "mailbox '" + a.name + "'");
    }
    RD_ASSIGN_OR_RETURN(a, tx.CreateMailbox(a));
    return util::OkStatus();
  }));
  a.password_encrypted.clear();
  return a;
}

util::Result<std::vector<MailboxAccount>> MailboxService::List() {
  std::vector<MailboxAccount> out;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(out, tx.ListMailboxes());
    return util::OkStatus();
  }));
  for (auto& a : out) a.password_encrypted.clear();
  return out;
}

util::Result<MailboxAccount> MailboxService::Find(const std::string& name) {
  std::optional<MailboxAccount> found;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(found, tx.FindMailboxByName(name));
    return util::OkStatus();
  }));
  if (!found)
    return MakeError(ErrorCode::kNotFound, "mailbox.not_found", "no mailbox '" + name + "'");
  return *found;
}

util::Result<MailboxAccount> MailboxService::Get(const std::string& name) {
  RD_ASSIGN_OR_RETURN(MailboxAccount a, Find(name));
  a.password_encrypted.clear();
  return a;
}

util::Status MailboxService::Remove(const std::string& name) {
  RD_ASSIGN_OR_RETURN(MailboxAccount a, Find(name));
  return store_.Transact([&](store::Tx& tx) -> util::Status { return tx.DeleteMailbox(a.id); });
}

util::Result<MailboxTestResult> MailboxService::Test(const std::string& name) {
  if (factory_ == nullptr) {
    return MakeError(ErrorCode::kInternal, "mailbox.no_factory", "no IMAP/POP3 client");
  }
  RD_ASSIGN_OR_RETURN(MailboxAccount a, Find(name));
  RD_ASSIGN_OR_RETURN(RemoteMailboxConfig config, MailboxPoller::MakeConfig(a, key_));
  RD_ASSIGN_OR_RETURN(auto session, factory_->Open(config));
  const bool imap = a.protocol == MailProtocol::kImap;
  RD_ASSIGN_OR_RETURN(FolderState state,
                      session->List(imap ? static_cast<uint32_t>(a.uid_validity) : 0,
                                    imap ? static_cast<uint32_t>(a.last_uid) : 0));
  MailboxTestResult r;
  r.uid_validity = state.uid_validity;
  r.new_messages = static_cast<int64_t>(state.messages.size());
  if (!imap) {
    std::vector<std::string> known;
    RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
      RD_ASSIGN_OR_RETURN(known, tx.ListMailboxUidls(a.id));
      return util::OkStatus();
    }));
    const std::set<std::string> seen(known.begin(), known.end());
    r.new_messages = 0;
    for (const auto& ref : state.messages) r.new_messages += seen.count(ref.uid) ? 0 : 1;
  }
  // Nothing was disposed: the POP3 QUIT or IMAP LOGOUT changes nothing.
  RD_RETURN_IF_ERROR(session->Close());
  return r;
}

}  // namespace replydesk::services
