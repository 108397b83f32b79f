// `replydesk channel add|list` and `replydesk team add|list`: receiving
// addresses and the teams they route to. (Working hours and promises come with
// the SLA work; see issue "Outbound mail, acknowledgement".)
#include <cstdio>
#include <iostream>

#include "app/context.h"
#include "app/json_views.h"
#include "domain/address.h"

namespace replydesk::app {
namespace {

struct ChannelOptions {
  std::string address, name, team, language = "en";
};

util::Result<std::optional<domain::Id>> TeamId(store::Tx& tx, const std::string& team) {
  if (team.empty()) return std::optional<domain::Id>();
  RD_ASSIGN_OR_RETURN(auto found, tx.FindTeamByName(team));
  if (found) return std::optional<domain::Id>(found->id);
  RD_ASSIGN_OR_RETURN(auto created, tx.CreateTeam(team));
  return std::optional<domain::Id>(created.id);
}

int Add(const GlobalOptions& g, const ChannelOptions& o) {
  domain::Channel c;
  c.address = domain::NormalizeAddress(o.address);
  if (c.address.empty()) return std::cerr << "replydesk: not an address: " << o.address << "\n", 64;
  c.name = o.name.empty() ? c.address : o.name;
  c.language = o.language;
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  auto st = (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(c.team_id, TeamId(tx, o.team));
    RD_ASSIGN_OR_RETURN(c, tx.CreateChannel(c));
    return util::OkStatus();
  });
  if (!st.ok())
    return PrintError(st.error()), st.error().code == util::ErrorCode::kAlreadyExists ? 3 : 1;
  std::printf("channel %lld: %s\n", static_cast<long long>(c.id), c.address.c_str());
  return 0;
}

int List(const GlobalOptions& g, bool as_json) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  std::vector<domain::Channel> channels;
  std::vector<domain::Team> teams;
  auto st = (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(channels, tx.ListChannels());
    RD_ASSIGN_OR_RETURN(teams, tx.ListTeams());
    return util::OkStatus();
  });
  if (!st.ok()) return PrintError(st.error()), 1;
  auto team_name = [&](const std::optional<domain::Id>& id) -> std::string {
    for (const auto& t : teams) {
      if (id && t.id == *id) return t.name;
    }
    return "";
  };
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : channels) {
    auto j = ToJson(c);
    j["team"] = team_name(c.team_id);
    out.push_back(j);
    if (!as_json)
      std::printf("%-32s %-20s team=%s lang=%s\n", c.address.c_str(), c.name.c_str(),
                  team_name(c.team_id).c_str(), c.language.c_str());
  }
  if (as_json) std::cout << Dump(out) << "\n";
  return 0;
}

}  // namespace

void AddChannelCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* channel = app.add_subcommand("channel", "Receiving addresses and their teams");
  channel->require_subcommand(1);
  auto* add = channel->add_subcommand("add", "Add a receiving address");
  auto o = std::make_shared<ChannelOptions>();
  add->add_option("ADDRESS", o->address, "support@example.com")->required();
  add->add_option("--name", o->name, "Display name (default: the address)");
  add->add_option("--team", o->team, "Team the channel routes to (created when new)");
  add->add_option("--language", o->language, "Default language: en, ru, bg, ro")
      ->capture_default_str();
  add->callback([&g, &exit_code, o] { exit_code = Add(g, *o); });
  auto* list = channel->add_subcommand("list", "List channels");
  auto as_json = std::make_shared<bool>(false);
  list->add_flag("--json", *as_json, "JSON output");
  list->callback([&g, &exit_code, as_json] { exit_code = List(g, *as_json); });
}

}  // namespace replydesk::app
