// POP3 client for mailbox polling: see pop3_mailbox.h. Session states
// (RFC 1939 §3): AUTHORIZATION (greeting, CAPA, STLS, USER/PASS) ->
// TRANSACTION (UIDL, LIST, RETR, DELE) -> UPDATE (QUIT commits the DELEs).
#include "channels/pop3_mailbox.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <sstream>

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

// RFC 2449 §8.1 / RFC 3206: the mailbox is locked or the server has a problem.
bool IsTemporary(const std::string& text) {
  return Contains(text, "[IN-USE]") || Contains(text, "[SYS/TEMP]");
}

void Wipe(std::string& secret) {
  OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

std::string StripEol(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

// "3 000000010000001e" or "3 1204" -> number and rest; false when malformed.
bool NumberAndWord(const std::string& line, int& number, std::string& word) {
  std::istringstream in(line);
  return static_cast<bool>(in >> number >> word) && number > 0;
}

// DELEs in one pipelined burst: small enough that our commands fit the
// socket buffers while the server's replies wait to be read.
constexpr size_t kPipelineDepth = 64;

}  // namespace

util::Result<std::unique_ptr<Pop3Mailbox>> Pop3Mailbox::Open(
    const services::RemoteMailboxConfig& config, const MailboxClientOptions& options) {
  if (config.password.find_first_of("\r\n") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "mailbox.config",
                     "POP3 password for " + config.user + " holds a line break");
  }
  RD_ASSIGN_OR_RETURN(std::unique_ptr<TlsStream> stream,
                      OpenMailboxStream(config, options, 995, 110));
  std::unique_ptr<Pop3Mailbox> box(new Pop3Mailbox(config, std::move(stream)));
  util::Status status = box->Greet();
  if (status.ok()) status = box->ReadCapabilities();
  if (status.ok() && config.tls == services::TlsMode::kStartTls) status = box->StartTls();
  if (status.ok()) status = box->Login();
  Wipe(box->config_.password);
  if (!status.ok()) return status.error();
  return box;
}

Pop3Mailbox::Pop3Mailbox(services::RemoteMailboxConfig config, std::unique_ptr<TlsStream> stream)
    : config_(std::move(config)), stream_(std::move(stream)), peer_(stream_->peer()) {}

std::string Pop3Mailbox::Who() const { return "user " + config_.user + " at " + peer_; }

util::Error Pop3Mailbox::Protocol(const std::string& what) const {
  return MakeError(ErrorCode::kInternal, "mailbox.protocol", "POP3 server " + peer_ + " " + what);
}

util::Error Pop3Mailbox::Broken(util::Error error) {
  stream_.reset();
  return error;
}

bool Pop3Mailbox::HasCapability(const std::string& name) const {
  return std::find(capabilities_.begin(), capabilities_.end(), name) != capabilities_.end();
}

util::Result<std::string> Pop3Mailbox::Exchange(const std::string& line, bool& negative) {
  if (!stream_) {
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "POP3 session with " + peer_ + " is closed");
  }
  if (!line.empty()) {
    if (util::Status s = stream_->Write(line + "\r\n"); !s.ok()) return Broken(s.error());
  }
  util::Result<std::string> reply = stream_->ReadLine();
  if (!reply.ok()) return Broken(reply.error());
  negative = reply->starts_with("-ERR");
  if (!negative && !reply->starts_with("+OK")) {
    return Broken(Protocol("sent an unexpected line: " + reply->substr(0, 200)));
  }
  return reply->substr(std::min<size_t>(reply->size(), negative ? 5 : 4));
}

util::Result<std::string> Pop3Mailbox::Command(const std::string& line, const std::string& what) {
  bool negative = false;
  RD_ASSIGN_OR_RETURN(std::string text, Exchange(line, negative));
  if (negative) return Protocol("refused " + what + " for " + config_.user + ": " + text);
  return text;
}

util::Result<std::string> Pop3Mailbox::ReadMultiLine(size_t limit) {
  std::string out;
  for (;;) {
    util::Result<std::string> line = stream_->ReadRawLine();
    if (!line.ok()) return Broken(line.error());
    if (*line == ".\r\n" || *line == ".\n") return out;
    // Dot-unstuffing (RFC 1939 §3): a line the server began with "." had one added.
    out.append(*line, line->starts_with(".") ? 1 : 0);
    if (out.size() > limit)
      return Broken(Protocol("sent a response of over " + std::to_string(limit) + " bytes"));
  }
}

util::Status Pop3Mailbox::Greet() {
  bool negative = false;
  RD_ASSIGN_OR_RETURN(std::string text, Exchange("", negative));
  if (negative) {
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "POP3 server " + peer_ + " refused the session: " + text);
  }
  return util::OkStatus();
}

util::Status Pop3Mailbox::ReadCapabilities() {
  capabilities_.clear();
  bool negative = false;
  RD_ASSIGN_OR_RETURN(std::string text, Exchange("CAPA", negative));
  if (negative) return util::OkStatus();  // an RFC 1939-only server
  RD_ASSIGN_OR_RETURN(std::string list, ReadMultiLine(1 << 20));
  std::istringstream lines(list);
  for (std::string line; std::getline(lines, line);) {
    line = StripEol(line);
    std::string word = line.substr(0, line.find(' '));
    for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!word.empty()) capabilities_.push_back(word);
  }
  return util::OkStatus();
}

