// Job workers for `serve`: N threads, each with its own Store connection,
// processing inbound jobs in batches. Wake() lets an accept path start
// processing at once instead of waiting for the next poll.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "app/context.h"

namespace replydesk::app {

class WorkerPool {
 public:
  // `on_processed` runs after each batch that processed messages (serve wakes
  // the sender with it: acknowledgements go out at once).
  WorkerPool(const GlobalOptions& g, int threads, std::function<void()> on_processed = {});
  ~WorkerPool();
  void Wake();
  void Stop();  // finishes the batches in hand, then joins

 private:
  static constexpr int kBatch = 200;
  static constexpr std::chrono::milliseconds kCoalesce{50};
  void Run(int index);

  const GlobalOptions& g_;
  std::function<void()> on_processed_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace replydesk::app
