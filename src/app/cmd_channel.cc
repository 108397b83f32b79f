// `replydesk channel add|set|list`: receiving addresses, the teams they route
// to, their working hours (sla calendar text form, docs/sla.md) and promised
// first-response and resolution times in business hours.
#include <cstdio>
#include <iostream>

#include "app/context.h"
#include "app/json_views.h"
#include "domain/address.h"
#include "sla/calendar.h"

namespace replydesk::app {
namespace {

struct ChannelOptions {
  std::string address, name, team, language, kind, hours, first_response, resolution;
};

// "90", "90m", "4h", "1h30m" -> minutes; nullopt when malformed.
std::optional<int64_t> ParseMinutes(const std::string& s) {
  if (s.empty()) return std::nullopt;
  int64_t total = 0, n = 0;
  bool digits = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      n = n * 10 + (c - '0');
      digits = true;
      if (n > 10'000'000) return std::nullopt;
    } else if ((c == 'h' || c == 'm') && digits) {
      total += c == 'h' ? n * 60 : n;
      n = 0;
      digits = false;
    } else {
      return std::nullopt;
    }
  }
  return total + n;
}

// Applies the options that were given to `c`; an error message when one is bad.
std::string ApplyOptions(const ChannelOptions& o, domain::Channel& c) {
  if (!o.name.empty()) c.name = o.name;
  if (!o.language.empty()) c.language = o.language;
  if (!o.kind.empty()) {
    if (o.kind != "email" && o.kind != "form" && o.kind != "phone")
      return "--kind wants email, form or phone";
    c.kind = o.kind;
  }
  if (!o.hours.empty()) {
    auto calendar = sla::ParseCalendar(o.hours);
    if (!calendar.ok()) return "--hours: " + calendar.error().message;
    c.hours = sla::FormatCalendar(*calendar);
  }
  for (auto [text, field, flag] :
       {std::tuple{&o.first_response, &c.first_response_minutes, "--first-response"},
        std::tuple{&o.resolution, &c.resolution_minutes, "--resolution"}}) {
    if (text->empty()) continue;
    auto minutes = ParseMinutes(*text);
    if (!minutes) return std::string(flag) + " wants minutes or a duration like 4h or 1h30m";
    *field = *minutes;
  }
  return "";
}

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
  c.name = c.address;
  c.language = "en";
  if (auto bad = ApplyOptions(o, c); !bad.empty())
    return std::cerr << "replydesk: " << bad << "\n", 64;
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

int Set(const GlobalOptions& g, const ChannelOptions& o) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  std::string bad;
  domain::Channel c;
  auto st = (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto found, tx.FindChannelByAddress(domain::NormalizeAddress(o.address)));
    if (!found) return util::MakeError(util::ErrorCode::kNotFound, "channel.not_found", o.address);
    c = *found;
    bad = ApplyOptions(o, c);
    if (!bad.empty()) return util::OkStatus();
    if (!o.team.empty()) {
      RD_ASSIGN_OR_RETURN(c.team_id, TeamId(tx, o.team));
    }
    return tx.UpdateChannel(c);
  });
  if (!bad.empty()) return std::cerr << "replydesk: " << bad << "\n", 64;
  if (!st.ok())
    return PrintError(st.error()), st.error().code == util::ErrorCode::kNotFound ? 2 : 1;
  std::printf("channel %s: hours %s, first response %lld min, resolution %lld min\n",
              c.address.c_str(), c.hours.c_str(), static_cast<long long>(c.first_response_minutes),
              static_cast<long long>(c.resolution_minutes));
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
      std::printf(
          "%-32s %-20s team=%s lang=%s hours=\"%s\" first_response=%lldm resolution=%lldm\n",
          c.address.c_str(), c.name.c_str(), team_name(c.team_id).c_str(), c.language.c_str(),
          c.hours.c_str(), static_cast<long long>(c.first_response_minutes),
          static_cast<long long>(c.resolution_minutes));
  }
  if (as_json) std::cout << Dump(out) << "\n";
  return 0;
}

}  // namespace

void AddChannelCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* channel = app.add_subcommand("channel", "Receiving addresses and their teams");
  channel->require_subcommand(1);
  auto add_options = [](CLI::App* cmd, ChannelOptions& o) {
    cmd->add_option("ADDRESS", o.address, "support@example.com")->required();
    cmd->add_option("--name", o.name, "Display name (default: the address)");
    cmd->add_option("--team", o.team, "Team the channel routes to (created when new)");
    cmd->add_option("--language", o.language, "Default language: en, ru, bg, ro (default en)");
    cmd->add_option("--kind", o.kind, "email, form or phone (default email)");
    cmd->add_option("--hours", o.hours,
                    "Working hours, e.g. \"Europe/Sofia; Mon-Fri 09:00-18:00; holidays "
                    "2026-12-25\" or \"24/7\" (default 24/7; docs/sla.md)");
    cmd->add_option("--first-response", o.first_response,
                    "Promised first response in business time: minutes, or 4h, 1h30m (0: none)");
    cmd->add_option("--resolution", o.resolution, "Promised resolution in business time (0: none)");
  };
  auto* add = channel->add_subcommand("add", "Add a receiving address");
  auto o = std::make_shared<ChannelOptions>();
  add_options(add, *o);
  add->callback([&g, &exit_code, o] { exit_code = Add(g, *o); });
  auto* set = channel->add_subcommand("set", "Change a channel (only the options given)");
  auto so = std::make_shared<ChannelOptions>();
  add_options(set, *so);
  set->callback([&g, &exit_code, so] { exit_code = Set(g, *so); });
  auto* list = channel->add_subcommand("list", "List channels");
  auto as_json = std::make_shared<bool>(false);
  list->add_flag("--json", *as_json, "JSON output");
  list->callback([&g, &exit_code, as_json] { exit_code = List(g, *as_json); });
}

}  // namespace replydesk::app
