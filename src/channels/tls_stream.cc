// TCP + optional TLS client stream: see tls_stream.h. The socket is
// non-blocking; every wait is a poll() bounded by the timeout, so a server
// that stops answering mid-literal cannot hang a poller.
#include "channels/tls_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace replydesk::channels {
namespace {

using util::ErrorCode;
using util::MakeError;

util::Error ConnectError(const std::string& message) {
  return MakeError(ErrorCode::kUnavailable, "mailbox.connect", message);
}

std::string OpensslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out;
}

// OpenSSL writes with write(2), which raises SIGPIPE on a socket the peer has
// closed, and nothing in replydesk ignores SIGPIPE: block it in the calling
// thread for the call and swallow one raised meanwhile (send() has MSG_NOSIGNAL).
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec zero{};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
};

bool IsIpAddress(const std::string& host) {
  in6_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

// Waits for a non-blocking connect() to finish; returns 0 or an errno.
int FinishConnect(int fd, int timeout_ms) {
  pollfd p{fd, POLLOUT, 0};
  int n = poll(&p, 1, timeout_ms);
  if (n == 0) return ETIMEDOUT;
  if (n < 0) return errno;
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr v4{};
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

util::Result<std::unique_ptr<TlsStream>> OpenMailboxStream(
    const services::RemoteMailboxConfig& config, const MailboxClientOptions& options,
    int implicit_tls_port, int plain_port) {
  using services::TlsMode;
  if (config.tls == TlsMode::kNone && !IsLoopbackHost(config.host)) {
    return MakeError(ErrorCode::kInvalidArgument, "mailbox.insecure",
                     "refusing to send the password for " + config.user + " to " + config.host +
                         " without TLS (plaintext is allowed for loopback hosts only)");
  }
  if (config.user.find_first_of("\r\n") != std::string::npos ||
      config.host.find_first_of("\r\n/ ") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "mailbox.config",
                     "user or host name holds a line break or space");
  }
  StreamOptions stream;
  stream.host = config.host;
  stream.port = config.port != 0 ? config.port
                                 : (config.tls == TlsMode::kTls ? implicit_tls_port : plain_port);
  stream.timeout_seconds = config.timeout_seconds > 0 ? config.timeout_seconds : 30;
  stream.ca_file = options.ca_file;
  RD_ASSIGN_OR_RETURN(std::unique_ptr<TlsStream> s, TlsStream::Connect(stream));
  if (config.tls == TlsMode::kTls) RD_RETURN_IF_ERROR(s->StartTls());
  return s;
}

util::Result<std::unique_ptr<TlsStream>> TlsStream::Connect(const StreamOptions& options) {
  const std::string peer = options.host + ":" + std::to_string(options.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  // Name resolution is not bounded by the timeout (getaddrinfo has none).
  int rc = getaddrinfo(options.host.c_str(), std::to_string(options.port).c_str(), &hints, &found);
  if (rc != 0) return ConnectError("cannot resolve " + options.host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
  std::string reason = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      reason = std::strerror(errno);
      continue;
    }
    int err = connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
    if (err == EINPROGRESS) err = FinishConnect(fd, options.timeout_seconds * 1000);
    if (err == 0) return std::unique_ptr<TlsStream>(new TlsStream(fd, options));
    reason = err == ETIMEDOUT ? "timed out after " + std::to_string(options.timeout_seconds) + " s"
                              : std::strerror(err);
    close(fd);
  }
  return ConnectError("cannot connect to " + peer + ": " + reason);
}

TlsStream::TlsStream(int fd, StreamOptions options)
    : fd_(fd),
      options_(std::move(options)),
      peer_(options_.host + ":" + std::to_string(options_.port)) {
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

TlsStream::~TlsStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);  // no close_notify: the protocol said goodbye already
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) close(fd_);
}

util::Error TlsStream::Lost(const std::string& what) const {
  return ConnectError(what + " " + peer_);
}

