// `replydesk outbox list`: outgoing mail and its delivery state, for admins
// and scripts (sending itself is done by `serve` or `work` with --smtp).
#include <cstdio>
#include <iostream>

#include "app/context.h"
#include "app/json_views.h"

namespace replydesk::app {
namespace {

int List(const GlobalOptions& g, const std::string& state, int limit, bool as_json) {
  std::optional<domain::OutboundState> filter;
  if (!state.empty()) {
    filter = domain::ParseOutboundState(state);
    if (!filter) return std::cerr << "replydesk: unknown state " << state << "\n", 64;
  }
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  std::vector<domain::Outbound> rows;
  auto st = (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(rows, tx.ListOutbound(filter, limit));
    return util::OkStatus();
  });
  if (!st.ok()) return PrintError(st.error()), 1;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : rows) {
    out.push_back(ToJson(o));
    if (as_json) continue;
    std::string to;
    for (const auto& r : o.recipients) to += (to.empty() ? "" : ",") + r;
    std::printf("%-6lld %-8s attempts=%d %s%s to=%s %s\n", static_cast<long long>(o.id),
                domain::OutboundStateName(o.state), o.attempts,
                util::FormatIso8601Utc(o.created_at).c_str(), o.automatic ? " auto" : "",
                to.c_str(), o.last_error.c_str());
  }
  if (as_json) std::cout << Dump(out) << "\n";
  return 0;
}

}  // namespace

void AddOutboxCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* outbox = app.add_subcommand("outbox", "Outgoing mail and its delivery state");
  outbox->require_subcommand(1);
  auto* list = outbox->add_subcommand("list", "List outgoing mail, newest first");
  auto state = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(100);
  auto as_json = std::make_shared<bool>(false);
  list->add_option("--state", *state, "queued, sent, failed, bounced");
  list->add_option("--limit", *limit, "At most this many")->capture_default_str();
  list->add_flag("--json", *as_json, "JSON output");
  list->callback(
      [&g, &exit_code, state, limit, as_json] { exit_code = List(g, *state, *limit, *as_json); });
}

}  // namespace replydesk::app