util::Status Pop3Mailbox::StartTls() {
  if (!HasCapability("STLS")) {
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "POP3 server " + peer_ + " does not offer STLS");
  }
  RD_RETURN_IF_ERROR(Command("STLS", "STLS"));
  if (util::Status tls = stream_->StartTls(); !tls.ok()) return Broken(tls.error());
  return ReadCapabilities();  // what was said before TLS cannot be trusted (RFC 2595 §4)
}

util::Status Pop3Mailbox::Login() {
  bool negative = false;
  RD_ASSIGN_OR_RETURN(std::string text, Exchange("USER " + config_.user, negative));
  const bool user_refused = negative;
  if (!negative) {
    std::string pass = "PASS " + config_.password;
    util::Result<std::string> reply = Exchange(pass, negative);
    Wipe(pass);
    if (!reply.ok()) return reply.error();
    text = *reply;
  }
  if (!negative) return util::OkStatus();
  if (IsTemporary(text)) {
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "POP3 login for " + Who() + " failed for now (server said: " + text + ")");
  }
  return MakeError(ErrorCode::kPermissionDenied, "mailbox.auth",
                   (user_refused ? "login refused for " : "wrong password for ") + Who() +
                       " (server said: " + text + ")");
}

util::Result<FolderState> Pop3Mailbox::List(uint32_t, uint32_t) {
  bool negative = false;
  RD_ASSIGN_OR_RETURN(std::string text, Exchange("UIDL", negative));
  if (negative && IsTemporary(text)) {
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "POP3 server " + peer_ + " cannot list messages for now: " + text);
  }
  if (negative) return Protocol("does not support UIDL, so messages cannot be told apart: " + text);
  RD_ASSIGN_OR_RETURN(std::string uidls, ReadMultiLine(64 << 20));
  RD_RETURN_IF_ERROR(Command("LIST", "LIST"));
  RD_ASSIGN_OR_RETURN(std::string sizes, ReadMultiLine(64 << 20));
  std::map<int, int64_t> size_by_number;
  std::istringstream size_lines(sizes);
  for (std::string line; std::getline(size_lines, line);) {
    int number = 0;
    std::string size;
    if (NumberAndWord(line, number, size))
      size_by_number[number] = std::strtoll(size.c_str(), nullptr, 10);
  }
  FolderState state;
  number_by_uidl_.clear();
  std::istringstream uidl_lines(uidls);
  for (std::string line; std::getline(uidl_lines, line);) {
    int number = 0;
    std::string uidl;
    if (!NumberAndWord(StripEol(line), number, uidl))
      return Protocol("sent a bad UIDL line: " + line.substr(0, 200));
    number_by_uidl_[uidl] = number;
    state.messages.push_back({uidl, 0, size_by_number[number]});
  }
  return state;
}

util::Result<int> Pop3Mailbox::Number(const RemoteMessageRef& ref) const {
  auto found = number_by_uidl_.find(ref.uid);
  if (found == number_by_uidl_.end()) {
    return MakeError(ErrorCode::kNotFound, "mailbox.gone",
                     "message " + ref.uid + " was not listed in this session for " + Who());
  }
  return found->second;
}

util::Result<std::string> Pop3Mailbox::Fetch(const RemoteMessageRef& ref) {
  RD_ASSIGN_OR_RETURN(int number, Number(ref));
  RD_RETURN_IF_ERROR(Command("RETR " + std::to_string(number), "RETR"));
  return ReadMultiLine(kMaxMessage);
}

util::Status Pop3Mailbox::Dispose(const std::vector<RemoteMessageRef>& refs) {
  if (config_.after != AfterImport::kDelete) return util::OkStatus();
  std::vector<int> numbers;
  for (const RemoteMessageRef& ref : refs) {
    RD_ASSIGN_OR_RETURN(int number, Number(ref));
    numbers.push_back(number);
  }
  const size_t depth = HasCapability("PIPELINING") ? kPipelineDepth : 1;
  for (size_t begin = 0; begin < numbers.size(); begin += depth) {
    const size_t end = std::min(numbers.size(), begin + depth);
    std::string burst;
    for (size_t i = begin; i < end; ++i) burst += "DELE " + std::to_string(numbers[i]) + "\r\n";
    if (!stream_) {
      return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                       "POP3 session with " + peer_ + " is closed");
    }
    if (util::Status s = stream_->Write(burst); !s.ok()) return Broken(s.error());
    // Read every reply of the burst, so the session stays in step after a -ERR.
    std::optional<util::Error> first;
    for (size_t i = begin; i < end; ++i) {
      util::Result<std::string> reply = Command("", "DELE " + std::to_string(numbers[i]));
      if (reply.ok()) ++pending_deletes_;
      if (!reply.ok() && !first) first = reply.error();
      if (!stream_) break;
    }
    if (first) return *first;
  }
  return util::OkStatus();
}

util::Status Pop3Mailbox::Close() {
  if (!stream_ && pending_deletes_ > 0) {
    const size_t lost = pending_deletes_;
    pending_deletes_ = 0;
    return MakeError(ErrorCode::kUnavailable, "mailbox.connect",
                     "POP3 session with " + peer_ + " ended before QUIT: " + std::to_string(lost) +
                         " deletions were not committed");
  }
  pending_deletes_ = 0;
  if (!stream_) return util::OkStatus();
  util::Result<std::string> reply = Command("QUIT", "QUIT (deleting the imported messages)");
  stream_.reset();
  if (!reply.ok()) return reply.error();
  return util::OkStatus();
}

}  // namespace replydesk::channels
