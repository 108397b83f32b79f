// The outbox sender of `serve`: see sender.h.
#include "app/sender.h"

#include <unistd.h>

#include "channels/smtp_transport.h"
#include "services/outbound_worker.h"
#include "util/log.h"

namespace replydesk::app {

Sender::Sender(const GlobalOptions& g) : g_(g) {
  thread_ = std::thread([this] { Run(); });
}

Sender::~Sender() { Stop(); }

void Sender::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

void Sender::Stop() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sender::Run() {
  const std::string name = "sender-" + std::to_string(getpid());
  auto smtp = channels::SmtpSettings::ParseSmtpUrl(g_.smtp);
  auto settings = MakeOutboundSettings(g_);
  if (!smtp.ok() || !settings.ok()) {
    spdlog::error("sender: {}", (!smtp.ok() ? smtp.error() : settings.error()).ToString());
    return;
  }
  channels::SmtpTransport transport(*smtp);
  std::unique_ptr<store::Store> store;
  while (!stop_) {
    if (!store) {
      auto opened = OpenStore(g_);
      if (!opened.ok()) {
        spdlog::error("sender: {}", opened.error().ToString());
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(5), [&] { return stop_.load(); });
        continue;
      }
      store = std::move(opened).value();
    }
    services::OutboundWorker worker(*store, util::SystemClock::Instance(), transport, *settings,
                                    name);
    auto r = worker.RunBatch(20);
    if (!r.ok()) {
      spdlog::error("sender: {}", r.error().ToString());
      store.reset();  // reconnect after a store failure
      continue;
    }
    if (r->claimed > 0) continue;
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(1), [&] { return pending_ || stop_.load(); });
    pending_ = false;
  }
}

}  // namespace replydesk::app
