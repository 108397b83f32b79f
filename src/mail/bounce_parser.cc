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
#include "mail/bounce_parser.h"

#include <algorithm>
#include <exception>

#include "mail/address_list.h"
#include "mail/auto_submitted.h"
#include "mail/charset.h"
#include "mail/gmime_handle.h"
#include "mail/header_decoder.h"
#include "mail/header_fields.h"
#include "mail/html_to_text.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

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
    std::string bytes = ToLf(SerializeObject(GMIME_OBJECT(inner)));
    if (Contains(mime, "delivery-status")) {
      found->delivery_status.push_back(bytes);
    } else {  // the returned message: its headers only, never walked as notification
      found->returned_headers.push_back(bytes.substr(0, bytes.find("\n\n")));
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

// ---------------------------------------------------------------- text helpers

// The first RFC 3463 code "d.ddd.ddd" (class 2, 4 or 5) standing alone; else a
// basic SMTP reply code 4xx/5xx as "4.0.0"/"5.0.0"; else "".
std::string StatusIn(std::string_view text) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto boundary = [&](size_t i) { return i >= text.size() || (!digit(text[i]) && text[i] != '.'); };
  std::string basic;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && (digit(text[i - 1]) || text[i - 1] == '.')) continue;
    char c = text[i];
    if (c != '2' && c != '4' && c != '5') continue;
    size_t j = i + 1;
    if (j < text.size() && text[j] == '.') {
      size_t a = ++j;
      while (j < text.size() && digit(text[j]) && j - a < 3) ++j;
      if (j == a || j >= text.size() || text[j] != '.') continue;
      size_t b = ++j;
      while (j < text.size() && digit(text[j]) && j - b < 3) ++j;
      if (j > b && boundary(j)) return std::string(text.substr(i, j - i));
    } else if (basic.empty() && c != '2' && i + 2 < text.size() && digit(text[i + 1]) &&
               digit(text[i + 2]) && boundary(i + 3)) {
      basic = std::string(1, c) + ".0.0";
    }
  }
  return basic;
}

// An addr-spec in `line`: inside <...> first, else a word holding '@'.
std::string AddressIn(std::string_view line) {
  size_t open = line.find('<');
  while (open != std::string_view::npos) {
    size_t close = line.find('>', open);
    if (close == std::string_view::npos) break;
    std::string_view inside = line.substr(open + 1, close - open - 1);
    if (inside.find('@') != std::string_view::npos && inside.find(' ') == std::string_view::npos) {
      return std::string(inside);
    }
    open = line.find('<', close);
  }
  for (const std::string& word : util::Split(line, ' ')) {
    std::string_view w = util::TrimView(word);
    while (!w.empty() && std::string_view("(<[\"'").find(w.front()) != std::string_view::npos) {
      w.remove_prefix(1);
    }
    while (!w.empty() && std::string_view(")>]\"',;:.").find(w.back()) != std::string_view::npos) {
      w.remove_suffix(1);
    }
    size_t at = w.find('@');
    if (at != std::string_view::npos && at > 0 && at + 1 < w.size() &&
        w.find_first_of("<>()[]\"'") == std::string_view::npos) {
      return std::string(w);
    }
  }
  return {};
}

std::string Collapse(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> Lines(std::string_view text) { return util::Split(text, '\n'); }

bool Indented(const std::string& line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t');
}
bool Blank(const std::string& line) { return util::TrimView(line).empty(); }

// Lines that introduce the copy of the returned message in a plain notice.
bool IsSeparator(const std::string& line) {
  std::string l = Lower(util::TrimView(line));
  static constexpr std::string_view kPhrases[] = {
      "original message",    "copy of the message", "message header",  "returned message",
      "undelivered message", "original headers",    "message follows", "headers of the message"};
  bool decorated = l.starts_with("--") || l.starts_with("==") || l.starts_with("**");
  bool introduces = l.ends_with(":") && l.size() < 60;
  if (!decorated && !introduces) return false;
  for (std::string_view p : kPhrases) {
    if (Contains(l, p)) return true;
  }
  return false;
}

// Index of the first separator line, lines.size() when none.
size_t SeparatorIndex(const std::vector<std::string>& lines) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (IsSeparator(lines[i])) return i;
  }
  return lines.size();
}

