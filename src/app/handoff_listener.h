// serve's side of the ingest hand-off (handoff.h): listens on the database's
// abstract socket, reads one request per connection and gives it to a
// handler that accepts it into the store. A few threads, each with its own
// handler (and so its own store connection), take connections in turn: an
// MTA runs several pipe deliveries at once, and one slow client must not
// hold up the rest.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/handoff.h"

namespace replydesk::app {

class HandoffHandler {
 public:
  virtual ~HandoffHandler() = default;
  // A reply with code 0 promises the message is durably stored.
  virtual HandoffReply Accept(const IngestEnvelope& envelope, std::string message) = 0;
};
using HandoffHandlerFactory = std::function<std::unique_ptr<HandoffHandler>()>;

struct HandoffOptions {
  int threads = 2;
  size_t max_message_bytes = 50u << 20;
  int read_timeout_ms = 60'000;  // a client that stalls longer is dropped (it falls back)
  int retry_ms = 2000;           // how often to try for a name another serve holds
};

class HandoffListener {
 public:
  // Binds `name`; when another serve holds it, keeps trying every
  // options.retry_ms and takes it over once that serve has gone (a restart
  // overlapping the old process). Never fails; bound() tells whether it holds
  // the name.
  static std::unique_ptr<HandoffListener> Start(const std::string& name, HandoffOptions options,
                                                HandoffHandlerFactory factory);
  // Stops taking connections; a request being accepted finishes and is
  // answered, one still being read is dropped unanswered (the client runs the
  // ingest itself).
  ~HandoffListener();
  HandoffListener(const HandoffListener&) = delete;
  HandoffListener& operator=(const HandoffListener&) = delete;

  bool bound() const { return listen_fd_.load() >= 0; }

 private:
  HandoffListener(const std::string& name, HandoffOptions options, HandoffHandlerFactory factory);
  void Run();
  int ListenFd();  // the listening socket, binding it when due; -1 while another serve has it
  void Serve(int fd, std::unique_ptr<HandoffHandler>& handler);

  const std::string name_;
  const HandoffOptions options_;
  const HandoffHandlerFactory factory_;
  std::atomic<int> listen_fd_{-1};
  std::atomic<bool> stop_{false};
  std::mutex bind_mu_;
  std::chrono::steady_clock::time_point next_bind_;  // guarded by bind_mu_
  std::vector<std::thread> threads_;
};

}  // namespace replydesk::app
