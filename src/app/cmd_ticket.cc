// `replydesk ticket list|show` for admins and scripts. A ticket is named by
// its number as shown to people ("104233", "T-104233", "[#T-104233]").
#include <cstdio>
#include <iostream>

#include "app/context.h"
#include "app/json_views.h"
#include "domain/ticket_tag.h"

namespace replydesk::app {
namespace {

using nlohmann::json;

// Digits of "T-104233", "#T-104233", "[#T-104233]" or "104233".
std::optional<int64_t> ParseTicketNumber(const std::string& s, const std::string& prefix) {
  domain::TicketTag tag(prefix);
  if (auto n = tag.Find(s)) return n;
  if (auto n = tag.Find("[#" + s + "]")) return n;
  if (auto n = tag.Find("[" + s + "]")) return n;
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 18) {
    return std::stoll(s);
  }
  return std::nullopt;
}

int List(const GlobalOptions& g, const std::string& status, int limit, bool as_json) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  store::TicketFilter filter;
  filter.limit = limit;
  if (!status.empty()) {
    filter.status = domain::ParseTicketStatus(status);
    if (!filter.status) return std::cerr << "replydesk: unknown status " << status << "\n", 64;
  }
  std::vector<domain::Ticket> tickets;
  auto st = (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(tickets, tx.ListTickets(filter));
    return util::OkStatus();
  });
  if (!st.ok()) return PrintError(st.error()), 1;
  domain::TicketTag tag(g.tag_prefix);
  if (as_json) {
    json out = json::array();
    for (const auto& t : tickets) out.push_back(ToJson(t));
    std::cout << Dump(out) << "\n";
    return 0;
  }
  for (const auto& t : tickets) {
    std::printf("%-14s %-8s %s  %s\n", tag.Format(t.number).c_str(),
                domain::TicketStatusName(t.status), util::FormatIso8601Utc(t.updated_at).c_str(),
                t.subject.c_str());
  }
  return 0;
}

int Show(const GlobalOptions& g, const std::string& id, bool as_json) {
  auto number = ParseTicketNumber(id, g.tag_prefix);
  if (!number) return std::cerr << "replydesk: not a ticket number: " << id << "\n", 64;
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  json out;
  std::string text;
  auto st = (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto ticket, tx.FindTicketByNumber(*number));
    if (!ticket) return util::MakeError(util::ErrorCode::kNotFound, "ticket.not_found", id);
    RD_ASSIGN_OR_RETURN(auto customer, tx.GetCustomer(ticket->customer_id));
    RD_ASSIGN_OR_RETURN(auto articles, tx.ListArticles(ticket->id));
    out = ToJson(*ticket);
    out["customer"] = ToJson(customer);
    out["articles"] = json::array();
    text = "Ticket " + domain::TicketTag(g.tag_prefix).Format(ticket->number) + " (" +
           domain::TicketStatusName(ticket->status) + ") " + ticket->subject +
           "\nCustomer: " + customer.name +
           (customer.identities.empty() ? "" : " <" + customer.identities[0].value + ">") + "\n";
    for (const auto& a : articles) {
      RD_ASSIGN_OR_RETURN(auto attachments, tx.ListAttachments(a.id));
      json aj = ToJson(a);
      aj["attachments"] = json::array();
      text += "\n--- " + util::FormatIso8601Utc(a.created_at) + " " +
              domain::DirectionName(a.direction) + " " + domain::ArticleKindName(a.kind) +
              " from " + a.sender_name + " <" + a.sender_address + ">\n";
      for (const auto& att : attachments) {
        aj["attachments"].push_back(ToJson(att));
        text += "[attachment] " + att.filename + " (" + att.content_type + ", " +
                std::to_string(att.size) + " bytes)\n";
      }
      text += a.body_text + "\n";
      out["articles"].push_back(aj);
    }
    return util::OkStatus();
  });
  if (!st.ok())
    return PrintError(st.error()), st.error().code == util::ErrorCode::kNotFound ? 2 : 1;
  std::cout << (as_json ? Dump(out) + "\n" : text);
  return 0;
}

}  // namespace

void AddTicketCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* ticket = app.add_subcommand("ticket", "List and show tickets");
  ticket->require_subcommand(1);
  auto* list = ticket->add_subcommand("list", "List tickets, most recently updated first");
  auto status = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(100);
  auto as_json = std::make_shared<bool>(false);
  list->add_option("--status", *status, "new, open, pending, solved, closed");
  list->add_option("--limit", *limit, "At most this many")->capture_default_str();
  list->add_flag("--json", *as_json, "JSON output");
  list->callback(
      [&g, &exit_code, status, limit, as_json] { exit_code = List(g, *status, *limit, *as_json); });
  auto* show = ticket->add_subcommand("show", "Show a ticket with its articles and attachments");
  auto id = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  show->add_option("ID", *id, "Ticket number (104233 or T-104233)")->required();
  show->add_flag("--json", *show_json, "JSON output");
  show->callback([&g, &exit_code, id, show_json] { exit_code = Show(g, *id, *show_json); });
}

}  // namespace replydesk::app
