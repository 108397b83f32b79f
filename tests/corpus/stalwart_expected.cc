// Stalwart expected results: see stalwart_expected.h. Comparisons are on
// normalised values: white space runs collapse to one space (line-end and
// paragraph conventions differ between parsers, the words must not).
#include "stalwart_expected.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "mail/header_fields.h"
#include "mail/html_to_text.h"

namespace replydesk::mail {
namespace {

using Json = nlohmann::json;

long long DaysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

std::string Collapse(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<Mailbox> ReadAddresses(const Json& value) {
  std::vector<Mailbox> out;
  if (!value.is_object() || !value.contains("Address")) return out;
  const Json& address = value["Address"];
  auto add = [&](const Json& list) {
    for (const Json& a : list) {
      out.push_back(
          {a.value("name", Json()).is_string() ? a["name"].get<std::string>() : "",
           a.value("address", Json()).is_string() ? a["address"].get<std::string>() : ""});
    }
  };
  if (address.contains("List")) add(address["List"]);
  if (address.contains("Group")) {
    for (const Json& g : address["Group"]) {
      if (g.contains("addresses") && g["addresses"].is_array()) add(g["addresses"]);
    }
  }
  return out;
}

std::optional<long long> ReadDate(const Json& value) {
  if (!value.is_object() || !value.contains("DateTime")) return std::nullopt;
  const Json& d = value["DateTime"];
  long long seconds = DaysFromCivil(d["year"].get<long long>(), d["month"].get<unsigned>(),
                                    d["day"].get<unsigned>()) *
                          86400 +
                      d["hour"].get<long long>() * 3600 + d["minute"].get<long long>() * 60 +
                      d["second"].get<long long>();
  long long tz = d["tz_hour"].get<long long>() * 3600 + d["tz_minute"].get<long long>() * 60;
  return d["tz_before_gmt"].get<bool>() ? seconds + tz : seconds - tz;
}

std::string PartName(const Json& part) {
  std::string type_name;
  for (const Json& h : part["headers"]) {
    const Json& v = h["value"];
    if (!v.is_object() || !v.contains("ContentType")) continue;
    const Json& attributes = v["ContentType"]["attributes"];
    if (!attributes.is_array()) continue;
    for (const Json& a : attributes) {
      if (h["name"] == "content_disposition" && a["name"] == "filename") return a["value"];
      if (h["name"] == "content_type" && a["name"] == "name") type_name = a["value"];
    }
  }
  return type_name;
}

std::string MailboxesString(const std::vector<Mailbox>& list) {
  std::string out;
  for (const Mailbox& m : list) out += "[" + Collapse(m.name) + " <" + m.address + ">]";
  return out;
}

std::string NamesString(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += "[" + n + "]";
  return out;
}

}  // namespace

StalwartExpected ReadStalwartExpected(const std::string& text) {
  StalwartExpected e;
  Json j = Json::parse(text);
  const Json& parts = j["parts"];
  for (const Json& h : parts[0]["headers"]) {
    if (!h["name"].is_string()) continue;  // {"other": "X-Foo"}: not a field we compare
    const std::string name = h["name"];
    if (name == "from" && e.from.empty()) e.from = ReadAddresses(h["value"]);
    if (name == "to") e.to = ReadAddresses(h["value"]);
    if (name == "cc") e.cc = ReadAddresses(h["value"]);
    if (name == "subject" && h["value"].is_object() && h["value"].contains("Text")) {
      e.subject = h["value"]["Text"];
    }
    if (name == "date") e.date = ReadDate(h["value"]);
  }
  for (const Json& index : j["text_body"]) {
    const Json& body = parts[index.get<size_t>()]["body"];
    if (!body.is_object()) continue;
    if (body.contains("Text")) e.text += body["Text"].get<std::string>() + "\n";
    if (body.contains("Html")) e.text += HtmlToText(body["Html"].get<std::string>()) + "\n";
  }
  for (const Json& index : j["attachments"]) {
    std::string name = PartName(parts[index.get<size_t>()]);
    if (!name.empty()) e.attachment_names.push_back(name);
  }
  return e;
}

std::vector<FieldComparison> CompareWithStalwart(const StalwartExpected& e,
                                                 const ParsedMessage& m) {
  std::vector<FieldComparison> out;
  auto add = [&](const char* field, std::string ours, std::string expected) {
    out.push_back({field, ours == expected, ours, expected});
  };
  add("from", MailboxesString(m.from), MailboxesString(e.from));
  add("to", MailboxesString(m.to), MailboxesString(e.to));
  add("cc", MailboxesString(m.cc), MailboxesString(e.cc));
  add("subject", Collapse(m.subject), Collapse(e.subject));
  add("date", m.date ? FormatIsoDate(*m.date) : "null", e.date ? FormatIsoDate(*e.date) : "null");
  add("text", Collapse(m.text), Collapse(e.text));
  std::vector<std::string> ours;
  for (const ParsedAttachment& a : m.attachments) {
    bool synthesized = a.content_type.starts_with("message/") &&
                       std::find(e.attachment_names.begin(), e.attachment_names.end(),
                                 a.filename) == e.attachment_names.end();
    if (!a.filename.empty() && !synthesized) ours.push_back(a.filename);
  }
  add("attachments", NamesString(ours), NamesString(e.attachment_names));
  return out;
}

}  // namespace replydesk::mail
