// Mailbox pollers of `serve`: see mailbox_poll_thread.h.
#include "app/mailbox_poll_thread.h"

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
  cv_.wait_for(lock, d, [this] { return stop_.load(); });
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
