// `replydesk ticket list|show|attachment|reply|note|call` for admins and scripts. A
// ticket is named by its number as shown to people ("104233", "T-104233",
// "[#T-104233]").
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/context.h"
#include "app/json_views.h"
#include "domain/ticket_tag.h"
#include "services/attachment_reader.h"
#include "services/reply_service.h"

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
    RD_ASSIGN_OR_RETURN(auto tags, tx.ListTicketTags(ticket->id));
    out = ToJson(*ticket);
    out["tags"] = tags;
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
      if (!a.delivery_status.empty()) {
        text += "[delivery] " + a.delivery_status +
                (a.delivery_error.empty() ? "" : ": " + a.delivery_error) + "\n";
      }
      if (a.kind == domain::ArticleKind::kPhone) {
        text += "[call] " + std::to_string(a.duration_seconds) + " s\n";
      }
      for (const auto& att : attachments) {
        aj["attachments"].push_back(ToJson(att));
        text += "[attachment " + std::to_string(att.id) + "] " + att.filename + " (" +
                att.content_type + ", " + std::to_string(att.size) + " bytes)\n";
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

struct ReplyOptions {
  std::string id, agent, template_name, text, text_file, language, number, summary;
  std::vector<std::string> attach, cc;
  bool outbound_call = false;
  int64_t duration_seconds = 0;
};

std::string ContentTypeFor(const std::filesystem::path& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".pdf", "application/pdf"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".txt", "text/plain"},
      {".csv", "text/csv"},
      {".zip", "application/zip"},
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}};
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ostringstream out;
  if (path == "-") {
    out << std::cin.rdbuf();
    return out.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  out << in.rdbuf();
  return out.str();
}

int ExitFor(const util::Error& e) {
  PrintError(e);
  if (e.code == util::ErrorCode::kNotFound) return 2;
  if (e.code == util::ErrorCode::kInvalidArgument) return 64;
  return 1;
}

// Shared by reply, note and call: the ticket number and the service.
struct ReplyCall {
  int64_t number = 0;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<services::ReplyService> service;
};

std::optional<int> Prepare(const GlobalOptions& g, const ReplyOptions& o, ReplyCall& call) {
  auto number = ParseTicketNumber(o.id, g.tag_prefix);
  if (!number) return std::cerr << "replydesk: not a ticket number: " << o.id << "\n", 64;
  call.number = *number;
  auto settings = MakeOutboundSettings(g);
  if (!settings.ok()) return PrintError(settings.error()), 64;
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  call.store = std::move(store).value();
  call.service = std::make_unique<services::ReplyService>(
      *call.store, util::SystemClock::Instance(), *settings, domain::TicketTag(g.tag_prefix));
  return std::nullopt;
}

int Reply(const GlobalOptions& g, const ReplyOptions& o) {
  services::ReplyRequest req;
  req.agent_email = o.agent;
  req.template_name = o.template_name;
  req.text = o.text;
  req.language = o.language;
  req.cc = o.cc;
  if (!o.text_file.empty()) {
    auto text = ReadFile(o.text_file);
    if (!text) return std::cerr << "replydesk: cannot read " << o.text_file << "\n", 66;
    req.text = *text;
  }
  for (const auto& path : o.attach) {
    auto data = ReadFile(path);
    if (!data) return std::cerr << "replydesk: cannot read " << path << "\n", 66;
    req.attachments.push_back(
        {std::filesystem::path(path).filename().string(), ContentTypeFor(path), *data});
  }
  ReplyCall call;
  if (auto code = Prepare(g, o, call)) return *code;
  req.ticket_number = call.number;
  auto queued = call.service->Reply(req);
  if (!queued.ok()) return ExitFor(queued.error());
  std::printf("reply queued: article %lld, outbound %lld, Message-ID <%s>\n",
              static_cast<long long>(queued->article.id),
              static_cast<long long>(queued->outbound.id), queued->article.message_id.c_str());
  return 0;
}

int Note(const GlobalOptions& g, const ReplyOptions& o) {
  ReplyCall call;
  if (auto code = Prepare(g, o, call)) return *code;
  std::string text = o.text;
  if (!o.text_file.empty()) {
    auto read = ReadFile(o.text_file);
    if (!read) return std::cerr << "replydesk: cannot read " << o.text_file << "\n", 66;
    text = *read;
  }
  auto article = call.service->Note({call.number, o.agent, text});
  if (!article.ok()) return ExitFor(article.error());
  std::printf("note added: article %lld\n", static_cast<long long>(article->id));
  return 0;
}

