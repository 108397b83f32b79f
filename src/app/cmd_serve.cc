// `replydesk serve`: the long-running process. Now: the LMTP listener
// (RFC 2033), the ingest hand-off socket (handoff.h), the mailbox pollers
// (IMAP/POP3) and the job workers; later the HTTP API.
// SIGINT/SIGTERM stop it cleanly: no new sessions, batches in hand finish.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>

#include "app/context.h"
#include "app/handoff_listener.h"
#include "app/ingest_core.h"
#include "app/mailbox_poll_thread.h"
#include "app/sender.h"
#include "app/worker_pool.h"
#include "channels/lmtp_server.h"
#include "channels/smtp_transport.h"
#include "domain/address.h"
#include "services/inbound_service.h"
#include "util/log.h"

namespace replydesk::app {
namespace {

struct ServeOptions {
  std::string lmtp = "127.0.0.1:2424";
  int workers = 0;  // 0: 1 on SQLite (one writer at a time), 2 on PostgreSQL
};

// Maps the accept path onto LMTP replies (one mapping table, STYLE.md "Errors").
channels::LmtpReply ReplyFor(const util::Result<services::AcceptResult>& r) {
  if (r.ok()) {
    return {250, "2.0.0",
            (r->duplicate ? "Ok: duplicate of inbound " : "Ok: queued as inbound ") +
                std::to_string(r->inbound_id)};
  }
  const util::Error& e = r.error();
  if (e.detail == "inbound.too_large") return {552, "5.3.4", "Message too big"};
  if (e.code == util::ErrorCode::kResourceExhausted)
    return {452, "4.3.1", "Insufficient system storage"};
  return {451, "4.3.0", "Temporary failure, try again later"};
}

// One store connection per session or hand-off thread, opened on first use
// and again after the store became unavailable.
class LazyStore {
 public:
  explicit LazyStore(const GlobalOptions& g) : g_(g) {}
  store::Store* Get(const char* who) {
    if (store_) return store_.get();
    auto opened = OpenStore(g_);
    if (!opened.ok()) return spdlog::error("{}: {}", who, opened.error().ToString()), nullptr;
    store_ = std::move(opened).value();
    return store_.get();
  }
  // Accepts one message; drops the connection when the store became unavailable.
  util::Result<services::AcceptResult> Accept(const services::AcceptRequest& request,
                                              const char* who) {
    store::Store* store = Get(who);
    if (store == nullptr)
      return util::MakeError(util::ErrorCode::kUnavailable, "store.unavailable");
    services::InboundService service(*store, util::SystemClock::Instance(), MakeIngestSettings(g_));
    auto r = service.Accept(request);
    if (!r.ok() && r.error().code == util::ErrorCode::kUnavailable) Reset();
    return r;
  }
  void Reset() { store_.reset(); }

 private:
  const GlobalOptions& g_;
  std::unique_ptr<store::Store> store_;
};

class LmtpBridge : public channels::LmtpHandler {
 public:
  LmtpBridge(const GlobalOptions& g, WorkerPool& workers) : store_(g), workers_(workers) {}

  channels::LmtpReply CheckRecipient(const std::string& address) override {
    const std::string normalized = domain::NormalizeAddress(address);
    // An MTA keeps its connection for many messages to the same few
    // addresses: remember known channels for a few seconds per session
    // instead of a transaction per recipient.
    auto now = std::chrono::steady_clock::now();
    if (auto it = known_.find(normalized); it != known_.end() && now - it->second < kKnownFor) {
      return {250, "2.1.5", "Ok"};
    }
    store::Store* store = store_.Get("lmtp");
    if (store == nullptr) return {451, "4.3.0", "Store unavailable, try again later"};
    std::optional<domain::Channel> channel;
    auto st = store->Transact([&](store::Tx& tx) -> util::Status {
      RD_ASSIGN_OR_RETURN(channel, tx.FindChannelByAddress(normalized));
      return util::OkStatus();
    });
    if (!st.ok()) {
      store_.Reset();
      return {451, "4.3.0", "Store unavailable, try again later"};
    }
    if (!channel) return {550, "5.1.1", "No such channel here"};
    if (known_.size() > 1000) known_.clear();
    known_[normalized] = now;
    return {250, "2.1.5", "Ok"};
  }

