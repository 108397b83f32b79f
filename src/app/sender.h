// The outbox sender of `serve`: one thread with its own Store connection and
// SMTP connection, sending queued mail as soon as it is queued (Wake) and
// retries when they fall due (polled each second). Without --smtp nothing is
// started and mail waits in the outbox.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/context.h"

namespace replydesk::app {

class Sender {
 public:
  // Starts the thread. `smtp` must have parsed (ParseSmtpUrl) already.
  explicit Sender(const GlobalOptions& g);
  ~Sender();
  void Wake();
  void Stop();  // finishes the message in hand, then joins

 private:
  void Run();

  const GlobalOptions& g_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  std::thread thread_;
};

}  // namespace replydesk::app
