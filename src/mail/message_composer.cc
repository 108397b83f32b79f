// Outgoing message composition on GMime 3: see message_composer.h.
// Structure: text/plain, or multipart/alternative (text, html), wrapped in
// multipart/mixed when there are attachments (RFC 2046 §5.1.3, §5.1.4).
#include "mail/message_composer.h"

#include <sodium.h>

#include <chrono>
#include <cstdint>

#include "mail/charset.h"
#include "mail/gmime_handle.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

constexpr size_t kPreferredLine = 78;  // RFC 5322 §2.1.1 SHOULD
constexpr size_t kMaxLine = 998;       // RFC 5322 §2.1.1 MUST

util::Error BadOutgoing(std::string message) {
  return util::MakeError(util::ErrorCode::kInvalidArgument, "mail.bad_outgoing",
                         std::move(message));
}

struct FormatOptionsFree {
  void operator()(GMimeFormatOptions* options) const { g_mime_format_options_free(options); }
};
using FormatOptionsPtr = std::unique_ptr<GMimeFormatOptions, FormatOptionsFree>;

// Header text (subject, display names) on one line: a CR, LF or other control
// character pasted from elsewhere becomes a space, so no header can be injected;
// invalid UTF-8 becomes U+FFFD (the text is declared utf-8 on the wire).
std::string OneLine(std::string_view s) {
  std::string out = SanitizeUtf8(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

// An addr-spec or msg-id: printable, no white space, no brackets.
bool IsPlainToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == ',' || c == ';') return false;
  }
  return true;
}

bool IsAddress(std::string_view address) {
  size_t at = address.rfind('@');
  return IsPlainToken(address) && at != 0 && at != std::string_view::npos &&
         at + 1 < address.size();
}

// RFC 5322 §2.2: field names are printable ASCII except ':'. The names the
// composer writes itself may not be overridden.
bool IsExtraHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ':') return false;
  }
  static constexpr std::string_view kOwn[] = {
      "From", "To",         "Cc",          "Bcc",        "Reply-To",     "Subject",
      "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version", "Auto-Submitted"};
  for (std::string_view own : kOwn) {
    if (util::EqualsIgnoreCase(name, own)) return false;
  }
  return !util::StartsWithIgnoreCase(name, "Content-");
}

util::Status Validate(const OutgoingMessage& m) {
  if (!IsAddress(m.from.address)) return BadOutgoing("From address missing or malformed");
  if (m.to.empty()) return BadOutgoing("no To recipient");
  for (const auto* list : {&m.to, &m.cc}) {
    for (const Mailbox& mb : *list) {
      if (!IsAddress(mb.address)) return BadOutgoing("malformed recipient '" + mb.address + "'");
    }
  }
  if (m.reply_to && !IsAddress(m.reply_to->address)) return BadOutgoing("malformed Reply-To");
  if (!IsPlainToken(m.message_id) || m.message_id.find('@') == std::string::npos) {
    return BadOutgoing("Message-ID missing or malformed");
  }
  if (!m.in_reply_to.empty() && !IsPlainToken(m.in_reply_to)) {
    return BadOutgoing("malformed In-Reply-To");
  }
  for (const std::string& id : m.references) {
    if (!IsPlainToken(id)) return BadOutgoing("malformed References id '" + id + "'");
  }
  for (const auto& [name, value] : m.extra_headers) {
    if (!IsExtraHeaderName(name)) return BadOutgoing("header name not allowed: '" + name + "'");
    if (value.find_first_of("\r\n") != std::string::npos) {
      return BadOutgoing("line break in header " + name);
    }
  }
  if (!m.auto_submitted.empty() && !IsPlainToken(m.auto_submitted)) {
    return BadOutgoing("malformed Auto-Submitted");
  }
  return util::OkStatus();
}

// Text with LF line ends (CRLF and lone CR folded), the form GMime's encoders
// expect; the output filter turns every LF into CRLF on the wire.
std::string ToLf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string ToCrlf(std::string_view lf_text) {
  std::string out;
  out.reserve(lf_text.size() + lf_text.size() / 32);
  for (char c : lf_text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

bool HasLongLine(std::string_view text, size_t max) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end - start > max) return true;
    start = end + 1;
  }
  return false;
}

void SetContent(GMimePart* part, std::string_view bytes) {
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new());
  g_mime_stream_write(stream.get(), bytes.data(), bytes.size());
  g_mime_stream_reset(stream.get());
  GObjectPtr<GMimeDataWrapper> wrapper(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, wrapper.get());
}

