// MimeParser: see mime_parser.h. Header fields are decoded from their raw
// bytes by this module (header_decoder, address_list, header_fields); GMime
// splits the message into parts and undoes transfer encodings.
#include "mail/mime_parser.h"

#include <exception>

#include "mail/address_list.h"
#include "mail/auto_submitted.h"
#include "mail/body_walker.h"
#include "mail/charset.h"
#include "mail/gmime_handle.h"
#include "mail/header_decoder.h"
#include "mail/header_fields.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

void AddFlag(std::vector<std::string>* flags, const std::string& flag) {
  for (const std::string& f : *flags) {
    if (f == flag) return;
  }
  flags->push_back(flag);
}

// Length of the header block including its blank line; raw.size() when the
// message has no body.
size_t HeaderBlockLength(std::string_view raw) {
  for (size_t pos = raw.find('\n'); pos != std::string_view::npos; pos = raw.find('\n', pos + 1)) {
    size_t next = pos + 1;
    if (next < raw.size() && raw[next] == '\r') ++next;
    if (next < raw.size() && raw[next] == '\n') return next + 1;
  }
  return raw.size();
}

// A header block over the limit is cut at the last whole line that fits;
// the body is kept.
std::string CapHeaders(std::string_view raw, size_t max_header_bytes, bool* capped) {
  size_t header_length = HeaderBlockLength(raw);
  *capped = header_length > max_header_bytes;
  if (!*capped) return std::string(raw);
  size_t cut = raw.rfind('\n', max_header_bytes);
  std::string out(raw.substr(0, cut == std::string_view::npos ? 0 : cut + 1));
  // Drop a continuation line left without its header.
  while (!out.empty() && (out[0] == ' ' || out[0] == '\t')) out.erase(0, out.find('\n') + 1);
  out += "\n";
  out.append(raw.substr(header_length));
  return out;
}