// Message-IDs of a header block (or text quoting one): the first
// "Message-ID:" line and its continuation lines.
std::vector<std::string> MessageIdsInHeaders(const std::vector<std::string>& lines,
                                             size_t from = 0) {
  for (size_t i = from; i < lines.size(); ++i) {
    std::string_view line = util::TrimView(lines[i]);
    if (!util::StartsWithIgnoreCase(line, "message-id:")) continue;
    std::string value(line.substr(11));
    for (size_t j = i + 1; j < lines.size() && Indented(lines[j]) && !Blank(lines[j]); ++j) {
      value += " " + util::Trim(lines[j]);
    }
    std::vector<std::string> ids = ParseMessageIds(value);
    if (!ids.empty()) return {ids.front()};
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

void AddRecipient(std::vector<BounceRecipient>* out, BounceRecipient r) {
  if (r.status.empty()) r.status = StatusIn(r.diagnostic);
  for (BounceRecipient& have : *out) {
    if (!r.address.empty() && util::EqualsIgnoreCase(have.address, r.address)) {
      if (have.status.empty()) have.status = r.status;
      if (have.diagnostic.empty()) have.diagnostic = r.diagnostic;
      if (have.action.empty()) have.action = r.action;
      return;
    }
  }
  out->push_back(std::move(r));
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

// ------------------------------------------------------------ plain-text forms

struct TextForm {
  std::string kind;
  bool delayed = false;
  std::vector<BounceRecipient> recipients;
};

// Postfix and qmail: a paragraph per recipient, "<addr>: reason..." with the
// reason continued on the following (often indented) lines.
std::vector<BounceRecipient> AngleParagraphs(const std::vector<std::string>& lines, size_t end) {
  std::vector<BounceRecipient> out;
  for (size_t i = 0; i < end; ++i) {
    std::string_view line = util::TrimView(lines[i]);
    if (!line.starts_with('<')) continue;
    size_t close = line.find('>');
    if (close == std::string_view::npos || line.find(':', close) == std::string_view::npos)
      continue;
    BounceRecipient r;
    r.address = std::string(line.substr(1, close - 1));
    if (r.address.find('@') == std::string::npos) continue;
    std::string reason(line.substr(line.find(':', close) + 1));
    for (size_t j = i + 1; j < end && !Blank(lines[j]); ++j) reason += " " + lines[j];
    r.diagnostic = Collapse(reason);
    AddRecipient(&out, std::move(r));
  }
  return out;
}

// Exim: "  address" lines at two spaces, the reason indented further below.
std::vector<BounceRecipient> EximRecipients(const std::vector<std::string>& lines, size_t end) {
  std::vector<BounceRecipient> out;
  size_t i = 0;
  while (i < end && !(Contains(Lower(lines[i]), "address(es) failed") ||
                      Contains(Lower(lines[i]), "not yet been delivered"))) {
    ++i;
  }
  for (++i; i < end; ++i) {
    const std::string& line = lines[i];
    if (Blank(line)) continue;
    if (!Indented(line)) {
      if (!out.empty()) break;
      continue;  // "is:" continued on the next line, before the list
    }
    size_t indent = line.find_first_not_of(" \t");
    std::string address = AddressIn(line);
    if (indent <= 2 && !address.empty()) {
      BounceRecipient r;
      r.address = address;
      std::string reason;
      for (size_t j = i + 1;
           j < end && Indented(lines[j]) && lines[j].find_first_not_of(" \t") > indent; ++j) {
        reason += " " + lines[j];
      }
      r.diagnostic = Collapse(reason);
      AddRecipient(&out, std::move(r));
    }
  }
  return out;
}

// Exchange: addresses listed after the notice's opening line; the reason in
// "Diagnostic information for administrators" ("#550 5.1.1 RESOLVER..." or
// "Remote Server returned '...'") or, in Exchange 2003, "<host #5.1.1>".
std::vector<BounceRecipient> ExchangeRecipients(const std::vector<std::string>& lines, size_t end) {
  std::vector<BounceRecipient> out;
  std::string diagnostic;
  bool listing = false;
  for (size_t i = 0; i < end; ++i) {
    std::string l = Lower(util::TrimView(lines[i]));
    if (Contains(l, "diagnostic information for administrators")) listing = false;
    if (l.starts_with("#") || l.starts_with("remote server returned") ||
        (l.starts_with("<") && Contains(l, " #") && !StatusIn(l).empty())) {
      if (diagnostic.empty()) diagnostic = util::Trim(lines[i]);
      continue;
    }
    if (Contains(l, "your message to ") && Contains(l, "couldn't be delivered")) {
      AddRecipient(&out, {AddressIn(lines[i]), "", "", ""});
    }
    if (Contains(l, "delivery has failed to these recipients") ||
        Contains(l, "delivery is delayed to these recipients") ||
        Contains(l, "following recipient(s) cannot be reached") ||
        Contains(l, "following recipient(s) could not be reached")) {
      listing = true;
      continue;
    }
    if (!listing || l.empty()) continue;
    std::string address = AddressIn(lines[i]);
    if (!address.empty() && (l.starts_with(Lower(address)) || Contains(l, "(" + Lower(address)) ||
                             Contains(l, "<" + Lower(address)))) {
      AddRecipient(&out, {address, "", "", ""});
    }
  }
  for (BounceRecipient& r : out) {
    r.diagnostic = diagnostic;
    r.status = StatusIn(diagnostic);
  }
  return out;
}

// Gmail's plain notice: indented addresses after "Delivery to the following
// recipient(s) failed permanently:" / "has been delayed:", the remote words
// after "The error that the other server returned was:".
std::vector<BounceRecipient> GmailRecipients(const std::vector<std::string>& lines, size_t end) {
  std::vector<BounceRecipient> out;
  std::string diagnostic;
  for (size_t i = 0; i < end; ++i) {
    std::string l = Lower(lines[i]);
    if (Contains(l, "delivery to the following recipient")) {
      for (size_t j = i + 1; j < end && (Blank(lines[j]) || Indented(lines[j])); ++j) {
        if (std::string a = AddressIn(lines[j]); !a.empty()) AddRecipient(&out, {a, "", "", ""});
      }
    } else if (Contains(l, "the error that the other server returned was") ||
               Contains(l, "technical details of")) {
      std::string text;
      for (size_t j = i + 1; j < end && !Blank(lines[j]); ++j) text += " " + lines[j];
      if (!text.empty()) diagnostic = Collapse(text);
    }
  }
  for (BounceRecipient& r : out) {
    r.diagnostic = diagnostic;
    r.status = StatusIn(diagnostic);
  }
  return out;
}

// Any other daemon notice: lines before the copy of the message that name
// an address other than the bounce's own From/To.
std::vector<BounceRecipient> HeuristicRecipients(const std::vector<std::string>& lines, size_t end,
                                                 const std::vector<std::string>& exclude) {
  std::vector<BounceRecipient> out;
  for (size_t i = 0; i < end; ++i) {
    std::string address = AddressIn(lines[i]);
    if (address.empty()) continue;
    bool excluded = std::any_of(exclude.begin(), exclude.end(), [&](const std::string& e) {
      return util::EqualsIgnoreCase(e, address);
    });
    if (excluded || IsDaemonAddress(address)) continue;
    AddRecipient(&out, {address, "", "", Collapse(lines[i])});
  }
  return out;
}

bool AnyOf(std::string_view lower, std::initializer_list<std::string_view> phrases) {
  return std::any_of(phrases.begin(), phrases.end(),
                     [&](std::string_view p) { return Contains(lower, p); });
}

// Phrases of delivery failure in the subject or text (English, Russian,
// Bulgarian, Romanian, German, French notices seen from hosting providers).
bool ReadsLikeBounce(std::string_view lower) {
  return AnyOf(lower, {"undeliver",
                       "undelivered",
                       "delivery fail",
                       "delivery status notification",
                       "returned mail",
                       "failure notice",
                       "could not be delivered",
                       "couldn't be delivered",
                       "was not delivered",
                       "not be delivered",
                       "delivery has failed",
                       "mail delivery failed",
                       "permanent error",
                       "delivery problem",
                       "user unknown",
                       "mailbox unavailable",
                       "delivery delayed",
                       "не доставлено",
                       "не может быть доставлено",
                       "не е доставено",
                       "не беше доставено",
                       "nu a putut fi livrat",
                       "nelivrat",
                       "unzustellbar",
                       "non remis",
                       "échec de la remise"});
}

bool ReadsLikeDelay(std::string_view lower) {
  return AnyOf(
      lower, {"warning only", "warning message only", "has been delayed", "not yet been delivered",
              "delivery is delayed", "delivery delayed", "will be retried", "still being retried",
              "will keep trying", "no action is required on your part", "(delay)"});
}

TextForm MatchTextForm(const std::string& subject, const std::string& text,
                       const std::vector<std::string>& exclude) {
  std::vector<std::string> lines = Lines(text);
  size_t end = SeparatorIndex(lines);
  std::string lower = Lower(text);
  std::string subject_lower = Lower(subject);
  std::string notice = Lower(util::Join({lines.begin(), lines.begin() + end}, "\n"));
  TextForm form;
  form.delayed = ReadsLikeDelay(notice) || ReadsLikeDelay(subject_lower);
  if (Contains(lower, "this is the qmail-send program")) {
    form.kind = "qmail";
    form.recipients = AngleParagraphs(lines, end);
  } else if (Contains(lower, "this message was created automatically by mail delivery software")) {
    form.kind = "exim";
    form.recipients = EximRecipients(lines, end);
  } else if (Contains(lower, "this is the postfix program") ||
             Contains(lower, "this is the mail system at host")) {
    form.kind = "postfix";
    form.recipients = AngleParagraphs(lines, end);
  } else if (AnyOf(notice,
                   {"delivery has failed to these recipients",
                    "delivery is delayed to these recipients",
                    "did not reach some or all of the intended recipients", "couldn't be delivered",
                    "diagnostic information for administrators"})) {
    form.kind = "exchange";
    form.recipients = ExchangeRecipients(lines, end);
  } else if (Contains(notice, "delivery to the following recipient") ||
             Contains(subject_lower, "delivery status notification")) {
    form.kind = "gmail";
    form.recipients = GmailRecipients(lines, end);
  } else if (ReadsLikeBounce(subject_lower) || ReadsLikeBounce(notice)) {
    form.kind = "heuristic";
    form.recipients = HeuristicRecipients(lines, end, exclude);
  }
  return form;
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
  size_t separator = SeparatorIndex(lines);
  if (separator < lines.size()) {
    for (const std::string& id : MessageIdsInHeaders(lines, separator + 1)) AddId(&ids, id, own);
  }
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
  std::string input(raw);
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(input.data(), input.size()));
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
