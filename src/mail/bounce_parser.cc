// Bounce recognition: see bounce_parser.h.
//
// Order of the decision:
//   1. A message/delivery-status part (RFC 3464 §2) in a multipart/report or
//      from a daemon sender: kind "dsn", recipients from its fields.
//   2. Otherwise only a daemon sender (mailer-daemon, postmaster, Exchange's
//      system mailbox, null Return-Path, X-Failed-Recipients) is read further:
//      the notification text is matched against the known plain-text forms,
//      then against bounce phrases ("heuristic").
//   3. The original Message-ID comes from a returned message/rfc822 part,
//      text/rfc822-headers, the copy after a separator line, then the bounce's
//      own In-Reply-To/References (Exim and some webmails set them).
// The plain-text side (status codes, separators, the known notices) is in
// bounce_parser_text.cc.
#include "mail/bounce_parser.h"

#include <algorithm>
#include <exception>

#include "mail/address_list.h"
#include "mail/auto_submitted.h"
#include "mail/bounce_parser_text.h"
#include "mail/charset.h"
#include "mail/gmime_handle.h"
#include "mail/header_decoder.h"
#include "mail/header_fields.h"
#include "mail/html_to_text.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

using bounce::AddRecipient;
using bounce::AddressIn;
using bounce::Blank;
using bounce::Collapse;
using bounce::Indented;
using bounce::Lines;
using bounce::MatchTextForm;
using bounce::MessageIdsInHeaders;
using bounce::ReadsLikeDelay;
using bounce::SeparatorIndex;
using bounce::StatusIn;
using bounce::TextForm;

constexpr int kMaxDepth = 12;
constexpr int kMaxParts = 200;

// What the MIME walk found.
struct Parts {
  std::string report_type;                    // of a multipart/report, lower case
  std::vector<std::string> delivery_status;   // message/(global-)delivery-status bodies
  std::vector<std::string> returned_headers;  // header blocks of returned messages
  std::string plain;                          // notification text/plain parts, LF
  std::string html_as_text;                   // text/html parts rendered, when no plain
  int parts = 0;
};

std::string Lower(std::string_view s) { return util::AsciiLower(s); }

bool Contains(std::string_view haystack_lower, std::string_view needle_lower) {
  return haystack_lower.find(needle_lower) != std::string_view::npos;
}

std::string ToLf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i] == '\r' ? '\n' : text[i];
  }
  return out;
}

std::string MimeTypeOf(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  char* mime = type ? g_mime_content_type_get_mime_type(type) : nullptr;
  std::string out = Lower(mime ? mime : "text/plain");
  g_free(mime);
  return out;
}

std::string PartText(GMimePart* part) {
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  return ToLf(ToUtf8(DecodedContent(part), charset ? charset : "").text);
}

void Append(std::string* to, const std::string& text) {
  if (!to->empty()) *to += "\n\n";
  *to += text;
}

void Walk(GMimeObject* object, int depth, Parts* found) {
  if (object == nullptr || depth > kMaxDepth || ++found->parts > kMaxParts) return;
  std::string mime = MimeTypeOf(object);
  if (GMIME_IS_MULTIPART(object)) {
    if (mime == "multipart/report") {
      const char* type = g_mime_object_get_content_type_parameter(object, "report-type");
      found->report_type = Lower(util::TrimView(type ? type : ""));
    }
    auto* multipart = GMIME_MULTIPART(object);
    for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
      Walk(g_mime_multipart_get_part(multipart, i), depth + 1, found);
    }
    return;
  }
  if (GMIME_IS_MESSAGE_PART(object)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (inner == nullptr) return;
    if (Contains(mime, "delivery-status")) {
      found->delivery_status.push_back(ToLf(SerializeObject(GMIME_OBJECT(inner))));
    } else {  // the returned message: its headers only, never walked as notification
      char* headers = g_mime_object_get_headers(GMIME_OBJECT(inner), nullptr);
      found->returned_headers.push_back(ToLf(headers ? headers : ""));
      g_free(headers);
    }
    return;
  }
  if (!GMIME_IS_PART(object)) return;
  auto* part = GMIME_PART(object);
  if (mime == "message/delivery-status" || mime == "message/global-delivery-status") {
    found->delivery_status.push_back(PartText(part));
  } else if (mime == "text/rfc822-headers" || mime == "message/global-headers") {
    found->returned_headers.push_back(PartText(part));
  } else if (mime == "text/plain") {
    Append(&found->plain, PartText(part));
  } else if (mime == "text/html") {
    Append(&found->html_as_text, HtmlToText(PartText(part)));
  }
}

