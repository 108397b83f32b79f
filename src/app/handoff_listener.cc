// serve's side of the ingest hand-off: see handoff_listener.h.
#include "app/handoff_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "util/log.h"

namespace replydesk::app {
namespace {

constexpr size_t kMaxHeader = 64 << 10;
constexpr int kPollMs = 200;  // how soon a thread notices stop

// A listening socket bound to `name`, or -1 (EADDRINUSE: another serve has it).
int BindName(const std::string& name) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_un addr;
  socklen_t len = AbstractAddress(name, &addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd, 128) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::optional<uid_t> PeerUid(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
  return cred.uid;
}

void Send(int fd, const HandoffReply& reply) {
  std::string line = EncodeReply(reply);
  [[maybe_unused]] ssize_t n = send(fd, line.data(), line.size(), MSG_NOSIGNAL);
}

}  // namespace

HandoffListener::HandoffListener(const std::string& name, HandoffOptions options,
                                 HandoffHandlerFactory factory)
    : name_(name), options_(options), factory_(std::move(factory)) {}

std::unique_ptr<HandoffListener> HandoffListener::Start(const std::string& name,
                                                        HandoffOptions options,
                                                        HandoffHandlerFactory factory) {
  std::unique_ptr<HandoffListener> l(new HandoffListener(name, options, std::move(factory)));
  l->listen_fd_ = BindName(name);
  l->next_bind_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.retry_ms);
  for (int i = 0; i < std::max(1, options.threads); ++i)
    l->threads_.emplace_back([p = l.get()] { p->Run(); });
  return l;
}

HandoffListener::~HandoffListener() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  if (int fd = listen_fd_.load(); fd >= 0) close(fd);
}

int HandoffListener::ListenFd() {
  if (int fd = listen_fd_.load(); fd >= 0) return fd;
  std::lock_guard<std::mutex> lock(bind_mu_);
  if (listen_fd_.load() < 0 && std::chrono::steady_clock::now() >= next_bind_) {
    listen_fd_ = BindName(name_);
    next_bind_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.retry_ms);
  }
  return listen_fd_.load();
}

void HandoffListener::Run() {
  std::unique_ptr<HandoffHandler> handler;  // made on first use: one store connection per thread
  while (!stop_) {
    int lfd = ListenFd();
    if (lfd < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs / 2));
      continue;
    }
    pollfd p{lfd, POLLIN, 0};
    if (poll(&p, 1, kPollMs) <= 0) continue;
    int fd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;  // another thread took it
    Serve(fd, handler);
    close(fd);
  }
}

void HandoffListener::Serve(int fd, std::unique_ptr<HandoffHandler>& handler) {
  auto uid = PeerUid(fd);
  if (!uid || !PeerTrusted(*uid)) {
    return Send(fd, {kExNoPerm, "uid " + (uid ? std::to_string(*uid) : "?") +
                                    " may not hand off to this serve (uid " +
                                    std::to_string(geteuid()) + ")"});
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.read_timeout_ms);
  std::string data;
  size_t header_end = std::string::npos;
  std::optional<RequestHeader> request;
  char buf[1 << 16];
  while (!stop_) {
    if (!request) {
      header_end = data.find("\n\n");
      if (header_end != std::string::npos) {
        auto parsed = ParseRequestHeader(std::string_view(data).substr(0, header_end));
        if (!parsed.ok()) return Send(fd, {kExNoPerm, parsed.error().ToString()});
        request = std::move(parsed).value();
        if (request->size > options_.max_message_bytes) {
          return Send(fd, {kExDataErr, TooLarge(options_.max_message_bytes).ToString()});
        }
        data.erase(0, header_end + 2);
        data.reserve(request->size);
      } else if (data.size() > kMaxHeader) {
        return Send(fd, {kExNoPerm, "request header too long"});
      }
    }
    if (request && data.size() >= request->size) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;  // stalled client: dropped, it falls back
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, std::min<int>(kPollMs, static_cast<int>(left.count()))) <= 0) continue;
    size_t want = request ? std::min(sizeof buf, request->size - data.size()) : sizeof buf;
    ssize_t n = recv(fd, buf, want, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away before sending it all: nothing taken
    data.append(buf, static_cast<size_t>(n));
  }
  if (stop_ || !request) return;  // unanswered: not taken
  if (data.size() != request->size) return Send(fd, {kExNoPerm, "more bytes than the size"});
  if (!handler) handler = factory_();
  HandoffReply reply;
  try {
    reply = handler->Accept(request->envelope, std::move(data));
  } catch (const std::exception& e) {
    spdlog::error("ingest hand-off: {}", e.what());
    reply = {kExTempFail, "internal error"};
  }
  Send(fd, reply);
}

}  // namespace replydesk::app
