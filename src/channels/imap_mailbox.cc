// IMAP client for mailbox polling: see imap_mailbox.h. Session states:
// connected (greeting read) -> [STARTTLS] -> authenticated (LOGIN) ->
// selected (SELECT/EXAMINE on first use) -> logged out (Close) or broken
// (any connection error: stream_ is dropped and every later call fails).
#include "channels/imap_mailbox.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>

namespace replydesk::channels {
namespace {

using services::AfterImport;
using services::FolderState;
using services::RemoteMessageRef;
using util::ErrorCode;
using util::MakeError;

bool Contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

void Wipe(std::string& secret) {
  OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

// Fills `reply` when `line` is the tagged completion "TAG OK text".
bool Tagged(const std::string& line, const std::string& tag, std::string& status,
            std::string& text) {
  if (!line.starts_with(tag + " ")) return false;
  size_t space = line.find(' ', tag.size() + 1);
  status = line.substr(tag.size() + 1, space == std::string::npos ? space : space - tag.size() - 1);
  text = space == std::string::npos ? "" : line.substr(space + 1);
  for (char& c : status) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return true;
}

std::vector<uint32_t> Uids(const std::vector<RemoteMessageRef>& refs) {
  std::vector<uint32_t> uids;
  for (const RemoteMessageRef& ref : refs) {
    uint32_t uid = ref.uid_number;
    if (uid == 0 && !ref.uid.empty())
      uid = static_cast<uint32_t>(std::strtoul(ref.uid.c_str(), nullptr, 10));
    if (uid != 0) uids.push_back(uid);
  }
  return uids;
}

}  // namespace

util::Result<std::unique_ptr<ImapMailbox>> ImapMailbox::Open(
    const services::RemoteMailboxConfig& config, const MailboxClientOptions& options) {
  if (config.after == AfterImport::kMove && config.move_to.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "mailbox.config",
                     "after-import action is move, but no folder to move to is set");
  }
  RD_ASSIGN_OR_RETURN(std::unique_ptr<TlsStream> stream,
                      OpenMailboxStream(config, options, 993, 143));
  std::unique_ptr<ImapMailbox> box(new ImapMailbox(config, std::move(stream)));
  util::Status status = box->Greet();
  if (status.ok() && config.tls == services::TlsMode::kStartTls) status = box->StartTls();
  if (status.ok()) status = box->Login();
  Wipe(box->config_.password);
  if (!status.ok()) return status.error();
  return box;
}

ImapMailbox::ImapMailbox(services::RemoteMailboxConfig config, std::unique_ptr<TlsStream> stream)
    : config_(std::move(config)), stream_(std::move(stream)), peer_(stream_->peer()) {}

std::string ImapMailbox::Who() const { return "user " + config_.user + " at " + peer_; }

util::Error ImapMailbox::Protocol(const std::string& what) const {
  return MakeError(ErrorCode::kInternal, "mailbox.protocol", "IMAP server " + peer_ + " " + what);
}

bool ImapMailbox::HasCapability(const std::string& name) const {
  return std::find(capabilities_.begin(), capabilities_.end(), name) != capabilities_.end();
}

void ImapMailbox::NoteCapabilities(const std::string& line) {
  std::vector<std::string> caps = imap::Capabilities(line);
  if (!caps.empty()) capabilities_ = std::move(caps);
}

util::Result<imap::Response> ImapMailbox::ReadResponse() {
  imap::Response response;
  RD_ASSIGN_OR_RETURN(std::string line, stream_->ReadLine());
  response.lines.push_back(std::move(line));
  while (auto size = imap::TrailingLiteral(response.lines.back())) {
    if (*size > kMaxLiteral)
      return Protocol("announced a literal of " + std::to_string(*size) + " bytes");
    response.literals.emplace_back();
    RD_RETURN_IF_ERROR(stream_->ReadExact(*size, response.literals.back()));
    RD_ASSIGN_OR_RETURN(std::string next, stream_->ReadLine());
    response.lines.push_back(std::move(next));
  }
  return response;
}

// Writes the command; a synchronizing literal waits for the server's "+".
// When the server answers the tag instead, `early` holds that reply.
util::Status ImapMailbox::Send(const imap::Command& command, const std::string& tag, Reply& early) {
  std::string out = tag + " ";
  for (size_t i = 0; i < command.pieces.size(); ++i) {
    if (i % 2 == 1) {  // literal bytes
      out += command.pieces[i];
      continue;
    }
    out += command.pieces[i] + "\r\n";
    if (i + 1 < command.pieces.size() && !command.non_synchronizing) {
      RD_RETURN_IF_ERROR(stream_->Write(out));
      out.clear();
      for (;;) {
        RD_ASSIGN_OR_RETURN(imap::Response r, ReadResponse());
        const std::string& line = r.lines.front();
        if (line.starts_with("+")) break;
        if (Tagged(line, tag, early.status, early.text)) return util::OkStatus();
        early.untagged.push_back(std::move(r));
      }
    }
  }
  return stream_->Write(out);
}

util::Result<ImapMailbox::Reply> ImapMailbox::Run(const imap::Command& command) {
  if (!stream_)
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "IMAP session with " + peer_ + " is closed");
  const std::string tag = "A" + std::to_string(next_tag_++);
  Reply reply;
  util::Status sent = Send(command, tag, reply);
  if (sent.ok() && !reply.status.empty()) return reply;
  for (; sent.ok();) {
    util::Result<imap::Response> r = ReadResponse();
    if (!r.ok()) {
      sent = r.error();
      break;
    }
    const std::string& line = r->lines.front();
    if (Tagged(line, tag, reply.status, reply.text)) {
      NoteCapabilities(reply.text);
      return reply;
    }
    if (line.starts_with("* ")) {
      NoteCapabilities(line);
      reply.untagged.push_back(std::move(r).value());
    } else {
      sent = Protocol("sent an unexpected line: " + line.substr(0, 200));
    }
  }
  stream_.reset();  // the session is out of step: drop it
  return sent.error();
}