// A text/<subtype>; charset=utf-8 part. GMime picks 7bit, quoted-printable or
// base64 from the bytes; 7bit text with lines over 78 characters goes
// quoted-printable so that every line on the wire stays short. Base64 text is
// encoded in its canonical CRLF form (RFC 2045 §6.8).
GObjectPtr<GMimePart> TextPart(std::string_view utf8, const char* subtype) {
  std::string text = ToLf(SanitizeUtf8(utf8));
  GObjectPtr<GMimePart> part(GMIME_PART(g_mime_text_part_new_with_subtype(subtype)));
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", "utf-8");
  SetContent(part.get(), text);
  GMimeContentEncoding encoding =
      g_mime_part_get_best_content_encoding(part.get(), GMIME_ENCODING_CONSTRAINT_7BIT);
  if (encoding == GMIME_CONTENT_ENCODING_7BIT && HasLongLine(text, kPreferredLine)) {
    encoding = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
  }
  if (encoding == GMIME_CONTENT_ENCODING_BASE64) SetContent(part.get(), ToCrlf(text));
  g_mime_part_set_content_encoding(part.get(), encoding);
  return part;
}

// Sets parameter `name` to UTF-8 `value`, RFC 2231 encoded when not ASCII
// (continued as name*0*=, name*1*= when long, so lines stay under 78).
// Content-Type "name" is written too, as Thunderbird does: some clients read
// only that one. RFC 2047 there would be one unfoldable quoted string.
void SetUtf8Param(GMimeParamList* list, const char* name, const std::string& value) {
  g_mime_param_list_set_parameter(list, name, value.c_str());
  GMimeParam* param = g_mime_param_list_get_parameter(list, name);
  if (param == nullptr) return;
  g_mime_param_set_charset(param, "utf-8");
  g_mime_param_set_encoding_method(param, GMIME_PARAM_ENCODING_METHOD_RFC2231);
}

GObjectPtr<GMimePart> AttachmentPart(const OutgoingAttachment& attachment) {
  std::string type = util::Trim(OneLine(attachment.content_type));
  GObjectPtr<GMimeContentType> content_type(
      g_mime_content_type_parse(SharedParserOptions(), type.c_str()));
  const char* media = content_type ? g_mime_content_type_get_media_type(content_type.get()) : "";
  if (type.empty() || media == nullptr || *media == '\0') {
    content_type.reset(g_mime_content_type_new("application", "octet-stream"));
  }
  GObjectPtr<GMimePart> part(g_mime_part_new());
  GMimeObject* object = GMIME_OBJECT(part.get());
  g_mime_object_set_content_type(object, content_type.get());
  std::string filename = OneLine(attachment.filename);
  GObjectPtr<GMimeContentDisposition> disposition(g_mime_content_disposition_new());
  g_mime_content_disposition_set_disposition(disposition.get(), "attachment");
  if (!filename.empty()) {
    SetUtf8Param(g_mime_content_disposition_get_parameters(disposition.get()), "filename",
                 filename);
    SetUtf8Param(g_mime_content_type_get_parameters(g_mime_object_get_content_type(object)), "name",
                 filename);
  }
  g_mime_object_set_content_disposition(object, disposition.get());
  SetContent(part.get(), attachment.data);
  // Always base64: the bytes come back identical whatever they are.
  g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
  return part;
}

GObjectPtr<GMimeObject> Body(const OutgoingMessage& m) {
  GObjectPtr<GMimeObject> body(GMIME_OBJECT(TextPart(m.text, "plain").release()));
  if (!m.html.empty()) {
    GObjectPtr<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
    g_mime_multipart_add(alternative.get(), body.get());
    GObjectPtr<GMimePart> html = TextPart(m.html, "html");
    g_mime_multipart_add(alternative.get(), GMIME_OBJECT(html.get()));
    body.reset(GMIME_OBJECT(alternative.release()));
  }
  if (!m.attachments.empty()) {
    GObjectPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
    g_mime_multipart_add(mixed.get(), body.get());
    for (const OutgoingAttachment& attachment : m.attachments) {
      GObjectPtr<GMimePart> part = AttachmentPart(attachment);
      g_mime_multipart_add(mixed.get(), GMIME_OBJECT(part.get()));
    }
    body.reset(GMIME_OBJECT(mixed.release()));
  }
  return body;
}

