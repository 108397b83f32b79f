// `replydesk inbound list|retry`: the raw messages as accepted and what
// processing made of them. A message whose processing failed stays here with
// its error until retried; nothing is ever dropped.
#include <cstdio>
#include <iostream>

#include "app/context.h"
#include "app/json_views.h"
#include "services/inbound_service.h"
#include "services/inbound_worker.h"

namespace replydesk::app {
namespace {

int List(const GlobalOptions& g, const std::string& state, int limit, bool as_json) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  store::InboundFilter filter;
  filter.limit = limit;
  if (!state.empty()) {
    filter.state = domain::ParseInboundState(state);
    if (!filter.state) return std::cerr << "replydesk: unknown state " << state << "\n", 64;
  }
  std::vector<domain::Inbound> rows;
  auto st = (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(rows, tx.ListInbound(filter));
    return util::OkStatus();
  });
  if (!st.ok()) return PrintError(st.error()), 1;
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) out.push_back(ToJson(r));
    std::cout << Dump(out) << "\n";
    return 0;
  }
  for (const auto& r : rows) {
    std::printf("%-8lld %-10s %-7s %s %s%s\n", static_cast<long long>(r.id),
                domain::InboundStateName(r.state), r.source.c_str(),
                util::FormatIso8601Utc(r.received_at).c_str(), r.message_id.c_str(),
                r.error.empty() ? "" : ("  error: " + r.error).c_str());
  }
  return 0;
}

int Retry(const GlobalOptions& g, domain::Id id) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  services::IngestSettings settings = MakeIngestSettings(g);
  services::InboundService service(**store, util::SystemClock::Instance(), settings);
  if (auto st = service.Retry(id); !st.ok()) return PrintError(st.error()), 1;
  services::InboundWorker worker(**store, util::SystemClock::Instance(), settings, "cli-retry",
                                 TriggerSettings(g));
  auto r = worker.Drain();
  if (!r.ok()) return PrintError(r.error()), 1;
  std::printf("queued inbound %lld again; processed %d, failed %d\n", static_cast<long long>(id),
              r->processed, r->failed);
  return r->failed > 0 ? 1 : 0;
}

}  // namespace

void AddInboundCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* inbound = app.add_subcommand("inbound", "Accepted raw messages and their processing state");
  inbound->require_subcommand(1);
  auto* list = inbound->add_subcommand("list", "List accepted messages, newest first");
  auto state = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(100);
  auto as_json = std::make_shared<bool>(false);
  list->add_option("--state", *state, "queued, processed, failed, duplicate");
  list->add_option("--limit", *limit)->capture_default_str();
  list->add_flag("--json", *as_json, "JSON output");
  list->callback(
      [&g, &exit_code, state, limit, as_json] { exit_code = List(g, *state, *limit, *as_json); });
  auto* retry = inbound->add_subcommand("retry", "Process a failed message again");
  auto id = std::make_shared<domain::Id>(0);
  retry->add_option("ID", *id, "Inbound id (from `inbound list`)")->required();
  retry->callback([&g, &exit_code, id] { exit_code = Retry(g, *id); });
}

}  // namespace replydesk::app