util::Status ImapMailbox::RequireOk(const util::Result<Reply>& reply, const std::string& what) {
  if (!reply.ok()) return reply.error();
  if (reply->status == "OK") return util::OkStatus();
  if (Contains(reply->text, "[UNAVAILABLE]") || Contains(reply->text, "[INUSE]")) {
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     what + " failed for " + Who() + ", server busy: " + reply->text);
  }
  return Protocol("refused " + what + " for " + config_.user + ": " + reply->status + " " +
                  reply->text);
}

util::Status ImapMailbox::Greet() {
  RD_ASSIGN_OR_RETURN(imap::Response greeting, ReadResponse());
  const std::string& line = greeting.lines.front();
  if (line.starts_with("* BYE")) {
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "IMAP server " + peer_ + " refused the session: " + line.substr(2));
  }
  if (!line.starts_with("* OK") && !line.starts_with("* PREAUTH")) {
    return Protocol("sent a greeting that is not IMAP: " + line.substr(0, 200));
  }
  NoteCapabilities(line);
  if (capabilities_.empty()) RD_RETURN_IF_ERROR(RequireOk(Run("CAPABILITY"), "CAPABILITY"));
  return util::OkStatus();
}

util::Status ImapMailbox::StartTls() {
  if (!HasCapability("STARTTLS")) {
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "IMAP server " + peer_ + " does not offer STARTTLS");
  }
  RD_RETURN_IF_ERROR(RequireOk(Run("STARTTLS"), "STARTTLS"));
  util::Status tls = stream_->StartTls();
  if (!tls.ok()) {
    stream_.reset();
    return tls;
  }
  capabilities_.clear();  // what was said before TLS cannot be trusted (RFC 2595 §3.1)
  return RequireOk(Run("CAPABILITY"), "CAPABILITY");
}