std::vector<HeaderField> TopHeaders(GMimeObject* message) {
  std::vector<HeaderField> out;
  GMimeHeaderList* list = g_mime_object_get_header_list(message);
  int count = list ? g_mime_header_list_get_count(list) : 0;
  for (int i = 0; i < count; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    const char* name = g_mime_header_get_name(h);
    const char* value = g_mime_header_get_raw_value(h);
    if (name != nullptr) out.push_back({name, Unfold(value ? value : "")});
  }
  return out;
}

std::string HeaderValue(const std::vector<HeaderField>& headers, std::string_view name) {
  for (const HeaderField& h : headers) {
    if (util::EqualsIgnoreCase(h.name, name)) return util::Trim(h.value);
  }
  return {};
}

// ------------------------------------------------------------- RFC 3464 fields

// "rfc822; <a@b>" -> "a@b".
std::string TypedValue(std::string_view value) {
  size_t semicolon = value.find(';');
  std::string_view v =
      util::TrimView(semicolon == value.npos ? value : value.substr(semicolon + 1));
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
  return std::string(util::TrimView(v));
}

// Per-recipient field groups of a delivery-status body (RFC 3464 §2.3);
// blocks are separated by empty lines, fields may be folded.
void ParseDeliveryStatus(const std::string& body, std::vector<BounceRecipient>* out) {
  std::vector<HeaderField> block;
  auto flush = [&] {
    BounceRecipient r;
    bool recipient = false;
    for (const HeaderField& f : block) {
      std::string value = Collapse(f.value);
      if (util::EqualsIgnoreCase(f.name, "Final-Recipient")) {
        r.address = TypedValue(value), recipient = true;
      } else if (util::EqualsIgnoreCase(f.name, "Original-Recipient") && r.address.empty()) {
        r.address = TypedValue(value), recipient = true;
      } else if (util::EqualsIgnoreCase(f.name, "Action")) {
        r.action = Lower(util::TrimView(value.substr(0, value.find_first_of(" ;("))));
        recipient = true;
      } else if (util::EqualsIgnoreCase(f.name, "Status")) {
        r.status = StatusIn(value);
      } else if (util::EqualsIgnoreCase(f.name, "Diagnostic-Code")) {
        r.diagnostic = value.find(';') == std::string::npos ? value : TypedValue(value);
      }
    }
    if (recipient) AddRecipient(out, std::move(r));
    block.clear();
  };
  for (const std::string& line : Lines(body)) {
    if (Blank(line)) {
      flush();
    } else if (Indented(line) && !block.empty()) {
      block.back().value += " " + util::Trim(line);
    } else if (size_t colon = line.find(':');
               colon != std::string::npos && colon > 0 && line.find_first_of(" \t") > colon) {
      block.push_back({line.substr(0, colon), line.substr(colon + 1)});
    }
  }
  flush();
}

// ------------------------------------------------------------------ assembly

// Sender hints of an automatic delivery notice (RFC 3464 §2: DSNs go to the
// null reverse-path; Exim adds X-Failed-Recipients).
bool FromDaemon(const std::vector<HeaderField>& headers, const std::vector<Mailbox>& from) {
  for (const Mailbox& m : from) {
    if (IsDaemonAddress(m.address)) return true;
  }
  if (HeaderValue(headers, "Return-Path") == "<>") return true;
  return !HeaderValue(headers, "X-Failed-Recipients").empty();
}

void AddId(std::vector<std::string>* ids, const std::string& id, const std::string& own) {
  if (id.empty() || id == own) return;
  if (std::find(ids->begin(), ids->end(), id) == ids->end()) ids->push_back(id);
}

