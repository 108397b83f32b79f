// `replydesk migrate` (apply schema migrations and report the version) and
// `replydesk work` (run queued jobs until none is ready, then exit).
#include <unistd.h>

#include <cstdio>

#include "app/context.h"
#include "channels/smtp_transport.h"
#include "services/inbound_worker.h"
#include "services/outbound_worker.h"

namespace replydesk::app {
namespace {

int Migrate(const GlobalOptions& g) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  std::printf("schema version %d\n", (*store)->SchemaVersion());
  return 0;
}

int Work(const GlobalOptions& g) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  services::InboundWorker worker(**store, util::SystemClock::Instance(), MakeIngestSettings(g),
                                 "work-" + std::to_string(getpid()), TriggerSettings(g));
  auto r = worker.Drain();
  if (!r.ok()) return PrintError(r.error()), 1;
  std::printf("processed %d, failed %d, new tickets %d\n", r->processed, r->failed, r->new_tickets);
  if (g.smtp.empty()) return 0;
  // Then the outbox: what is due now (later retries stay queued).
  auto smtp = channels::SmtpSettings::ParseSmtpUrl(g.smtp);
  if (!smtp.ok()) return PrintError(smtp.error()), 64;
  auto settings = MakeOutboundSettings(g);
  if (!settings.ok()) return PrintError(settings.error()), 64;
  channels::SmtpTransport transport(*smtp);
  services::OutboundWorker sender(**store, util::SystemClock::Instance(), transport, *settings,
                                  "work-" + std::to_string(getpid()));
  auto sent = sender.Drain();
  if (!sent.ok()) return PrintError(sent.error()), 1;
  std::printf("sent %d, retrying later %d, failed %d\n", sent->sent, sent->retrying, sent->failed);
  return 0;
}

}  // namespace

void AddAdminCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  app.add_subcommand("migrate", "Apply pending schema migrations")->callback([&g, &exit_code] {
    exit_code = Migrate(g);
  });
  app.add_subcommand("work", "Run queued jobs until none is ready")->callback([&g, &exit_code] {
    exit_code = Work(g);
  });
}

}  // namespace replydesk::app