util::Status ImapMailbox::Login() {
  util::Result<Reply> reply = MakeError(ErrorCode::kInternal, "", "");
  if (!HasCapability("LOGINDISABLED")) {
    imap::Command login;
    login.non_synchronizing = HasCapability("LITERAL+");
    login.Text("LOGIN ").String(config_.user).Text(" ").String(config_.password);
    reply = Run(login);
  } else if (HasCapability("AUTH=PLAIN") && HasCapability("SASL-IR")) {
    std::string plain = std::string(1, '\0') + config_.user + '\0' + config_.password;
    std::string line = "AUTHENTICATE PLAIN " + Base64(plain);
    Wipe(plain);
    reply = Run(line);
    Wipe(line);
  } else {
    return MakeError(ErrorCode::kPermissionDenied, "mailbox.auth",
                     "IMAP server " + peer_ + " offers no login we support (LOGINDISABLED)");
  }
  if (!reply.ok()) return reply.error();
  if (reply->status == "NO" && !Contains(reply->text, "[UNAVAILABLE]")) {
    return MakeError(ErrorCode::kPermissionDenied, "mailbox.auth",
                     "wrong password for " + Who() + " (server said: " + reply->text + ")");
  }
  RD_RETURN_IF_ERROR(RequireOk(reply, "login"));
  // The capabilities change at login (MOVE, UIDPLUS appear); Dovecot sends
  // the new list in the OK, others need asking.
  if (Contains(reply->text, "[CAPABILITY ")) return util::OkStatus();
  return RequireOk(Run("CAPABILITY"), "CAPABILITY");
}

util::Status ImapMailbox::Select() {
  imap::Command select;
  select.Text(config_.after == AfterImport::kKeep ? "EXAMINE " : "SELECT ")
      .String(imap::EncodeMailboxName(config_.folder));
  RD_ASSIGN_OR_RETURN(Reply reply, Run(select));
  if (reply.status == "NO" && !Contains(reply.text, "[SERVERBUG]") &&
      !Contains(reply.text, "[UNAVAILABLE]") && !Contains(reply.text, "[INUSE]")) {
    return MakeError(ErrorCode::kNotFound, "mailbox.folder",
                     "folder \"" + config_.folder + "\" cannot be opened for " + Who() +
                         " (server said: " + reply.text + ")");
  }
  RD_RETURN_IF_ERROR(RequireOk(reply, "SELECT"));
  std::optional<uint64_t> validity;
  exists_ = 0;
  for (const imap::Response& r : reply.untagged) {
    const std::string& line = r.lines.front();
    if (auto n = imap::ResponseCodeNumber(line, "UIDVALIDITY")) validity = n;
    if (auto n = imap::UntaggedNumber(line, "EXISTS")) exists_ = *n;
  }
  if (!validity || *validity == 0 || *validity > UINT32_MAX) {
    return Protocol("sent no UIDVALIDITY for folder \"" + config_.folder + "\"");
  }
  uid_validity_ = static_cast<uint32_t>(*validity);
  selected_ = true;
  return util::OkStatus();
}

util::Result<FolderState> ImapMailbox::List(uint32_t known_uid_validity, uint32_t after_uid) {
  RD_RETURN_IF_ERROR(Select());  // again on every List: EXISTS and UIDVALIDITY are fresh
  FolderState state;
  state.uid_validity = uid_validity_;
  const uint32_t after = known_uid_validity == uid_validity_ ? after_uid : 0;
  listed_.clear();
  listed_index_.clear();
  prefetched_.clear();
  if (exists_ > 0 && after < UINT32_MAX) {
    RD_ASSIGN_OR_RETURN(Reply reply,
                        Run("UID FETCH " + std::to_string(after + 1) + ":* (UID RFC822.SIZE)"));
    RD_RETURN_IF_ERROR(RequireOk(reply, "UID FETCH"));
    for (imap::Response& r : reply.untagged) {
      imap::FetchItems items = imap::ParseFetch(r);
      // "n:*" names the last message even when its UID is below n (RFC 9051 §6.4.8).
      if (!items.is_fetch || !items.uid || *items.uid <= after) continue;
      listed_.push_back({std::to_string(*items.uid), *items.uid, items.size.value_or(0)});
    }
  }
  std::sort(listed_.begin(), listed_.end(),
            [](const RemoteMessageRef& a, const RemoteMessageRef& b) {
              return a.uid_number < b.uid_number;
            });
  listed_.erase(std::unique(listed_.begin(), listed_.end(),
                            [](const RemoteMessageRef& a, const RemoteMessageRef& b) {
                              return a.uid_number == b.uid_number;
                            }),
                listed_.end());
  for (size_t i = 0; i < listed_.size(); ++i) listed_index_[listed_[i].uid_number] = i;
  state.messages = listed_;
  return state;
}

