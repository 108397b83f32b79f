// IMAP IDLE watchers of `serve`: see mailbox_idle_watchers.h.
#include "app/mailbox_idle_watchers.h"

#include <algorithm>
#include <chrono>

#include "services/mailbox_poller.h"
#include "util/log.h"

namespace replydesk::app {
namespace {

constexpr int kIdleSeconds = 25 * 60;  // RFC 2177 §3: re-issue IDLE within 29 minutes
constexpr int kFirstBackoffSeconds = 5;
constexpr int kMaxBackoffSeconds = 300;

std::string Settings(const domain::MailboxAccount& a) {
  return a.host + '\n' + std::to_string(a.port) + '\n' + std::to_string(static_cast<int>(a.tls)) +
         '\n' + a.user + '\n' + a.password_encrypted + '\n' + a.folder + '\n' +
         std::to_string(static_cast<int>(a.after_import));
}

void SleepUnlessStopped(int seconds, const std::atomic<bool>& stop) {
  for (int i = 0; i < seconds * 10 && !stop; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

}  // namespace

MailboxIdleWatchers::MailboxIdleWatchers(services::RemoteMailboxFactory& factory,
                                         std::function<void(domain::Id)> on_news)
    : factory_(factory), on_news_(std::move(on_news)) {}

MailboxIdleWatchers::~MailboxIdleWatchers() {
  for (auto& [id, w] : watchers_) w->stop = true;  // all leave IDLE together
  for (auto& [id, w] : watchers_) Stop(*w);
}

void MailboxIdleWatchers::Stop(Watcher& w) {
  w.stop = true;
  if (w.thread.joinable()) w.thread.join();
}

void MailboxIdleWatchers::Reconcile(const std::vector<domain::MailboxAccount>& accounts,
                                    const util::SecretBox* key) {
  std::map<domain::Id, const domain::MailboxAccount*> wanted;
  if (key != nullptr) {
    for (const auto& a : accounts) {
      if (a.enabled && a.protocol == domain::MailProtocol::kImap) wanted[a.id] = &a;
    }
  }
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    auto want = wanted.find(it->first);
    if (want != wanted.end() && Settings(*want->second) == it->second->settings) {
      wanted.erase(want);  // watched as it is
      ++it;
      continue;
    }
    Stop(*it->second);
    it = watchers_.erase(it);
  }
  for (const auto& [id, account] : wanted) {
    auto config = services::MailboxPoller::MakeConfig(*account, key);
    if (!config.ok()) continue;  // the poll reports it on the mailbox
    auto w = std::make_unique<Watcher>();
    w->settings = Settings(*account);
    Watcher* raw = w.get();
    w->thread =
        std::thread([this, raw, id = id, c = std::move(config).value()] { Run(*raw, id, c); });
    watchers_[id] = std::move(w);
  }
}

void MailboxIdleWatchers::Run(Watcher& w, domain::Id id,
                              const services::RemoteMailboxConfig& config) {
  int backoff = kFirstBackoffSeconds;
  while (!w.stop) {
    auto box = factory_.Open(config);
    if (!box.ok()) {
      spdlog::debug("mailbox#{} IDLE: {} (again in {} s)", id, box.error().ToString(), backoff);
      SleepUnlessStopped(backoff, w.stop);
      backoff = std::min(backoff * 2, kMaxBackoffSeconds);
      continue;
    }
    if (!(*box)->CanWaitForNews()) {
      spdlog::info("mailbox#{}: the server has no IDLE, polling only", id);
      (void)(*box)->Close();
      return;
    }
    // Select the folder (a zero wait) before asking for a poll: mail that came
    // while nobody watched is found by that poll, mail after it is announced.
    util::Result<bool> news = (*box)->WaitForNews(0, &w.stop);
    if (news.ok()) on_news_(id);
    while (news.ok() && !w.stop && (news = (*box)->WaitForNews(kIdleSeconds, &w.stop)).ok()) {
      backoff = kFirstBackoffSeconds;
      if (*news) on_news_(id);
    }
    if (!news.ok()) {
      spdlog::debug("mailbox#{} IDLE: {} (again in {} s)", id, news.error().ToString(), backoff);
      SleepUnlessStopped(backoff, w.stop);
      backoff = std::min(backoff * 2, kMaxBackoffSeconds);
    } else {
      (void)(*box)->Close();
    }
  }
}

}  // namespace replydesk::app