GObjectPtr<GMimeMessage> Construct(const std::string& input, GMimeParserOptions* options) {
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(input.data(), input.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  return GObjectPtr<GMimeMessage>(g_mime_parser_construct_message(parser.get(), options));
}

// The boundary a top-level multipart uses without declaring it: the first
// "--X" line of what GMime had to leave in the prologue. Seen in the wild as
// "Content-Type: multipart/mixed\n\tboundary=..." (a missing ';').
std::string GuessBoundary(GMimeMessage* message) {
  GMimeObject* body = g_mime_message_get_mime_part(message);
  if (body == nullptr || !GMIME_IS_MULTIPART(body)) return {};
  auto* multipart = GMIME_MULTIPART(body);
  const char* prologue = g_mime_multipart_get_prologue(multipart);
  if (g_mime_multipart_get_count(multipart) != 0 || prologue == nullptr) return {};
  for (const std::string& raw_line : util::Split(prologue, '\n')) {
    std::string line = util::Trim(raw_line);
    if (line.size() < 3 || line.size() > 72 || !line.starts_with("--")) continue;
    if (line.find_first_of(" \t") != std::string::npos || line.ends_with("--")) continue;
    return line.substr(2);
  }
  return {};
}

// `input` with its top-level Content-Type replaced by `mime_type` and `boundary`.
std::string WithBoundary(std::string_view input, const std::string& mime_type,
                         const std::string& boundary) {
  size_t header_length = HeaderBlockLength(input);
  std::string out;
  bool skipping = false;
  for (const std::string& line : util::Split(input.substr(0, header_length), '\n')) {
    if (skipping && (line.starts_with(" ") || line.starts_with("\t"))) continue;
    skipping = util::StartsWithIgnoreCase(line, "content-type:");
    out += skipping ? "Content-Type: " + mime_type + "; boundary=\"" + boundary + "\"" : line;
    out += '\n';
  }
  out.pop_back();  // Split gave one piece more than there were line ends
  out.append(input.substr(header_length));
  return out;
}

std::string TopMimeType(GMimeMessage* message) {
  GMimeObject* body = g_mime_message_get_mime_part(message);
  GMimeContentType* type = body ? g_mime_object_get_content_type(body) : nullptr;
  char* mime = type ? g_mime_content_type_get_mime_type(type) : nullptr;
  std::string out = util::AsciiLower(mime ? mime : "");
  g_free(mime);
  return out;
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

const HeaderField* FindHeader(const std::vector<HeaderField>& headers, std::string_view name) {
  for (const HeaderField& h : headers) {
    if (util::EqualsIgnoreCase(h.name, name)) return &h;
  }
  return nullptr;
}

// Every occurrence of an address header, in order (two To: lines happen).
std::vector<Mailbox> Addresses(const std::vector<HeaderField>& headers, std::string_view name,
                               bool first_only, bool* repaired) {
  std::vector<Mailbox> out;
  for (const HeaderField& h : headers) {
    if (!util::EqualsIgnoreCase(h.name, name)) continue;
    for (Mailbox& m : DecodeAddressList(h.value, repaired)) out.push_back(std::move(m));
    if (first_only) break;
  }
  return out;
}

std::vector<std::string> RoutingAddresses(const std::vector<HeaderField>& headers,
                                          std::string_view name, bool* repaired) {
  std::vector<std::string> out;
  for (const Mailbox& m : Addresses(headers, name, false, repaired)) {
    if (!m.address.empty()) out.push_back(m.address);
  }
  return out;
}

void DecodeHeaders(const std::vector<HeaderField>& headers, ParsedMessage* m) {
  bool repaired = false;
  m->from = Addresses(headers, "From", true, &repaired);
  m->to = Addresses(headers, "To", false, &repaired);
  m->cc = Addresses(headers, "Cc", false, &repaired);
  m->reply_to = Addresses(headers, "Reply-To", true, &repaired);
  m->delivered_to = RoutingAddresses(headers, "Delivered-To", &repaired);
  m->x_original_to = RoutingAddresses(headers, "X-Original-To", &repaired);
  if (const HeaderField* h = FindHeader(headers, "Subject")) {
    DecodedText subject = DecodeHeaderText(h->value);
    repaired |= subject.repaired;
    m->subject = SanitizeUtf8(subject.text);
  }
  if (const HeaderField* h = FindHeader(headers, "Date")) m->date = ParseDate(h->value);
  if (const HeaderField* h = FindHeader(headers, "Message-ID")) {
    m->message_id = SanitizeUtf8(ParseMessageId(h->value));
  }
  if (const HeaderField* h = FindHeader(headers, "In-Reply-To")) {
    m->in_reply_to = ParseMessageIds(SanitizeUtf8(h->value));
  }
  if (const HeaderField* h = FindHeader(headers, "References")) {
    m->references = ParseMessageIds(SanitizeUtf8(h->value));
  }
  for (auto* list : {&m->from, &m->to, &m->cc, &m->reply_to}) {
    for (Mailbox& mb : *list) {
      mb.name = SanitizeUtf8(mb.name);
      mb.address = SanitizeUtf8(mb.address);
    }
  }
  if (repaired) AddFlag(&m->flags, "repair.charset_guessed");
}

ParsedMessage ParseWithGMime(std::string_view raw, const ParseLimits& limits) {
  ParsedMessage m;
  bool capped = false;
  std::string input = CapHeaders(raw, limits.max_header_bytes, &capped);
  if (capped) AddFlag(&m.flags, "limit.header_bytes");
  ParserOptionsPtr options = NewParserOptions(&m.flags);
  GObjectPtr<GMimeMessage> message = Construct(input, options.get());
  if (message == nullptr) {
    // Not even a header block: keep the bytes readable as text.
    AddFlag(&m.flags, "repair.unparsable");
    m.text = SanitizeUtf8(ToUtf8(input.substr(0, limits.max_text_bytes), "").text);
    return m;
  }
  if (std::string boundary = GuessBoundary(message.get()); !boundary.empty()) {
    input = WithBoundary(input, TopMimeType(message.get()), boundary);
    if (auto repaired = Construct(input, options.get())) message = std::move(repaired);
    AddFlag(&m.flags, "repair.missing_boundary");
  }
  std::vector<HeaderField> headers = TopHeaders(GMIME_OBJECT(message.get()));
  DecodeHeaders(headers, &m);
  GMimeObject* body = g_mime_message_get_mime_part(message.get());
  BodyWalker walker(limits, &m.flags);
  walker.Walk(body);
  m.text = walker.TakeText();
  m.html = walker.TakeHtml();
  m.attachments = walker.TakeAttachments();
  m.auto_submitted = IsAutoSubmitted(headers, TopMimeType(message.get()), m.from);
  return m;
}

}  // namespace

MimeParser::MimeParser(ParseLimits limits) : limits_(limits) {
  SharedParserOptions();  // initialise GMime before any thread parses
}

ParsedMessage MimeParser::Parse(std::string_view raw) const {
  try {
    return ParseWithGMime(raw, limits_);
  } catch (const std::exception& e) {
    // Only std::bad_alloc is expected here; the message is still stored raw.
    ParsedMessage m;
    m.flags.push_back("repair.parse_failed");
    return m;
  }
}

}  // namespace replydesk::mail