util::Status ImapMailbox::FetchWindow(uint32_t uid, const RemoteMessageRef& ref) {
  std::vector<uint32_t> window{uid};
  int64_t bytes = ref.size;
  if (auto at = listed_index_.find(uid); at != listed_index_.end()) {
    for (size_t i = at->second + 1; i < listed_.size(); ++i) {
      if (window.size() >= static_cast<size_t>(kPrefetchMessages) ||
          bytes + listed_[i].size > kPrefetchBytes)
        break;
      window.push_back(listed_[i].uid_number);
      bytes += listed_[i].size;
    }
  }
  prefetched_.clear();
  for (const std::string& set : imap::UidSets(window)) {
    RD_ASSIGN_OR_RETURN(Reply reply, Run("UID FETCH " + set + " (UID BODY.PEEK[])"));
    RD_RETURN_IF_ERROR(RequireOk(reply, "UID FETCH"));
    for (imap::Response& r : reply.untagged) {
      imap::FetchItems items = imap::ParseFetch(r);
      if (items.is_fetch && items.uid && items.body)
        prefetched_[*items.uid] = std::move(*items.body);
    }
  }
  return util::OkStatus();
}

util::Result<std::string> ImapMailbox::Fetch(const RemoteMessageRef& ref) {
  if (!selected_) RD_RETURN_IF_ERROR(Select());
  std::vector<uint32_t> uid = Uids({ref});
  if (uid.empty())
    return MakeError(ErrorCode::kInvalidArgument, "mailbox.config", "not an IMAP UID: " + ref.uid);
  auto found = prefetched_.find(uid[0]);
  if (found == prefetched_.end()) {
    RD_RETURN_IF_ERROR(FetchWindow(uid[0], ref));
    found = prefetched_.find(uid[0]);
  }
  if (found == prefetched_.end()) {
    return MakeError(ErrorCode::kNotFound, "mailbox.gone",
                     "message UID " + std::to_string(uid[0]) + " is no longer in \"" +
                         config_.folder + "\" for " + Who());
  }
  std::string raw = std::move(found->second);
  prefetched_.erase(found);
  return raw;
}

util::Status ImapMailbox::Store(const std::vector<std::string>& sets, const std::string& flag) {
  for (const std::string& set : sets) {
    RD_RETURN_IF_ERROR(
        RequireOk(Run("UID STORE " + set + " +FLAGS.SILENT (" + flag + ")"), "UID STORE"));
  }
  return util::OkStatus();
}

util::Status ImapMailbox::Expunge(const std::vector<std::string>& sets) {
  if (!HasCapability("UIDPLUS")) {
    // Plain EXPUNGE also removes messages others marked \Deleted: the best an
    // old server allows.
    return RequireOk(Run("EXPUNGE"), "EXPUNGE");
  }
  for (const std::string& set : sets)
    RD_RETURN_IF_ERROR(RequireOk(Run("UID EXPUNGE " + set), "UID EXPUNGE"));
  return util::OkStatus();
}

util::Status ImapMailbox::MoveTo(const std::vector<std::string>& sets) {
  const bool move = HasCapability("MOVE");
  for (const std::string& set : sets) {
    imap::Command command;
    command.Text(std::string(move ? "UID MOVE " : "UID COPY ") + set + " ")
        .String(imap::EncodeMailboxName(config_.move_to));
    RD_ASSIGN_OR_RETURN(Reply reply, Run(command));
    if (reply.status == "NO" && Contains(reply.text, "[TRYCREATE]")) {
      return MakeError(ErrorCode::kNotFound, "mailbox.folder",
                       "folder \"" + config_.move_to +
                           "\" to move imported mail to does not exist for " + Who());
    }
    RD_RETURN_IF_ERROR(RequireOk(reply, move ? "UID MOVE" : "UID COPY"));
  }
  if (move) return util::OkStatus();
  RD_RETURN_IF_ERROR(Store(sets, "\\Deleted"));
  return Expunge(sets);
}

