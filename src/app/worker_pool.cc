// Worker pool: see worker_pool.h.
#include "app/worker_pool.h"

#include <unistd.h>

#include "services/inbound_worker.h"
#include "util/log.h"

namespace replydesk::app {

WorkerPool::WorkerPool(const GlobalOptions& g, int threads, std::function<void()> on_processed)
    : g_(g), on_processed_(std::move(on_processed)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { Run(i); });
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

void WorkerPool::Stop() {
  stop_ = true;
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::Run(int index) {
  const std::string name = "serve-" + std::to_string(getpid()) + "-" + std::to_string(index);
  std::unique_ptr<store::Store> store;
  std::unique_ptr<services::InboundWorker> worker;
  const auto triggers = TriggerSettings(g_);
  while (!stop_) {
    if (!store) {
      auto opened = OpenStore(g_);
      if (!opened.ok()) {
        spdlog::error("worker {}: {}", name, opened.error().ToString());
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(5), [&] { return stop_.load(); });
        continue;
      }
      store = std::move(opened).value();
      worker = std::make_unique<services::InboundWorker>(*store, util::SystemClock::Instance(),
                                                         MakeIngestSettings(g_), name, triggers);
    }
    auto r = worker->RunBatch(kBatch);
    if (!r.ok()) {
      spdlog::error("worker {}: {}", name, r.error().ToString());
      worker.reset();
      store.reset();  // reconnect after a store failure
      continue;
    }
    if (r->processed > 0 && on_processed_) on_processed_();
    if (r->claimed == kBatch) continue;  // a backlog: go on at once
    std::unique_lock<std::mutex> lock(mu_);
    if (r->claimed == 0) {
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return pending_ || stop_.load(); });
    }
    // Let a batch gather: under a stream of messages one commit per
    // kCoalesce instead of one per message, which on SQLite would take the
    // write lock (and an fsync) from the accept path every time.
    cv_.wait_for(lock, kCoalesce, [&] { return stop_.load(); });
    pending_ = false;
  }
}

}  // namespace replydesk::app
