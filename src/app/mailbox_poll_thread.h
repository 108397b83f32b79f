// The mailbox pollers of `serve`: one thread with its own Store connection
// that polls whichever enabled mailbox is due (Tx::ClaimDueMailbox, so several
// `serve` processes on one PostgreSQL database share the work), in slices of
// at most 500 messages or 20 s so a first import of a large mailbox never
// holds back the others for long. Accepted mail wakes the job workers.
// IMAP mailboxes are also watched with IDLE (mailbox_idle_watchers.h): new
// mail announced there makes its mailbox due at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "app/context.h"
#include "app/worker_pool.h"

namespace replydesk::app {

class MailboxIdleWatchers;

class MailboxPollThread {
 public:
  MailboxPollThread(const GlobalOptions& g, WorkerPool& workers);
  ~MailboxPollThread();
  void Stop();  // ends the slice in hand after its current batch, then joins
  // Polls mailbox `id` as soon as the slice in hand ends. Thread-safe.
  void PollSoon(domain::Id id);

 private:
  static constexpr auto kIdle = std::chrono::seconds(1);  // look for due mailboxes this often
  static constexpr auto kWatchEvery = std::chrono::seconds(30);  // mailboxes added or removed
  void Run();
  void Sleep(std::chrono::milliseconds d);
  // Makes the mailboxes PollSoon named due, and keeps the IDLE watchers in step.
  util::Status Prepare(store::Store& store, MailboxIdleWatchers& watchers,
                       const util::SecretBox* key);

  const GlobalOptions& g_;
  WorkerPool& workers_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<domain::Id> soon_;  // guarded by mu_
  std::chrono::steady_clock::time_point next_watch_{};
  std::thread thread_;
};

}  // namespace replydesk::app