util::Status ImapMailbox::Dispose(const std::vector<RemoteMessageRef>& refs) {
  if (config_.after == AfterImport::kKeep || refs.empty()) return util::OkStatus();
  if (!selected_) RD_RETURN_IF_ERROR(Select());
  std::vector<uint32_t> uids = Uids(refs);
  for (uint32_t uid : uids) prefetched_.erase(uid);
  const std::vector<std::string> sets = imap::UidSets(uids);
  switch (config_.after) {
    case AfterImport::kMarkSeen:
      return Store(sets, "\\Seen");
    case AfterImport::kMove:
      return MoveTo(sets);
    case AfterImport::kDelete:
      RD_RETURN_IF_ERROR(Store(sets, "\\Deleted"));
      return Expunge(sets);
    case AfterImport::kKeep:
      break;
  }
  return util::OkStatus();
}

// RFC 2177: "IDLE", the server's "+", untagged updates until we send "DONE",
// then the tagged reply. New mail shows as "* n EXISTS" above the count we
// know; "* n EXPUNGE" lowers that count, so an expunge plus an arrival still
// counts as news.
util::Result<bool> ImapMailbox::WaitForNews(int max_seconds, const std::atomic<bool>* stop) {
  if (!stream_)
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "IMAP session with " + peer_ + " is closed");
  if (!selected_) RD_RETURN_IF_ERROR(Select());
  uint64_t count = exists_;
  bool news = false;
  auto note = [&](const std::string& line) {
    if (auto n = imap::UntaggedNumber(line, "EXISTS")) {
      news = news || *n > count;
      count = *n;
    } else if (imap::UntaggedNumber(line, "EXPUNGE") && count > 0) {
      --count;
    }
  };
  const std::string tag = "A" + std::to_string(next_tag_++);
  std::string status, text;
  util::Status st = stream_->Write(tag + " IDLE\r\n");
  bool idling = false;  // the server's "+" seen
  bool ended = false;   // the tagged reply seen
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(max_seconds);
  while (st.ok() && !ended) {
    if (idling && (news || (stop && *stop) || std::chrono::steady_clock::now() >= deadline)) {
      st = stream_->Write("DONE\r\n");
      idling = false;
      continue;
    }
    if (idling) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      util::Result<bool> readable =
          stream_->WaitReadable(static_cast<int>(std::clamp<int64_t>(left.count(), 0, 500)));
      if (!readable.ok()) st = readable.error();
      if (!readable.ok() || !*readable) continue;
    }
    util::Result<imap::Response> r = ReadResponse();
    if (!r.ok()) {
      st = r.error();
      break;
    }
    const std::string& line = r->lines.front();
    if (line.starts_with("+")) {
      idling = true;
    } else if (Tagged(line, tag, status, text)) {
      ended = true;
      if (status != "OK") st = Protocol("refused IDLE: " + status + " " + text);
    } else if (line.starts_with("* BYE")) {
      st = MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "IMAP server " + peer_ + " ended the session: " + line.substr(2));
    } else {
      note(line);
    }
  }
  if (!st.ok()) {
    stream_.reset();  // out of step: the session is unusable
    return st.error();
  }
  exists_ = count;
  return news;
}

util::Status ImapMailbox::Close() {
  if (!stream_) return util::OkStatus();
  util::Result<Reply> reply = Run("LOGOUT");
  stream_.reset();
  // A server that closes right after "* BYE" has still logged us out.
  if (!reply.ok() && reply.error().detail == "mailbox.connect") return util::OkStatus();
  return RequireOk(reply, "LOGOUT");
}

}  // namespace replydesk::channels
