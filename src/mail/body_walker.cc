// MIME walk: see body_walker.h.
//
// States of the walk (one per multipart kind):
//   multipart/alternative  the last text/plain alternative is the text, the
//                          last text/html one the HTML; when there is no
//                          text/plain, the HTML rendered to text is the text.
//   multipart/related      the root (first part) is walked like its parent;
//                          the rest are inline resources (images by Content-ID).
//   other multipart/*      (mixed, report, signed, digest...) every part in
//                          order: inline text parts are concatenated.
//   message/rfc822         kept whole as an attachment; not walked into.
#include "mail/body_walker.h"

#include <algorithm>

#include "mail/charset.h"
#include "mail/format_flowed.h"
#include "mail/gmime_handle.h"
#include "mail/header_decoder.h"
#include "mail/html_to_text.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

std::string MimeType(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (type == nullptr) return "text/plain";
  char* mime = g_mime_content_type_get_mime_type(type);
  std::string out = util::AsciiLower(mime ? mime : "application/octet-stream");
  g_free(mime);
  return out;
}

std::string TypeParam(GMimeObject* object, const char* name) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  const char* value = type ? g_mime_content_type_get_parameter(type, name) : nullptr;
  return value ? util::Trim(value) : std::string();
}

std::string Disposition(GMimeObject* object) {
  const char* d = g_mime_object_get_disposition(object);
  return d ? util::AsciiLower(util::TrimView(d)) : std::string();
}

std::string RawHeader(GMimeObject* object, std::string_view name) {
  GMimeHeaderList* list = g_mime_object_get_header_list(object);
  int count = list ? g_mime_header_list_get_count(list) : 0;
  for (int i = 0; i < count; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    const char* n = g_mime_header_get_name(h);
    const char* v = g_mime_header_get_raw_value(h);
    if (n && v && util::EqualsIgnoreCase(n, name)) return v;
  }
  return {};
}

// The value of parameter `name` in a raw header value, "" when absent.
std::string RawParam(std::string_view raw, std::string_view name) {
  std::string lower = util::AsciiLower(raw);
  for (size_t pos = lower.find(name); pos != std::string::npos; pos = lower.find(name, pos + 1)) {
    if (pos > 0 && lower[pos - 1] != ';' && lower[pos - 1] != ' ' && lower[pos - 1] != '\t') {
      continue;
    }
    size_t eq = pos + name.size();
    while (eq < raw.size() && (raw[eq] == ' ' || raw[eq] == '\t')) ++eq;
    if (eq >= raw.size() || raw[eq] != '=') continue;
    size_t start = eq + 1;
    while (start < raw.size() && (raw[start] == ' ' || raw[start] == '\t')) ++start;
    if (start < raw.size() && raw[start] == '"') {
      size_t end = raw.find('"', start + 1);
      return std::string(raw.substr(start + 1, end == raw.npos ? raw.npos : end - start - 1));
    }
    size_t end = raw.find_first_of("; \t\r\n", start);
    return std::string(raw.substr(start, end == raw.npos ? raw.npos : end - start));
  }
  return {};
}

std::string SniffHtmlCharset(std::string_view html) {
  std::string head = util::AsciiLower(html.substr(0, 2048));
  size_t pos = head.find("charset=");
  if (pos == std::string::npos) return {};
  pos += 8;
  while (pos < head.size() && (head[pos] == '"' || head[pos] == '\'')) ++pos;
  size_t end = pos;
  while (end < head.size() &&
         (isalnum(static_cast<unsigned char>(head[end])) || head[end] == '-' || head[end] == '_')) {
    ++end;
  }
  return head.substr(pos, end - pos);
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

// Cuts `s` to at most `max` bytes on a UTF-8 character boundary.
bool CapUtf8(std::string* s, size_t max) {
  if (s->size() <= max) return false;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>((*s)[cut]) & 0xC0) == 0x80) --cut;
  s->resize(cut);
  return true;
}

std::string JoinPieces(const std::vector<std::string>& pieces) {
  std::string out;
  for (const std::string& piece : pieces) {
    std::string_view p = piece;
    while (!p.empty() && (p.back() == '\n' || p.back() == ' ' || p.back() == '\t')) {
      p.remove_suffix(1);
    }
    if (p.empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += p;
  }
  return out;
}

bool IsTextBodyType(const std::string& mime) { return mime == "text/plain" || mime == "text/html"; }

// A text part meant to be read in the body, not saved as a file. As in
// RFC 8621 §4.1.4 (JMAP): not "attachment", and either the first part of its
// multipart or without a file name (Netscape sends "inline; filename=x.txt"
// for attached text files).
bool IsBodyTextPart(GMimeObject* object, bool first_in_parent) {
  if (!IsTextBodyType(MimeType(object))) return false;
  if (Disposition(object) == "attachment") return false;
  if (first_in_parent) return true;
  bool repaired = false;
  return PartFilename(object, &repaired).empty();
}

// Whether the subtree has a body part of `mime` type (for alternatives).
bool ContainsBody(GMimeObject* object, const std::string& mime, int depth) {
  if (depth > 16) return false;
  if (GMIME_IS_MULTIPART(object)) {
    auto* multipart = GMIME_MULTIPART(object);
    int count = g_mime_multipart_get_count(multipart);
    if (MimeType(object) == "multipart/related") count = std::min(count, 1);
    for (int i = 0; i < count; ++i) {
      if (ContainsBody(g_mime_multipart_get_part(multipart, i), mime, depth + 1)) return true;
    }
    return false;
  }
  return GMIME_IS_PART(object) && MimeType(object) == mime && IsBodyTextPart(object, true);
}

}  // namespace

