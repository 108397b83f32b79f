// The LMTP listener (RFC 2033): accepts connections from the local MTA (Postfix lmtp(8)) and
// runs one LmtpSession per connection on its own thread. LMTP peers are a handful of MTA
// connections, so thread-per-session with blocking POSIX sockets is the simple, sufficient
// model; every wait is a poll() that also watches a stop pipe and the idle timeout.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "channels/lmtp_handler.h"
#include "util/result.h"

namespace replydesk::channels {

// Thread safety: Start, Stop and port are called from the owning thread; the handler factory
// is called from session threads (concurrently) and must be thread-safe. Each handler instance
// is used by one session thread only.
class LmtpServer {
 public:
  LmtpServer(LmtpOptions options, LmtpHandlerFactory factory);
  ~LmtpServer();  // Stop()
  LmtpServer(const LmtpServer&) = delete;
  LmtpServer& operator=(const LmtpServer&) = delete;

  // Binds options.host:options.port (port 0 picks a free one), listens and starts the accept
  // thread. Errors: kUnavailable "lmtp.bind_failed" (address in use, permission, bad host),
  // kAlreadyExists "lmtp.already_started".
  util::Status Start();

  // The bound port, valid after a successful Start().
  uint16_t port() const { return port_; }

  // Stops accepting, closes the listener, and waits for every session: a session waiting for
  // input gets "421 4.3.2" and is closed (an unfinished transaction was never acknowledged,
  // so the MTA retries it); a session inside Deliver finishes and sends its replies first.
  // Idempotent.
  void Stop();

  // Sessions currently running (for tests and metrics).
  int active_sessions() const { return active_.load(); }

 private:
  struct SessionThread {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void AcceptLoop();
  void SpawnSession(int fd, std::string client);
  void RunSession(int fd, const std::string& client, uint64_t id);
  void ReapFinished();

  const LmtpOptions options_;
  const LmtpHandlerFactory factory_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};  // readable forever once Stop() writes a byte
  uint16_t port_ = 0;
  bool started_ = false;
  std::thread accept_thread_;
  std::atomic<int> active_{0};
  uint64_t next_id_ = 1;  // accept thread only

  std::mutex mu_;
  std::list<std::unique_ptr<SessionThread>> sessions_;  // guarded by mu_
};

}  // namespace replydesk::channels
