// The mailbox pollers of `serve`: one thread with its own Store connection
// that polls whichever enabled mailbox is due (Tx::ClaimDueMailbox, so several
// `serve` processes on one PostgreSQL database share the work), in slices of
// at most 500 messages or 20 s so a first import of a large mailbox never
// holds back the others for long. Accepted mail wakes the job workers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/context.h"
#include "app/worker_pool.h"

namespace replydesk::app {

class MailboxPollThread {
 public:
  MailboxPollThread(const GlobalOptions& g, WorkerPool& workers);
  ~MailboxPollThread();
  void Stop();  // ends the slice in hand after its current batch, then joins

 private:
  static constexpr auto kIdle = std::chrono::seconds(1);  // look for due mailboxes this often
  void Run();
  void Sleep(std::chrono::milliseconds d);

  const GlobalOptions& g_;
  WorkerPool& workers_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace replydesk::app