std::string PartFilename(GMimeObject* object, bool* repaired) {
  const char* value = g_mime_object_get_content_disposition_parameter(object, "filename");
  if (value == nullptr || *value == '\0') {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    value = type ? g_mime_content_type_get_parameter(type, "name") : nullptr;
  }
  std::string name = value ? value : "";
  // Unlabelled 8-bit names: GMime's fallback list always reads them as
  // windows-1251, never KOI8-R; decode the raw bytes with our guess instead.
  for (const char* header : {"Content-Disposition", "Content-Type"}) {
    std::string raw = RawHeader(object, header);
    if (!HasEightBit(raw) || IsValidUtf8(raw)) continue;
    std::string param = RawParam(raw, header[8] == 'D' ? "filename" : "name");
    if (param.empty()) continue;
    name = EightBitHeaderToUtf8(param, repaired);
    break;
  }
  if (name.find("=?") != std::string::npos) {
    DecodedText decoded = DecodeHeaderText(name);
    if (decoded.repaired) *repaired = true;
    name = decoded.text;
  }
  return SanitizeUtf8(util::Trim(name));
}

BodyWalker::BodyWalker(const ParseLimits& limits, std::vector<std::string>* flags)
    : limits_(limits), flags_(flags) {}

void BodyWalker::Flag(const std::string& flag) {
  if (std::find(flags_->begin(), flags_->end(), flag) == flags_->end()) flags_->push_back(flag);
}

void BodyWalker::Walk(GMimeObject* root) {
  if (root != nullptr) Visit(root, 0, Mode::kBody, false, true);
}

void BodyWalker::Visit(GMimeObject* object, int depth, Mode mode, bool in_related, bool first) {
  if (depth > limits_.max_depth) return Flag("limit.nesting_depth");
  if (parts_ >= limits_.max_parts) return Flag("limit.part_count");
  ++parts_;
  if (GMIME_IS_MULTIPART(object)) {
    auto* multipart = GMIME_MULTIPART(object);
    if (MimeType(object) == "multipart/alternative")
      return VisitAlternative(multipart, depth, mode);
    return VisitMultipart(multipart, depth, mode);
  }
  if (GMIME_IS_MESSAGE_PART(object)) return VisitMessagePart(GMIME_MESSAGE_PART(object));
  if (GMIME_IS_PART(object)) VisitLeaf(GMIME_PART(object), mode, in_related, first);
}

void BodyWalker::VisitMultipart(GMimeMultipart* multipart, int depth, Mode mode) {
  int count = g_mime_multipart_get_count(multipart);
  if (count == 0) {
    // The boundary never occurs (or is missing): GMime leaves everything in
    // the prologue. Keep it as text rather than lose the message.
    Flag("repair.missing_boundary");
    const char* prologue = g_mime_multipart_get_prologue(multipart);
    if (prologue != nullptr && mode == Mode::kBody) {
      text_pieces_.push_back(ToLf(ToUtf8(prologue, "").text));
    }
    return;
  }
  bool related = MimeType(GMIME_OBJECT(multipart)) == "multipart/related";
  for (int i = 0; i < count; ++i) {
    GMimeObject* child = g_mime_multipart_get_part(multipart, i);
    Visit(child, depth + 1, related && i > 0 ? Mode::kNoText : mode, related && i > 0, i == 0);
  }
}

void BodyWalker::VisitAlternative(GMimeMultipart* multipart, int depth, Mode mode) {
  int count = g_mime_multipart_get_count(multipart);
  int plain = -1, html = -1;
  for (int i = 0; i < count; ++i) {
    GMimeObject* child = g_mime_multipart_get_part(multipart, i);
    if (ContainsBody(child, "text/plain", 0)) plain = i;
    if (ContainsBody(child, "text/html", 0)) html = i;
  }
  if (count == 0) return VisitMultipart(multipart, depth, mode);
  if (plain < 0 && html < 0) plain = 0;  // only text/enriched or similar: first one
  for (int i = 0; i < count; ++i) {
    Mode child_mode = Mode::kNoText;
    if (i == plain) {
      child_mode = mode;
    } else if (i == html) {
      child_mode = (plain >= 0 || mode == Mode::kHtmlOnly) ? Mode::kHtmlOnly : mode;
      if (mode == Mode::kNoText) child_mode = Mode::kNoText;
    }
    Visit(g_mime_multipart_get_part(multipart, i), depth + 1, child_mode, false, true);
  }
}

