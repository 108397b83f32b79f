// `serve` <-> `ingest` on one SQLite database: an abstract Unix datagram
// socket (unix(7)) named after the database file's real path. While a `serve`
// runs it is bound there; the lean `ingest` knows from it that someone will
// process what it accepts, and wakes the workers with one datagram instead of
// leaving them to their next poll. Abstract names vanish with the process
// (no stale files after a SIGKILL) and need no writable folder.
//
// Only a hint: a lost datagram costs at most the workers' poll interval (1 s),
// never a message (the job is in the database). Any local user may send one;
// it only wakes the workers.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace replydesk::app {

// The abstract socket name for a SQLite database path: nullopt for a
// postgresql:// URL or a file that does not exist.
std::optional<std::string> WakeSocketName(const std::string& db_url);

// Bound by `serve`: runs on_wake (from its own thread) for every datagram.
class WakeListener {
 public:
  // Binds `name`; when another serve holds it, keeps trying (every retry_ms)
  // and takes it over once that serve has gone (a restart overlapping the old
  // process). Never fails; bound() tells whether it holds the name.
  static std::unique_ptr<WakeListener> Start(const std::string& name, std::function<void()> on_wake,
                                             int retry_ms = 2000);
  ~WakeListener();  // stops the thread, closes the socket
  bool bound() const { return fd_ >= 0; }

 private:
  WakeListener(const std::string& name, int fd, std::function<void()> on_wake, int retry_ms);
  void Run();

  const std::string name_;
  std::atomic<int> fd_;
  const int retry_ms_;
  std::function<void()> on_wake_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Used by `ingest`: a socket connected to the serve bound at `name`, or -1
// when none is bound (nobody will process the message: process it yourself).
int ConnectWake(const std::string& name);
// Sends one wake datagram on a socket from ConnectWake and closes it.
void SendWakeAndClose(int fd);

}  // namespace replydesk::app