util::Status TlsStream::Wait(bool for_write, const char* what) {
  pollfd p{fd_, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  for (;;) {
    int n = poll(&p, 1, options_.timeout_seconds * 1000);
    if (n > 0) return util::OkStatus();
    if (n == 0) {
      return Lost(std::string("timed out after ") + std::to_string(options_.timeout_seconds) +
                  " s " + what);
    }
    if (errno != EINTR) return Lost(std::string(what) + " (" + std::strerror(errno) + ")");
  }
}

util::Result<bool> TlsStream::WaitReadable(int timeout_ms) {
  if (in_pos_ < in_.size() || (ssl_ != nullptr && SSL_pending(ssl_) > 0)) return true;
  pollfd p{fd_, POLLIN, 0};
  for (;;) {
    int n = poll(&p, 1, timeout_ms);
    if (n >= 0) return n > 0;
    if (errno != EINTR) return Lost(std::string("waiting (") + std::strerror(errno) + ") for");
  }
}

util::Status TlsStream::StartTls() {
  if (in_pos_ < in_.size()) {
    // Bytes sent before the handshake would be read as if protected by it
    // (the STARTTLS command injection of CVE-2011-0411).
    return MakeError(ErrorCode::kInternal, "mailbox.protocol",
                     "server " + peer_ + " sent data before the TLS handshake");
  }
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) return ConnectError("TLS setup failed: " + OpensslErrors());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  int loaded = options_.ca_file.empty()
                   ? SSL_CTX_set_default_verify_paths(ctx_)
                   : SSL_CTX_load_verify_locations(ctx_, options_.ca_file.c_str(), nullptr);
  if (loaded != 1) {
    return ConnectError("cannot load CA certificates " + options_.ca_file + ": " + OpensslErrors());
  }
  ssl_ = SSL_new(ctx_);
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
    return ConnectError("TLS setup failed: " + OpensslErrors());
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
  if (IsIpAddress(options_.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, options_.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, options_.host.c_str());
    X509_VERIFY_PARAM_set1_host(param, options_.host.c_str(), 0);
  }
  for (;;) {
    ERR_clear_error();
    SigpipeGuard guard;
    int rc = SSL_connect(ssl_);
    if (rc == 1) return util::OkStatus();
    int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      RD_RETURN_IF_ERROR(Wait(err == SSL_ERROR_WANT_WRITE, "in the TLS handshake with"));
      continue;
    }
    long verify = SSL_get_verify_result(ssl_);
    std::string reason = verify != X509_V_OK ? std::string("certificate verification failed: ") +
                                                   X509_verify_cert_error_string(verify)
                                             : OpensslErrors();
    if (reason.empty()) reason = "connection closed";
    return ConnectError("TLS handshake with " + peer_ + " failed: " + reason);
  }
}

util::Status TlsStream::Write(std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      SigpipeGuard guard;
      int n = SSL_write(ssl_, data.data() + done, static_cast<int>(data.size() - done));
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      int err = SSL_get_error(ssl_, n);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        return Lost("TLS write failed (" + OpensslErrors() + ") to");
      }
      RD_RETURN_IF_ERROR(Wait(err == SSL_ERROR_WANT_WRITE, "writing to"));
      continue;
    }
    ssize_t n = send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      RD_RETURN_IF_ERROR(Wait(true, "writing to"));
    } else if (errno != EINTR) {
      return Lost(std::string("write failed (") + std::strerror(errno) + ") to");
    }
  }
  return util::OkStatus();
}

util::Status TlsStream::Fill() {
  if (in_pos_ > 0 && in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  } else if (in_pos_ > (1 << 20)) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
  char buf[65536];
  for (;;) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      SigpipeGuard guard;
      int n = SSL_read(ssl_, buf, sizeof buf);
      if (n > 0) {
        in_.append(buf, static_cast<size_t>(n));
        return util::OkStatus();
      }
      int err = SSL_get_error(ssl_, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        RD_RETURN_IF_ERROR(Wait(err == SSL_ERROR_WANT_WRITE, "waiting for"));
        continue;
      }
      return Lost("connection closed by");
    }
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      in_.append(buf, static_cast<size_t>(n));
      return util::OkStatus();
    }
    if (n == 0) return Lost("connection closed by");
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      RD_RETURN_IF_ERROR(Wait(false, "waiting for"));
    } else if (errno != EINTR) {
      return Lost(std::string("read failed (") + std::strerror(errno) + ") from");
    }
  }
}

util::Result<std::string> TlsStream::Line(size_t max_line, bool keep_eol) {
  size_t scanned = in_pos_;
  for (;;) {
    size_t lf = in_.find('\n', scanned);
    if (lf != std::string::npos) {
      size_t end = keep_eol ? lf + 1 : lf > in_pos_ && in_[lf - 1] == '\r' ? lf - 1 : lf;
      std::string line = in_.substr(in_pos_, end - in_pos_);
      in_pos_ = lf + 1;
      return line;
    }
    if (in_.size() - in_pos_ > max_line) {
      return MakeError(ErrorCode::kInternal, "mailbox.protocol",
                       "line of over " + std::to_string(max_line) + " bytes from " + peer_);
    }
    size_t offset = in_.size() - in_pos_;
    RD_RETURN_IF_ERROR(Fill());
    scanned = in_pos_ + offset;  // Fill() may have moved the unread bytes to the front
  }
}

util::Status TlsStream::ReadExact(size_t n, std::string& out) {
  out.reserve(out.size() + n);
  for (;;) {
    size_t take = std::min(n, in_.size() - in_pos_);
    out.append(in_, in_pos_, take);
    in_pos_ += take;
    n -= take;
    if (n == 0) return util::OkStatus();
    RD_RETURN_IF_ERROR(Fill());
  }
}

}  // namespace replydesk::channels