std::vector<std::string> OriginalIds(const Parts& parts, const std::string& text,
                                     const std::vector<HeaderField>& headers) {
  std::string own = ParseMessageId(HeaderValue(headers, "Message-ID"));
  std::vector<std::string> ids;
  for (const std::string& block : parts.returned_headers) {
    for (const std::string& id : MessageIdsInHeaders(Lines(block))) AddId(&ids, id, own);
  }
  std::vector<std::string> lines = Lines(text);
  // The copy after a separator; without one, a Message-ID line anywhere in
  // the notice is the original's (daemons do not quote other messages).
  size_t separator = SeparatorIndex(lines);
  size_t from = separator < lines.size() ? separator + 1 : 0;
  for (const std::string& id : MessageIdsInHeaders(lines, from)) AddId(&ids, id, own);
  for (const char* name : {"In-Reply-To", "References"}) {
    std::vector<std::string> refs = ParseMessageIds(HeaderValue(headers, name));
    for (auto it = refs.rbegin(); it != refs.rend(); ++it) AddId(&ids, *it, own);  // newest first
  }
  return ids;
}

// Fills action from the form when a recipient has none, then decides
// is_bounce/permanent from the recipients' actions.
void Conclude(BounceReport* report, bool delayed) {
  bool failed = false, delay = false, other = false;
  for (BounceRecipient& r : report->recipients) {
    if (r.action.empty()) {
      if (r.status.starts_with('5')) {
        r.action = "failed";
      } else if (r.status.starts_with('4') || delayed) {
        r.action = "delayed";
      } else {
        r.action = "failed";
      }
    }
    failed |= r.action == "failed";
    delay |= r.action == "delayed";
    other |= r.action != "failed" && r.action != "delayed";
  }
  if (report->recipients.empty()) {
    report->is_bounce = true;
    report->permanent = !delayed;
  } else {
    // Only delivered/relayed/expanded: a success report, not a bounce.
    report->is_bounce = failed || delay || !other;
    report->permanent = failed;
  }
}

void AddFailedRecipientsHeader(const std::vector<HeaderField>& headers, BounceReport* report) {
  for (const std::string& a : util::Split(HeaderValue(headers, "X-Failed-Recipients"), ',')) {
    std::string address = AddressIn(a);
    if (!address.empty()) AddRecipient(&report->recipients, {address, "failed", "", ""});
  }
}

BounceReport Parse(std::string_view raw) {
  BounceReport report;
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GObjectPtr<GMimeMessage> message(
      g_mime_parser_construct_message(parser.get(), SharedParserOptions()));
  if (!message) return report;
  std::vector<HeaderField> headers = TopHeaders(GMIME_OBJECT(message.get()));
  bool repaired = false;
  std::vector<Mailbox> from = DecodeAddressList(HeaderValue(headers, "From"), &repaired);
  std::string subject = DecodeHeaderText(HeaderValue(headers, "Subject")).text;
  Parts parts;
  Walk(g_mime_message_get_mime_part(message.get()), 0, &parts);
  std::string text = parts.plain.empty() ? parts.html_as_text : parts.plain;
  bool daemon = FromDaemon(headers, from);
  bool report_part =
      !parts.delivery_status.empty() && (parts.report_type == "delivery-status" ||
                                         parts.report_type == "global-delivery-status" || daemon);
  bool delayed = false;
  if (report_part) {
    report.kind = "dsn";
    for (const std::string& body : parts.delivery_status) {
      ParseDeliveryStatus(body, &report.recipients);
    }
    delayed = ReadsLikeDelay(Lower(subject));
  } else if (daemon && parts.report_type != "disposition-notification") {
    std::vector<std::string> exclude;  // the notice's own parties are not the recipients
    for (const Mailbox& m : from) exclude.push_back(m.address);
    for (const Mailbox& m : DecodeAddressList(HeaderValue(headers, "To"), &repaired)) {
      exclude.push_back(m.address);
    }
    TextForm form = MatchTextForm(subject, text, exclude);
    if (form.kind.empty()) return report;
    report.kind = form.kind;
    report.recipients = std::move(form.recipients);
    delayed = form.delayed;
  } else {
    return report;
  }
  AddFailedRecipientsHeader(headers, &report);
  report.original_message_ids = OriginalIds(parts, text, headers);
  Conclude(&report, delayed);
  if (!report.is_bounce) report.kind.clear();
  return report;
}

}  // namespace

BounceReport ParseBounce(std::string_view raw) {
  try {
    return Parse(raw);
  } catch (const std::exception&) {
    return {};  // std::bad_alloc only; the message is processed as ordinary mail
  }
}

}  // namespace replydesk::mail