// Display names are always encoded as UTF-8 (GMime would otherwise pick the
// "best" legacy charset, e.g. koi8-r for Cyrillic).
void AddMailbox(GMimeMessage* message, GMimeAddressType type, const Mailbox& mailbox) {
  std::string name = util::Trim(OneLine(mailbox.name));
  GObjectPtr<InternetAddress> address(
      internet_address_mailbox_new(name.empty() ? nullptr : name.c_str(), mailbox.address.c_str()));
  internet_address_set_charset(address.get(), "utf-8");
  internet_address_list_add(g_mime_message_get_addresses(message, type), address.get());
}

std::string IdList(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ' ';
    out += "<" + id + ">";
  }
  return out;
}

void SetHeaders(GMimeMessage* message, const OutgoingMessage& m) {
  GMimeObject* object = GMIME_OBJECT(message);
  AddMailbox(message, GMIME_ADDRESS_TYPE_FROM, m.from);
  for (const Mailbox& mb : m.to) AddMailbox(message, GMIME_ADDRESS_TYPE_TO, mb);
  for (const Mailbox& mb : m.cc) AddMailbox(message, GMIME_ADDRESS_TYPE_CC, mb);
  if (m.reply_to) AddMailbox(message, GMIME_ADDRESS_TYPE_REPLY_TO, *m.reply_to);
  g_mime_message_set_subject(message, OneLine(m.subject).c_str(), "utf-8");
  long long date = m.date;
  if (date == 0) {
    date = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  }
  GDateTime* when = g_date_time_new_from_unix_utc(date);
  if (when != nullptr) {
    g_mime_message_set_date(message, when);
    g_date_time_unref(when);
  }
  g_mime_message_set_message_id(message, m.message_id.c_str());
  if (!m.in_reply_to.empty()) {
    g_mime_object_set_header(object, "In-Reply-To", ("<" + m.in_reply_to + ">").c_str(), nullptr);
  }
  if (!m.references.empty()) {
    g_mime_object_set_header(object, "References", IdList(m.references).c_str(), nullptr);
  }
  g_mime_object_set_header(object, "MIME-Version", "1.0", nullptr);
  if (!m.auto_submitted.empty()) {
    g_mime_object_set_header(object, "Auto-Submitted", m.auto_submitted.c_str(), nullptr);
  }
  for (const auto& [name, value] : m.extra_headers) {
    g_mime_object_append_header(object, name.c_str(), value.c_str(), "utf-8");
  }
}

std::string Serialize(GMimeMessage* message) {
  FormatOptionsPtr options(g_mime_format_options_new());
  g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_DOS);
  g_mime_format_options_set_param_encoding_method(options.get(),
                                                  GMIME_PARAM_ENCODING_METHOD_RFC2231);
  GObjectPtr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_object_write_to_stream(GMIME_OBJECT(message), options.get(), out.get());
  return StreamBytes(out.get());
}

// Every line ends in CRLF and none is longer than RFC 5322 allows: checked,
// because SMTP servers reject (or silently break) anything else.
bool WireSafe(std::string_view raw) {
  size_t line = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n') {
      if (i == 0 || raw[i - 1] != '\r') return false;
      line = 0;
    } else if (raw[i] == '\r' && (i + 1 >= raw.size() || raw[i + 1] != '\n')) {
      return false;
    } else if (raw[i] != '\r' && ++line > kMaxLine) {
      return false;
    }
  }
  return true;
}

}  // namespace

util::Result<std::string> ComposeMessage(const OutgoingMessage& message) {
  RD_RETURN_IF_ERROR(Validate(message));
  SharedParserOptions();  // g_mime_init
  GObjectPtr<GMimeMessage> out(g_mime_message_new(TRUE));
  SetHeaders(out.get(), message);
  GObjectPtr<GMimeObject> body = Body(message);
  g_mime_message_set_mime_part(out.get(), body.get());
  std::string raw = Serialize(out.get());
  if (!WireSafe(raw)) {
    return util::MakeError(util::ErrorCode::kInternal, "mail.compose_line_form",
                           "composed message has a bare LF/CR or a line over 998 octets");
  }
  return raw;
}

std::string MakeMessageId(std::string_view domain) {
  unsigned char random[16];
  // sodium_init is thread-safe; randombytes_buf has no failure return
  // (libsodium aborts when the system offers no randomness at all).
  static const bool sodium_ready = sodium_init() >= 0;
  (void)sodium_ready;
  randombytes_buf(random, sizeof random);
  // RFC 4648 base32, lower case, no padding: 128 bits -> 26 characters.
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string id;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : random) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      id += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) id += kAlphabet[(buffer << (5 - bits)) & 31];
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  return id + "." + std::to_string(seconds) + "@" + std::string(domain);
}

}  // namespace replydesk::mail