int Call(const GlobalOptions& g, const ReplyOptions& o) {
  ReplyCall call;
  if (auto code = Prepare(g, o, call)) return *code;
  services::CallRequest req{call.number,        o.agent,  !o.outbound_call, o.number,
                            o.duration_seconds, o.summary};
  auto article = call.service->Call(req);
  if (!article.ok()) return ExitFor(article.error());
  std::printf("call logged: article %lld\n", static_cast<long long>(article->id));
  return 0;
}

// Writes an attachment's bytes to `out` ("-": standard output).
int SaveAttachment(const GlobalOptions& g, int64_t id, const std::string& out) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  services::AttachmentReader reader(**store, MakeIngestSettings(g).parse_limits);
  auto content = reader.Read(id);
  if (!content.ok()) {
    PrintError(content.error());
    return content.error().code == util::ErrorCode::kNotFound ? 2 : 1;
  }
  if (out == "-") {
    std::cout.write(content->data.data(), static_cast<std::streamsize>(content->data.size()));
    std::cout.flush();
    return std::cout ? 0 : 1;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f.write(content->data.data(), static_cast<std::streamsize>(content->data.size()));
  f.close();
  if (!f) return std::cerr << "replydesk: cannot write " << out << "\n", 1;
  std::fprintf(stderr, "%s: %zu bytes (%s)\n", out.c_str(), content->data.size(),
               content->attachment.filename.c_str());
  return 0;
}

}  // namespace

void AddTicketCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* ticket = app.add_subcommand("ticket", "List, show and answer tickets");
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

  auto* attachment = ticket->add_subcommand(
      "attachment", "Save an attachment's bytes (its id is in `ticket show`)");
  auto att_id = std::make_shared<int64_t>(0);
  auto att_out = std::make_shared<std::string>("-");
  attachment->add_option("ID", *att_id, "Attachment id")->required();
  attachment->add_option("--out", *att_out, "File to write (default -: standard output)");
  attachment->callback(
      [&g, &exit_code, att_id, att_out] { exit_code = SaveAttachment(g, *att_id, *att_out); });

  auto* reply =
      ticket->add_subcommand("reply", "Email the customer: template or text, signature, quote");
  auto ro = std::make_shared<ReplyOptions>();
  reply->add_option("ID", ro->id, "Ticket number")->required();
  reply->add_option("--agent", ro->agent, "Agent's login e-mail")->required();
  reply->add_option("--template", ro->template_name, "Canned response (replydesk template list)");
  reply->add_option("--text", ro->text, "Text of the reply (after the template's)");
  reply->add_option("--text-file", ro->text_file, "Read the text from a file (- = stdin)");
  reply->add_option("--language", ro->language, "en, ru, bg, ro (default: the ticket's)");
  reply->add_option("--attach", ro->attach, "File to attach (repeatable)");
  reply->add_option("--cc", ro->cc, "Copy to (repeatable)");
  reply->callback([&g, &exit_code, ro] { exit_code = Reply(g, *ro); });

  auto* note = ticket->add_subcommand("note", "Add an internal note (never emailed)");
  auto no = std::make_shared<ReplyOptions>();
  note->add_option("ID", no->id, "Ticket number")->required();
  note->add_option("--agent", no->agent, "Agent's login e-mail")->required();
  note->add_option("--text", no->text, "Text of the note");
  note->add_option("--text-file", no->text_file, "Read the text from a file (- = stdin)");
  note->callback([&g, &exit_code, no] { exit_code = Note(g, *no); });

  auto* call = ticket->add_subcommand("call", "Log a phone call on the ticket and the customer");
  auto co = std::make_shared<ReplyOptions>();
  call->add_option("ID", co->id, "Ticket number")->required();
  call->add_option("--agent", co->agent, "Agent's login e-mail")->required();
  call->add_option("--number", co->number, "Caller's phone number")->required();
  call->add_flag("--outbound", co->outbound_call, "We called the customer (default: they called)");
  call->add_option("--duration", co->duration_seconds, "Length of the call in seconds");
  call->add_option("--summary", co->summary, "What was said")->required();
  call->callback([&g, &exit_code, co] { exit_code = Call(g, *co); });
}

}  // namespace replydesk::app
