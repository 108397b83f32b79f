// `replydesk ingest`: one message on stdin, for an MTA pipe transport
// (Postfix pipe(8): `argv=replydesk ingest --sender ${sender} --recipient ${recipient}`).
// Exit codes follow sysexits(3), so the MTA does the right thing:
//   0 accepted (a duplicate too), 65 EX_DATAERR over the size limit (bounce),
//   75 EX_TEMPFAIL the store cannot take it now (the MTA retries).
//
// This is the full binary's ingest. While `serve` runs on the same SQLite
// database the lean launcher (lean_main.cc) accepts instead and leaves the
// processing to serve's workers; here, after the accept commit, the message is
// processed inline (best effort: a failure leaves it queued for `serve` or
// `inbound retry`, the exit code stays 0).
#include <unistd.h>

#include "app/context.h"
#include "services/inbound_worker.h"
#include "util/log.h"

namespace replydesk::app {
namespace {

struct IngestOptions {
  IngestEnvelope envelope;
  bool no_process = false;
};

int RunIngest(const GlobalOptions& g, const IngestOptions& o) {
  services::IngestSettings settings = MakeIngestSettings(g);
  auto store = OpenStore(g);
  if (!store.ok()) {
    PrintError(store.error());
    return kExTempFail;
  }
  auto accepted = IngestStdin(**store, settings, o.envelope);
  if (!accepted.ok()) {
    PrintError(accepted.error());
    return IngestExitCode(accepted.error());
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
  cmd->add_option("--channel", o->envelope.channel, "Receiving address (channel) of this message");
  cmd->add_option("--sender", o->envelope.sender, "Envelope sender (${sender} in Postfix pipe)");
  cmd->add_option("--recipient", o->envelope.recipients,
                  "Envelope recipient (${recipient}), repeatable");
  cmd->add_flag("--no-process", o->no_process, "Only accept; leave processing to `serve`");
  cmd->callback([&g, &exit_code, o] { exit_code = RunIngest(g, *o); });
}

}  // namespace replydesk::app
