// The ingest hand-off: protocol and client side (see handoff.h).
#include "app/handoff.h"

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "util/sha256.h"

namespace replydesk::app {
namespace {

constexpr std::string_view kMagic = "ingest 1";

bool Frameable(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) == v.npos;
}

// Milliseconds left until `deadline`, at least 0.
int MsLeft(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Writes all of `data`; false when the peer went away or time ran out.
bool WriteAll(int fd, std::string_view data, std::chrono::steady_clock::time_point deadline) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return false;
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, MsLeft(deadline)) <= 0) return false;
  }
  return true;
}

}  // namespace

std::optional<size_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  return v;
}

std::vector<std::string> IngestEnvelope::RoutingRecipients() const {
  std::vector<std::string> out;
  if (!channel.empty()) out.push_back(channel);
  out.insert(out.end(), recipients.begin(), recipients.end());
  return out;
}

std::optional<std::string> ServeSocketName(const std::string& db_url) {
  std::string key;
  if (db_url.rfind("postgres", 0) == 0) {
    key = db_url;
  } else {
    char* real = realpath(db_url.c_str(), nullptr);
    if (real == nullptr) return std::nullopt;
    key = real;
    free(real);
  }
  return "replydesk-serve/" + util::Sha256Hex(key).substr(0, 40);
}

socklen_t AbstractAddress(const std::string& name, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  std::memcpy(addr->sun_path + 1, name.data(), name.size());
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
}

bool PeerTrusted(uid_t peer_uid) { return peer_uid == geteuid() || peer_uid == 0; }

util::Error TooLarge(size_t limit) {
  return util::MakeError(util::ErrorCode::kResourceExhausted, "inbound.too_large",
                         "message over " + std::to_string(limit) + " bytes");
}

int IngestExitCode(const util::Error& e) {
  return e.detail == "inbound.too_large" ? kExDataErr : kExTempFail;
}

util::Result<std::string> ReadMessage(int fd, size_t limit) {
  std::string data;
  char buf[1 << 16];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return util::MakeError(util::ErrorCode::kUnavailable, "ingest.read", strerror(errno));
    }
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > limit) return TooLarge(limit);
  }
  return data;
}

std::optional<std::string> EncodeRequestHeader(const IngestEnvelope& envelope, size_t size) {
  std::string out(kMagic);
  out += '\n';
  if (!envelope.sender.empty()) {
    if (!Frameable(envelope.sender)) return std::nullopt;
    out += "sender " + envelope.sender + "\n";
  }
  for (const std::string& r : envelope.RoutingRecipients()) {
    if (!Frameable(r)) return std::nullopt;
    out += "recipient " + r + "\n";
  }
  out += "size " + std::to_string(size) + "\n\n";
  return out;
}

util::Result<RequestHeader> ParseRequestHeader(std::string_view header) {
  auto bad = [](std::string why) {
    return util::MakeError(util::ErrorCode::kInvalidArgument, "handoff.bad_request",
                           std::move(why));
  };
  RequestHeader out;
  bool sized = false;
  size_t line_no = 0;
  while (!header.empty()) {
    size_t nl = header.find('\n');
    std::string_view line = header.substr(0, nl);
    header.remove_prefix(nl == header.npos ? header.size() : nl + 1);
    if (line_no++ == 0) {
      if (line != kMagic) return bad("not an ingest hand-off");
      continue;
    }
    size_t sp = line.find(' ');
    std::string_view key = line.substr(0, sp);
    std::string_view value = sp == line.npos ? std::string_view() : line.substr(sp + 1);
    if (key == "sender") {
      out.envelope.sender = value;
    } else if (key == "recipient") {
      out.envelope.recipients.emplace_back(value);
    } else if (key == "size") {
      auto n = ParseDecimal(value);
      if (!n) return bad("bad size");
      out.size = *n;
      sized = true;
    } else {
      return bad("unknown field " + std::string(key));
    }
  }
  if (line_no == 0) return bad("empty request");
  if (!sized) return bad("no size");
  return out;
}

std::string EncodeReply(const HandoffReply& reply) {
  std::string text = reply.text;
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return std::to_string(reply.code) + " " + text + "\n";
}

std::optional<HandoffReply> ParseReply(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  size_t sp = line.find(' ');
  auto code = ParseDecimal(line.substr(0, sp));
  if (!code || *code > 255) return std::nullopt;
  HandoffReply r;
  r.code = static_cast<int>(*code);
  if (sp != line.npos) r.text = line.substr(sp + 1);
  return r;
}

int ConnectServe(const std::string& name) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr;
  socklen_t len = AbstractAddress(name, &addr);
  ucred cred{};
  socklen_t cred_len = sizeof cred;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||  // ECONNREFUSED: no serve
      getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) != 0 || !PeerTrusted(cred.uid)) {
    close(fd);
    return -1;
  }
  return fd;
}

std::optional<HandoffReply> HandOff(int fd, const IngestEnvelope& envelope,
                                    std::string_view message, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::optional<std::string> header = EncodeRequestHeader(envelope, message.size());
  if (!header) return close(fd), std::nullopt;
  // A refusal or an early "too large" closes the socket under our writes:
  // the reply, if any, is already waiting to be read.
  if (WriteAll(fd, *header, deadline)) WriteAll(fd, message, deadline);
  std::string line;
  char buf[512];
  bool timed_out = false;
  while (line.find('\n') == std::string::npos && line.size() < 4096) {
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, MsLeft(deadline));
    if (ready == 0) timed_out = true;
    if (ready <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // closed without (a whole) reply
    line.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (line.find('\n') != std::string::npos) return ParseReply(line);
  // serve holds the message and may still commit it; the MTA retries and a
  // redelivery is recognised as a duplicate.
  if (timed_out)
    return HandoffReply{kExTempFail,
                        "serve did not answer in " + std::to_string(timeout_ms / 1000) + " s"};
  return std::nullopt;
}

}  // namespace replydesk::app