std::string BodyWalker::DecodeText(GMimePart* part, bool html) {
  GMimeObject* object = GMIME_OBJECT(part);
  std::string bytes = DecodedContent(part);
  std::string charset = TypeParam(object, "charset");
  if (charset.empty() && html) charset = SniffHtmlCharset(bytes);
  Utf8Text text = ToUtf8(bytes, charset);
  if (text.guessed) Flag("repair.charset_guessed");
  std::string out = ToLf(text.text);
  if (!html && util::EqualsIgnoreCase(TypeParam(object, "format"), "flowed")) {
    out = DecodeFormatFlowed(out, util::EqualsIgnoreCase(TypeParam(object, "delsp"), "yes"));
  }
  return out;
}

void BodyWalker::VisitLeaf(GMimePart* part, Mode mode, bool in_related, bool first) {
  GMimeObject* object = GMIME_OBJECT(part);
  std::string mime = MimeType(object);
  if (!in_related && IsBodyTextPart(object, first)) {
    if (mode == Mode::kNoText) return;
    bool html = mime == "text/html";
    if (mode == Mode::kHtmlOnly && !html) return;
    std::string text = DecodeText(part, html);
    decoded_bytes_ += text.size();
    if (decoded_bytes_ > limits_.max_decoded_bytes) return Flag("limit.decoded_bytes");
    if (html) {
      if (mode == Mode::kBody) text_pieces_.push_back(HtmlToText(text));
      html_pieces_.push_back(std::move(text));
    } else {
      text_pieces_.push_back(std::move(text));
    }
    return;
  }
  if (mode == Mode::kNoText && !in_related &&
      (mime == "text/plain" || mime == "text/html" || mime == "text/enriched")) {
    return;  // an alternative rendering we did not choose
  }
  ParsedAttachment attachment;
  bool repaired = false;
  attachment.filename = PartFilename(object, &repaired);
  if (repaired) Flag("repair.charset_guessed");
  attachment.content_type = mime;
  const char* id = g_mime_object_get_content_id(object);
  attachment.content_id = id ? util::Trim(id) : "";
  std::string disposition = Disposition(object);
  attachment.inline_part =
      disposition == "inline" ||
      (in_related && !attachment.content_id.empty() && disposition != "attachment");
  attachment.data = DecodedContent(part);
  AddAttachment(std::move(attachment));
}

void BodyWalker::VisitMessagePart(GMimeMessagePart* part) {
  GMimeObject* object = GMIME_OBJECT(part);
  ParsedAttachment attachment;
  bool repaired = false;
  attachment.filename = PartFilename(object, &repaired);
  attachment.content_type = MimeType(object);
  const char* id = g_mime_object_get_content_id(object);
  attachment.content_id = id ? util::Trim(id) : "";
  attachment.inline_part = Disposition(object) == "inline";
  GMimeMessage* inner = g_mime_message_part_get_message(part);
  if (inner != nullptr) {
    attachment.data = SerializeObject(GMIME_OBJECT(inner));
    if (attachment.filename.empty()) {
      DecodedText subject = DecodeHeaderText(RawHeader(GMIME_OBJECT(inner), "Subject"));
      repaired |= subject.repaired;
      std::string name = subject.text.empty() ? "forwarded message" : subject.text;
      std::replace_if(
          name.begin(), name.end(), [](char c) { return c == '/' || c == '\\'; }, '_');
      attachment.filename = name + ".eml";
    }
  }
  if (repaired) Flag("repair.charset_guessed");
  AddAttachment(std::move(attachment));
}

void BodyWalker::AddAttachment(ParsedAttachment attachment) {
  attachment.size = attachment.data.size();
  decoded_bytes_ += attachment.size;
  if (decoded_bytes_ > limits_.max_decoded_bytes) {
    Flag("limit.decoded_bytes");
    attachment.data.clear();  // the raw message still has it; `size` stays the real size
  }
  attachments_.push_back(std::move(attachment));
}

std::string BodyWalker::TakeText() {
  std::string text = JoinPieces(text_pieces_);
  size_t start = 0;
  while (start < text.size() && text[start] == '\n') ++start;
  text.erase(0, start);
  if (CapUtf8(&text, limits_.max_text_bytes)) Flag("limit.text_bytes");
  return SanitizeUtf8(text);
}

std::string BodyWalker::TakeHtml() {
  std::string html;
  for (const std::string& piece : html_pieces_) html += piece;
  if (CapUtf8(&html, limits_.max_text_bytes)) Flag("limit.text_bytes");
  return SanitizeUtf8(html);
}

}  // namespace replydesk::mail
