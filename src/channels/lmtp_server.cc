// LMTP listener: accept loop and per-connection session threads. See lmtp_server.h.
#include "channels/lmtp_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "channels/lmtp_session.h"
#include "util/log.h"

namespace replydesk::channels {
namespace {

util::Error BindError(const std::string& what, int err) {
  return util::MakeError(util::ErrorCode::kUnavailable, "lmtp.bind_failed",
                         what + ": " + std::strerror(err));
}

// Writes all of `data`; false when the peer is gone or stuck past the send timeout.
bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void SetSendTimeout(int fd, int seconds) {
  timeval tv{};
  tv.tv_sec = seconds;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string PeerName(const sockaddr_storage& addr, socklen_t len) {
  char host[NI_MAXHOST] = "?";
  char serv[NI_MAXSERV] = "?";
  ::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                NI_NUMERICHOST | NI_NUMERICSERV);
  if (addr.ss_family == AF_INET6) return std::string("[") + host + "]:" + serv;
  return std::string(host) + ":" + serv;
}

// Creates, binds and listens on the first address `host` resolves to.
util::Result<int> Listen(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) {
    return util::MakeError(util::ErrorCode::kUnavailable, "lmtp.bind_failed",
                           "resolve " + host + ": " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(list, &::freeaddrinfo);
  int last_errno = EADDRNOTAVAIL;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 64) == 0) return fd;
    last_errno = errno;
    ::close(fd);
  }
  return BindError("bind " + host + ":" + service, last_errno);
}

}  // namespace

LmtpServer::LmtpServer(LmtpOptions options, LmtpHandlerFactory factory)
    : options_(std::move(options)), factory_(std::move(factory)) {}

LmtpServer::~LmtpServer() { Stop(); }

util::Status LmtpServer::Start() {
  if (started_) {
    return util::MakeError(util::ErrorCode::kAlreadyExists, "lmtp.already_started",
                           "LmtpServer::Start called twice");
  }
  RD_ASSIGN_OR_RETURN(int fd, Listen(options_.host, options_.port));
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
    int err = errno;
    ::close(fd);
    return BindError("getsockname/pipe", err);
  }
  port_ = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  listen_fd_ = fd;
  started_ = true;
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  spdlog::info("lmtp: listening on {}:{}", options_.host, port_);
  return util::OkStatus();
}

void LmtpServer::Stop() {
  if (!started_) return;
  started_ = false;
  [[maybe_unused]] ssize_t n = ::write(stop_pipe_[1], "x", 1);
  accept_thread_.join();
  ::close(listen_fd_);  // new connections are refused from here on
  listen_fd_ = -1;
  std::list<std::unique_ptr<SessionThread>> sessions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sessions.swap(sessions_);
  }
  for (auto& s : sessions) s->thread.join();
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
  stop_pipe_[0] = stop_pipe_[1] = -1;
  spdlog::info("lmtp: stopped");
}

void LmtpServer::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents != 0) return;
    ReapFinished();
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        spdlog::error("lmtp: accept: {}", std::strerror(errno));
        pollfd stop = {stop_pipe_[0], POLLIN, 0};
        ::poll(&stop, 1, 100);  // back off instead of spinning on a readable listener
      }
      continue;
    }
    std::string client = PeerName(addr, len);
    SetSendTimeout(fd, options_.idle_timeout_seconds);
    if (active_.load() >= options_.max_sessions) {
      spdlog::warn("lmtp: refusing {}: {} sessions running", client, active_.load());
      SetSendTimeout(fd, 1);
      SendAll(fd, "421 4.3.2 " + options_.hostname + " Error: too many connections\r\n");
      ::close(fd);
      continue;
    }
    SpawnSession(fd, std::move(client));
  }
}

void LmtpServer::SpawnSession(int fd, std::string client) {
  ++active_;
  uint64_t id = next_id_++;
  auto slot = std::make_unique<SessionThread>();
  SessionThread* raw = slot.get();
  raw->thread = std::thread([this, fd, client = std::move(client), id, raw] {
    RunSession(fd, client, id);
    ::close(fd);
    --active_;
    raw->done = true;
  });
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.push_back(std::move(slot));
}

void LmtpServer::ReapFinished() {
  std::list<std::unique_ptr<SessionThread>> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      auto next = std::next(it);
      if ((*it)->done.load()) finished.splice(finished.end(), sessions_, it);
      it = next;
    }
  }
  for (auto& s : finished) s->thread.join();
}

// Top-level of one connection: every exception ends here and is logged with the session id.
void LmtpServer::RunSession(int fd, const std::string& client, uint64_t id) {
  const std::string cid = "lmtp#" + std::to_string(id);
  try {
    spdlog::debug("{} connect from {}", cid, client);
    std::unique_ptr<LmtpHandler> handler = factory_();
    if (!handler) throw std::runtime_error("handler factory returned null");
    LmtpSession session(options_, *handler, client, cid);
    if (!SendAll(fd, session.Greeting())) return;
    const int timeout_ms = options_.idle_timeout_seconds * 1000;
    char buf[16 * 1024];
    while (!session.closed()) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      int ready = ::poll(fds, 2, timeout_ms);
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[1].revents != 0) {
        SendAll(fd, session.ShutdownReply());
        break;
      }
      if (ready == 0) {
        spdlog::info("{} idle timeout, closing", cid);
        SendAll(fd, session.TimeoutReply());
        break;
      }
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) break;  // peer closed (mid-transaction: nothing was acknowledged)
      std::string out = session.Feed(std::string_view(buf, static_cast<size_t>(n)));
      if (!out.empty() && !SendAll(fd, out)) break;
    }
    spdlog::debug("{} disconnect", cid);
  } catch (const std::exception& e) {
    spdlog::error("{} session from {} failed: {}", cid, client, e.what());
    SendAll(fd, "421 4.3.0 " + options_.hostname + " Error: internal error, id " + cid + "\r\n");
  }
}

}  // namespace replydesk::channels
