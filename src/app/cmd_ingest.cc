// `replydesk ingest`: one message on stdin, for an MTA pipe transport
// (Postfix pipe(8): `argv=replydesk ingest --sender ${sender} --recipient ${recipient}`).
// Exit codes follow sysexits(3), so the MTA does the right thing:
//   0 accepted (a duplicate too), 65 EX_DATAERR over the size limit (bounce),
//   75 EX_TEMPFAIL the store cannot take it now (the MTA retries).
// After the accept commit the message is processed inline (best effort: a
// failure leaves it queued for `serve` or `inbound retry`, the exit code stays 0).
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <iterator>

#include "app/context.h"
#include "services/inbound_service.h"
#include "services/inbound_worker.h"
#include "util/log.h"

namespace replydesk::app {
namespace {

constexpr int kExOk = 0;
constexpr int kExDataErr = 65;
constexpr int kExTempFail = 75;

struct IngestOptions {
  std::string channel;
  std::string sender;
  std::vector<std::string> recipients;
  bool no_process = false;
};

util::Result<std::string> ReadStdin(size_t limit) {
  std::string data;
  char buf[1 << 16];
  while (true) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return util::MakeError(util::ErrorCode::kUnavailable, "ingest.read", strerror(errno));
    }
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > limit) {
      return util::MakeError(util::ErrorCode::kResourceExhausted, "inbound.too_large",
                             "message over " + std::to_string(limit) + " bytes");
    }
  }
  return data;
}

int ExitCodeFor(const util::Error& e) {
  return e.detail == "inbound.too_large" ? kExDataErr : kExTempFail;
}

int RunIngest(const GlobalOptions& g, const IngestOptions& o) {
  services::IngestSettings settings = MakeIngestSettings(g);
  auto raw = ReadStdin(settings.max_message_bytes);
  if (!raw.ok()) {
    PrintError(raw.error());
    return ExitCodeFor(raw.error());
  }
  auto store = OpenStore(g);
  if (!store.ok()) {
    PrintError(store.error());
    return kExTempFail;
  }
  services::AcceptRequest req{std::move(raw).value(), "pipe", o.sender, o.recipients};
  if (!o.channel.empty()) req.recipients.insert(req.recipients.begin(), o.channel);
  services::InboundService inbound(**store, util::SystemClock::Instance(), settings);
  auto accepted = inbound.Accept(req);
  if (!accepted.ok()) {
    PrintError(accepted.error());
    return ExitCodeFor(accepted.error());
  }
  if (!o.no_process && !accepted->duplicate) {
    services::InboundWorker worker(**store, util::SystemClock::Instance(), settings,
                                   "ingest-" + std::to_string(getpid()), TriggerSettings(g));
    auto r = worker.RunBatch(1);
    if (!r.ok())
      spdlog::warn("inbound#{} left queued: {}", accepted->inbound_id, r.error().ToString());
  }
  return kExOk;
}

}  // namespace

void AddIngestCommand(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("ingest", "Accept one message from stdin (MTA pipe transport)");
  auto o = std::make_shared<IngestOptions>();
  cmd->add_option("--channel", o->channel, "Receiving address (channel) of this message");
  cmd->add_option("--sender", o->sender, "Envelope sender (${sender} in Postfix pipe)");
  cmd->add_option("--recipient", o->recipients, "Envelope recipient (${recipient}), repeatable");
  cmd->add_flag("--no-process", o->no_process, "Only accept; leave processing to `serve`");
  cmd->callback([&g, &exit_code, o] { exit_code = RunIngest(g, *o); });
}

}  // namespace replydesk::app
