// Inspect output: see inspect_json.h and docs/inspect-json.md.
#include "mail/inspect_json.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "mail/charset.h"
#include "mail/header_fields.h"
#include "mail/reply_trimmer.h"

namespace replydesk::mail {
namespace {

using Json = nlohmann::ordered_json;

Json MailboxesJson(const std::vector<Mailbox>& list) {
  Json out = Json::array();
  for (const Mailbox& m : list) {
    out.push_back({{"name", SanitizeUtf8(m.name)}, {"address", SanitizeUtf8(m.address)}});
  }
  return out;
}

Json StringsJson(const std::vector<std::string>& list) {
  Json out = Json::array();
  for (const std::string& s : list) out.push_back(SanitizeUtf8(s));
  return out;
}

std::string MailboxesText(const std::vector<Mailbox>& list) {
  std::string out;
  for (const Mailbox& m : list) {
    if (!out.empty()) out += ", ";
    out += m.name.empty() ? m.address : m.name + " <" + m.address + ">";
  }
  return out;
}

}  // namespace

std::string InspectJson(const ParsedMessage& m, bool pretty) {
  Json j;
  j["from"] = MailboxesJson(m.from);
  j["to"] = MailboxesJson(m.to);
  j["cc"] = MailboxesJson(m.cc);
  j["subject"] = SanitizeUtf8(m.subject);
  j["date"] = m.date ? Json(FormatIsoDate(*m.date)) : Json(nullptr);
  j["message_id"] = SanitizeUtf8(m.message_id);
  j["in_reply_to"] = StringsJson(m.in_reply_to);
  j["references"] = StringsJson(m.references);
  j["text"] = SanitizeUtf8(m.text);
  j["html"] = !m.html.empty();
  Json attachments = Json::array();
  for (const ParsedAttachment& a : m.attachments) {
    attachments.push_back({{"filename", SanitizeUtf8(a.filename)},
                           {"content_type", SanitizeUtf8(a.content_type)},
                           {"size", a.size},
                           {"content_id", SanitizeUtf8(a.content_id)}});
  }
  j["attachments"] = std::move(attachments);
  j["auto_submitted"] = m.auto_submitted;
  j["flags"] = StringsJson(m.flags);
  TrimmedReply reply = TrimReply(SanitizeUtf8(m.text));
  j["visible_text"] = std::move(reply.visible_text);
  j["signature"] = std::move(reply.signature);
  // Everything is valid UTF-8 now; `replace` is a second line of defence.
  return j.dump(pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace);
}

std::string InspectText(const ParsedMessage& m) {
  std::string out;
  out += "From: " + MailboxesText(m.from) + "\n";
  out += "To: " + MailboxesText(m.to) + "\n";
  if (!m.cc.empty()) out += "Cc: " + MailboxesText(m.cc) + "\n";
  out += "Subject: " + m.subject + "\n";
  out += "Date: " + (m.date ? FormatIsoDate(*m.date) : std::string("(none)")) + "\n";
  for (const ParsedAttachment& a : m.attachments) {
    out += "Attachment: " + (a.filename.empty() ? std::string("(unnamed)") : a.filename) + " (" +
           a.content_type + ", " + std::to_string(a.size) + " bytes" +
           (a.inline_part ? ", inline" : "") + ")\n";
  }
  if (m.auto_submitted) out += "Auto-Submitted: yes\n";
  if (!m.flags.empty()) {
    out += "Flags:";
    for (const std::string& f : m.flags) out += " " + f;
    out += "\n";
  }
  // The text as the trimmer splits it: what an agent sees, then the rest.
  TrimmedReply reply = TrimReply(m.text);
  out += "\n" + reply.visible_text + "\n";
  if (!reply.signature.empty()) out += "\n[signature]\n" + reply.signature + "\n";
  if (!reply.quoted.empty()) {
    size_t lines = 1 + std::count(reply.quoted.begin(), reply.quoted.end(), '\n');
    out += "\n[quoted: " + std::to_string(lines) + " lines]\n";
  }
  return SanitizeUtf8(out);
}

}  // namespace replydesk::mail
