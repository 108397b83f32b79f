// An in-memory IMAP/POP3 server behind the RemoteMailbox port, for the poller
// and mailbox service tests. It keeps the semantics the poller relies on:
// IMAP UIDs grow and are void when UIDVALIDITY changes; \Deleted messages stay
// listed until EXPUNGE (at Close); MOVE removes at once. POP3 DELE takes effect
// only at QUIT (Close); a session dropped without it forgets its DELEs.
// Every call is logged ("open", "list", "fetch 3", "dispose 3,4", "close").
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/ports/remote_mailbox.h"

namespace replydesk::services::fake {

struct FakeServer {
  struct Message {
    uint32_t uid = 0;
    std::string uidl;
    std::string raw;
    bool seen = false;
    bool deleted = false;  // IMAP \Deleted, not yet expunged
  };

  uint32_t uid_validity = 1000;
  uint32_t next_uid = 1;
  std::string password = "secret";
  std::vector<Message> messages;
  std::vector<std::string> moved;  // raw messages moved to the other folder
  std::vector<std::string> log;
  std::optional<util::Error> open_error;  // Open fails with this
  int fail_fetch_at = 0;                  // the N-th Fetch (1-based) fails, 0: never
  int fetches = 0;
  std::function<void(const std::vector<RemoteMessageRef>&)> on_dispose;

  void Deliver(const std::string& raw) {
    const uint32_t uid = next_uid++;
    messages.push_back({uid, "uidl-" + std::to_string(uid), raw});
  }
  // The folder was recreated: new UIDVALIDITY, every message renumbered.
  void ResetUidValidity() {
    ++uid_validity;
    next_uid = 1;
    for (auto& m : messages) m.uid = next_uid++;
  }
  int Seen() const {
    return static_cast<int>(
        std::count_if(messages.begin(), messages.end(), [](const Message& m) { return m.seen; }));
  }
  int Fetches() const {
    return static_cast<int>(std::count_if(log.begin(), log.end(),
                                          [](const auto& l) { return l.rfind("fetch ", 0) == 0; }));
  }
};

class FakeSession final : public RemoteMailbox {
 public:
  FakeSession(FakeServer& server, RemoteMailboxConfig config)
      : server_(server), config_(std::move(config)) {}

  util::Result<FolderState> List(uint32_t known_uid_validity, uint32_t after_uid) override {
    server_.log.push_back("list");
    FolderState state;
    const bool imap = config_.protocol == "imap";
    state.uid_validity = imap ? server_.uid_validity : 0;
    for (const auto& m : server_.messages) {
      if (imap && known_uid_validity == server_.uid_validity && m.uid <= after_uid) continue;
      state.messages.push_back({imap ? std::to_string(m.uid) : m.uidl, imap ? m.uid : 0,
                                static_cast<int64_t>(m.raw.size())});
    }
    return state;
  }

  util::Result<std::string> Fetch(const RemoteMessageRef& ref) override {
    server_.log.push_back("fetch " + ref.uid);
    if (++server_.fetches == server_.fail_fetch_at) {
      return util::MakeError(util::ErrorCode::kUnavailable, "mailbox.connect",
                             "connection reset by peer");
    }
    const FakeServer::Message* m = Find(ref);
    if (m == nullptr)
      return util::MakeError(util::ErrorCode::kInternal, "mailbox.protocol", "gone");
    return m->raw;
  }

  util::Status Dispose(const std::vector<RemoteMessageRef>& refs) override {
    std::string line = "dispose ";
    for (const auto& r : refs) line += (line.size() > 8 ? "," : "") + r.uid;
    server_.log.push_back(line);
    if (server_.on_dispose) server_.on_dispose(refs);
    for (const auto& r : refs) {
      FakeServer::Message* m = Find(r);
      if (m == nullptr) continue;
      if (config_.protocol == "pop3") {
        if (config_.after == AfterImport::kDelete) deleted_.insert(m->uidl);
        continue;
      }
      switch (config_.after) {
        case AfterImport::kMarkSeen:
          m->seen = true;
          break;
        case AfterImport::kDelete:
          m->deleted = true;
          break;
        case AfterImport::kMove: {
          server_.moved.push_back(m->raw);
          const uint32_t uid = m->uid;
          Erase([uid](const FakeServer::Message& x) { return x.uid == uid; });
          break;
        }
        case AfterImport::kKeep:
          break;
      }
    }
    return util::OkStatus();
  }

  util::Status Close() override {
    server_.log.push_back("close");
    if (config_.protocol == "pop3") {
      Erase([&](const FakeServer::Message& x) { return deleted_.count(x.uidl) > 0; });
    } else {
      Erase([](const FakeServer::Message& x) { return x.deleted; });
    }
    return util::OkStatus();
  }

 private:
  FakeServer::Message* Find(const RemoteMessageRef& ref) {
    for (auto& m : server_.messages) {
      if (config_.protocol == "imap" ? m.uid == ref.uid_number : m.uidl == ref.uid) return &m;
    }
    return nullptr;
  }
  template <typename Pred>
  void Erase(Pred pred) {
    auto& v = server_.messages;
    v.erase(std::remove_if(v.begin(), v.end(), pred), v.end());
  }

  FakeServer& server_;
  RemoteMailboxConfig config_;
  std::set<std::string> deleted_;  // POP3 DELE of this session
};

class FakeFactory final : public RemoteMailboxFactory {
 public:
  explicit FakeFactory(FakeServer& server) : server_(server) {}

  util::Result<std::unique_ptr<RemoteMailbox>> Open(const RemoteMailboxConfig& config) override {
    server_.log.push_back("open");
    last_config = config;
    if (server_.open_error) return *server_.open_error;
    if (config.password != server_.password) {
      return util::MakeError(util::ErrorCode::kPermissionDenied, "mailbox.auth",
                             "[AUTHENTICATIONFAILED] Authentication failed.");
    }
    return std::unique_ptr<RemoteMailbox>(std::make_unique<FakeSession>(server_, config));
  }

  RemoteMailboxConfig last_config;

 private:
  FakeServer& server_;
};

}  // namespace replydesk::services::fake
