// Wake socket: see wake_socket.h.
#include "app/wake_socket.h"

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "util/sha256.h"

namespace replydesk::app {
namespace {

// sockaddr_un for an abstract name (leading NUL, not NUL-terminated).
socklen_t AbstractAddress(const std::string& name, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  std::memcpy(addr->sun_path + 1, name.data(), name.size());
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
}

}  // namespace

std::optional<std::string> WakeSocketName(const std::string& db_url) {
  if (db_url.rfind("postgres", 0) == 0) return std::nullopt;
  char* real = realpath(db_url.c_str(), nullptr);
  if (real == nullptr) return std::nullopt;
  std::string path(real);
  free(real);
  // Fixed length whatever the path (sun_path holds 107 bytes).
  return "replydesk-serve/" + util::Sha256Hex(path).substr(0, 40);
}

// A bound datagram socket for `name`, or -1 with errno set.
int BindName(const std::string& name) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr;
  socklen_t len = AbstractAddress(name, &addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

WakeListener::WakeListener(const std::string& name, int fd, std::function<void()> on_wake,
                           int retry_ms)
    : name_(name), fd_(fd), retry_ms_(retry_ms), on_wake_(std::move(on_wake)) {
  thread_ = std::thread([this] { Run(); });
}

std::unique_ptr<WakeListener> WakeListener::Start(const std::string& name,
                                                  std::function<void()> on_wake, int retry_ms) {
  return std::unique_ptr<WakeListener>(
      new WakeListener(name, BindName(name), std::move(on_wake), retry_ms));
}

WakeListener::~WakeListener() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
}

void WakeListener::Run() {
  char buf[64];
  auto next_try = std::chrono::steady_clock::now();
  while (!stop_) {
    if (fd_ < 0) {  // the name is another serve's: take it when that one has gone
      if (std::chrono::steady_clock::now() >= next_try) {
        fd_ = BindName(name_);
        next_try = std::chrono::steady_clock::now() + std::chrono::milliseconds(retry_ms_);
      }
      if (fd_ < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;  // timeout: look at stop_ again
    bool woken = false;
    while (recv(fd_, buf, sizeof buf, MSG_DONTWAIT) >= 0)
      woken = true;  // drain: one wake is enough
    if (woken) on_wake_();
  }
}

int ConnectWake(const std::string& name) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr;
  socklen_t len = AbstractAddress(name, &addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {  // ECONNREFUSED: no serve
    close(fd);
    return -1;
  }
  return fd;
}

void SendWakeAndClose(int fd) {
  if (fd < 0) return;
  [[maybe_unused]] ssize_t n = send(fd, "w", 1, MSG_DONTWAIT);  // a full queue: already woken
  close(fd);
}

}  // namespace replydesk::app
