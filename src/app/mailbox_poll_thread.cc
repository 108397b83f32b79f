// Mailbox pollers of `serve`: see mailbox_poll_thread.h.
#include "app/mailbox_poll_thread.h"

#include "app/mailbox_idle_watchers.h"
#include "channels/remote_mailbox_factory.h"
#include "services/mailbox_poller.h"
#include "util/log.h"

namespace replydesk::app {

MailboxPollThread::MailboxPollThread(const GlobalOptions& g, WorkerPool& workers)
    : g_(g), workers_(workers), thread_([this] { Run(); }) {}

MailboxPollThread::~MailboxPollThread() { Stop(); }

void MailboxPollThread::Stop() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MailboxPollThread::Sleep(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stop_.load() || !soon_.empty(); });
}

void MailboxPollThread::PollSoon(domain::Id id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    soon_.insert(id);
  }
  cv_.notify_all();
}

util::Status MailboxPollThread::Prepare(store::Store& store, MailboxIdleWatchers& watchers,
                                        const util::SecretBox* key) {
  std::set<domain::Id> soon;
  {
    std::lock_guard<std::mutex> lock(mu_);
    soon.swap(soon_);
  }
  const bool watch = std::chrono::steady_clock::now() >= next_watch_;
  if (soon.empty() && !watch) return util::OkStatus();
  std::vector<domain::MailboxAccount> accounts;
  auto st = store.Transact([&](store::Tx& tx) -> util::Status {
    const auto now = util::SystemClock::Instance().Now();
    for (domain::Id id : soon) RD_RETURN_IF_ERROR(tx.MakeMailboxDue(id, now));
    if (watch) {
      RD_ASSIGN_OR_RETURN(accounts, tx.ListMailboxes());
    }
    return util::OkStatus();
  });
  if (!st.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    soon_.insert(soon.begin(), soon.end());  // next time
    return st;
  }
  if (watch) {
    watchers.Reconcile(accounts, key);
    next_watch_ = std::chrono::steady_clock::now() + kWatchEvery;
  }
  return util::OkStatus();
}

void MailboxPollThread::Run() {
  // Without a key every poll fails visibly ("no server key") on its mailbox.
  auto key = LoadSecretKey(g_, /*create=*/false);
  if (!key.ok()) spdlog::info("mailbox pollers: {}", key.error().ToString());
  channels::RemoteMailboxFactoryImpl factory;
  services::PollOptions options;
  options.max_messages = 500;
  options.max_seconds = 20;
  options.stop = &stop_;
  MailboxIdleWatchers watchers(factory, [this](domain::Id id) { PollSoon(id); });
  std::unique_ptr<store::Store> store;
  while (!stop_) {
    try {
      if (!store) {
        auto opened = OpenStore(g_);
        if (!opened.ok()) {
          spdlog::error("mailbox pollers: {}", opened.error().ToString());
          Sleep(std::chrono::seconds(5));
          continue;
        }
        store = std::move(opened).value();
      }
      util::Status prepared = Prepare(*store, watchers, key.ok() ? &*key : nullptr);
      if (!prepared.ok()) spdlog::warn("mailbox pollers: {}", prepared.error().ToString());
      services::MailboxPoller poller(*store, factory, key.ok() ? &*key : nullptr,
                                     util::SystemClock::Instance(), MakeIngestSettings(g_));
      poller.set_on_accepted([this] { workers_.Wake(); });
      auto polled = poller.PollNextDue(options);
      if (!polled.ok()) {
        spdlog::error("mailbox pollers: {}", polled.error().ToString());
        store.reset();
        Sleep(std::chrono::seconds(5));
      } else if (!*polled) {
        Sleep(kIdle);
      }
    } catch (const std::exception& e) {
      // The top-level catch of this thread: log, reconnect, go on.
      spdlog::error("mailbox pollers: unexpected exception: {}", e.what());
      store.reset();
      Sleep(std::chrono::seconds(5));
    }
  }
}

}  // namespace replydesk::app