  std::vector<channels::LmtpReply> Deliver(const std::string& message,
                                           const channels::LmtpEnvelope& env) override {
    auto r = store_.Accept({message, "lmtp", env.mail_from, env.rcpt_to}, "lmtp");
    if (r.ok())
      workers_.Wake();
    else
      spdlog::warn("lmtp from {}: {}", env.client, r.error().ToString());
    // One message, one inbound row: every recipient gets the same answer.
    return std::vector<channels::LmtpReply>(env.rcpt_to.size(), ReplyFor(r));
  }

 private:
  static constexpr std::chrono::seconds kKnownFor{10};
  LazyStore store_;
  WorkerPool& workers_;
  std::map<std::string, std::chrono::steady_clock::time_point> known_;
};

// `replydesk ingest` processes handing their message over (handoff.h).
class HandoffBridge : public HandoffHandler {
 public:
  HandoffBridge(const GlobalOptions& g, WorkerPool& workers) : store_(g), workers_(workers) {}

  HandoffReply Accept(const IngestEnvelope& envelope, std::string message) override {
    auto r = store_.Accept({std::move(message), "pipe", envelope.sender, envelope.recipients},
                           "ingest hand-off");
    if (!r.ok()) {
      spdlog::warn("ingest hand-off: {}", r.error().ToString());
      return {IngestExitCode(r.error()), r.error().ToString()};
    }
    workers_.Wake();
    return {kExOk, (r->duplicate ? "duplicate of inbound " : "queued as inbound ") +
                       std::to_string(r->inbound_id)};
  }

 private:
  LazyStore store_;
  WorkerPool& workers_;
};

int Serve(const GlobalOptions& g, const ServeOptions& o) {
  // Migrate once up front so sessions and workers open a ready schema.
  if (auto s = OpenStore(g); !s.ok()) return PrintError(s.error()), 1;
  channels::LmtpOptions lmtp;
  auto colon = o.lmtp.rfind(':');
  if (colon == std::string::npos) return std::cerr << "replydesk: --lmtp wants HOST:PORT\n", 64;
  lmtp.host = o.lmtp.substr(0, colon);
  lmtp.port = static_cast<uint16_t>(std::stoi(o.lmtp.substr(colon + 1)));
  lmtp.max_message_bytes = MakeIngestSettings(g).max_message_bytes;

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // threads started below inherit the mask

  int threads = o.workers;
  if (threads <= 0) threads = g.db.rfind("postgres", 0) == 0 ? 2 : 1;
  if (!g.smtp.empty()) {
    auto smtp = channels::SmtpSettings::ParseSmtpUrl(g.smtp);
    if (!smtp.ok()) return PrintError(smtp.error()), 64;
    if (auto out = MakeOutboundSettings(g); !out.ok()) return PrintError(out.error()), 64;
  }
  std::unique_ptr<Sender> sender;
  if (!g.smtp.empty()) sender = std::make_unique<Sender>(g);
  WorkerPool workers(g, threads, [&sender] {
    if (sender) sender->Wake();
  });
  // `ingest` processes hand their message to us instead of opening the store.
  std::unique_ptr<HandoffListener> handoff;
  if (auto name = ServeSocketName(g.db)) {
    HandoffOptions ho;
    ho.max_message_bytes = lmtp.max_message_bytes;
    handoff = HandoffListener::Start(*name, ho,
                                     [&] { return std::make_unique<HandoffBridge>(g, workers); });
    if (!handoff->bound())
      spdlog::warn(
          "serve: another serve has this database's ingest socket; taking it when it goes");
  }
  channels::LmtpServer server(lmtp, [&] { return std::make_unique<LmtpBridge>(g, workers); });
  if (auto st = server.Start(); !st.ok()) return PrintError(st.error()), 1;
  MailboxPollThread pollers(g, workers);
  std::printf("replydesk serve: LMTP on %s:%u, %d workers, database %s, outgoing mail %s\n",
              lmtp.host.c_str(), server.port(), threads, g.db.c_str(),
              sender ? "via SMTP" : "held in the outbox (no --smtp)");
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  std::printf("replydesk serve: stopping (signal %d)\n", sig);
  server.Stop();
  pollers.Stop();
  handoff.reset();
  workers.Stop();
  if (sender) sender->Stop();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd =
      app.add_subcommand("serve", "Run the LMTP listener, the mailbox pollers and the job workers");
  auto o = std::make_shared<ServeOptions>();
  cmd->add_option("--lmtp", o->lmtp, "LMTP listen address HOST:PORT (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--workers", o->workers, "Job worker threads (0: 1 on SQLite, 2 on PostgreSQL)")
      ->capture_default_str();
  cmd->callback([&g, &exit_code, o] { exit_code = Serve(g, *o); });
}

}  // namespace replydesk::app
