// IMAP IDLE (RFC 2177) for serve's mailbox pollers: one thread per enabled
// IMAP mailbox keeps a session in IDLE on its folder and, when the server
// announces new mail, tells the poll thread to poll that mailbox now instead
// of at its next interval. Only a hint: interval polling goes on, so a
// watcher that cannot connect, or a server without IDLE, costs latency,
// never mail. A server without IDLE ends its watcher (polling only).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "domain/mailbox_account.h"
#include "services/ports/remote_mailbox.h"
#include "util/secret_box.h"

namespace replydesk::app {

class MailboxIdleWatchers {
 public:
  // `on_news` runs on a watcher's thread with the mailbox id.
  MailboxIdleWatchers(services::RemoteMailboxFactory& factory,
                      std::function<void(domain::Id)> on_news);
  ~MailboxIdleWatchers();  // stops every watcher (each leaves IDLE within ~0.5 s)
  MailboxIdleWatchers(const MailboxIdleWatchers&) = delete;
  MailboxIdleWatchers& operator=(const MailboxIdleWatchers&) = delete;

  // Watches each enabled IMAP mailbox of `accounts`: starts watchers for new
  // ones, restarts those whose connection settings changed, stops those of
  // mailboxes gone or disabled. Without `key` (no server key) nothing is watched.
  void Reconcile(const std::vector<domain::MailboxAccount>& accounts, const util::SecretBox* key);
  size_t size() const { return watchers_.size(); }

 private:
  struct Watcher {
    std::string settings;  // what a change of restarts the watcher
    std::atomic<bool> stop{false};
    std::thread thread;
  };
  void Run(Watcher& w, domain::Id id, const services::RemoteMailboxConfig& config);
  static void Stop(Watcher& w);

  services::RemoteMailboxFactory& factory_;
  const std::function<void(domain::Id)> on_news_;
  std::map<domain::Id, std::unique_ptr<Watcher>> watchers_;
};

}  // namespace replydesk::app
