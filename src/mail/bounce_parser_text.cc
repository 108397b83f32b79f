// Text side of bounce recognition: see bounce_parser_text.h. The forms come
// from the notices these MTAs write (texts quoted in the fixtures under
// tests/unit/mail/fixtures/bounces/).
#include "mail/bounce_parser_text.h"

#include <algorithm>
#include <initializer_list>

#include "mail/auto_submitted.h"
#include "mail/header_fields.h"
#include "util/strings.h"

namespace replydesk::mail::bounce {
namespace {

// Limits against hostile input: the forms below scan the notice line by line.
constexpr size_t kMaxRecipients = 200;
constexpr size_t kMaxNoticeLines = 2000;

std::string Lower(std::string_view s) { return util::AsciiLower(s); }

bool Contains(std::string_view haystack_lower, std::string_view needle_lower) {
  return haystack_lower.find(needle_lower) != std::string_view::npos;
}

// Lines that introduce the copy of the returned message in a plain notice.
bool IsSeparator(const std::string& line) {
  std::string l = Lower(util::TrimView(line));
  // ASCII lower case only: Cyrillic phrases are matched as written.
  static constexpr std::string_view kPhrases[] = {
      "original message",       "copy of the message",    "message header",
      "returned message",       "undelivered message",    "original headers",
      "message follows",        "headers of the message", "mesajul original",
      "Исходное сообщение",     "исходное сообщение",     "Оригинальное сообщение",
      "оригинальное сообщение", "Оригинално съобщение",   "оригинално съобщение"};
  bool decorated = l.starts_with("--") || l.starts_with("==") || l.starts_with("**");
  bool introduces = l.ends_with(":") && l.size() < 60;
  if (!decorated && !introduces) return false;
  for (std::string_view p : kPhrases) {
    if (Contains(l, p)) return true;
  }
  return false;
}

}  // namespace

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

// Index of the first separator line, lines.size() when none.
size_t SeparatorIndex(const std::vector<std::string>& lines) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (IsSeparator(lines[i])) return i;
  }
  return lines.size();
}

// Message-IDs of a header block (or text quoting one): the first
// "Message-ID:" line and its continuation lines.
std::vector<std::string> MessageIdsInHeaders(const std::vector<std::string>& lines, size_t from) {
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

void AddRecipient(std::vector<BounceRecipient>* out, BounceRecipient r) {
  if (out->size() >= kMaxRecipients) return;
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

// ------------------------------------------------------------ plain-text forms

namespace {

// Postfix and qmail: a paragraph per recipient, "<addr>: reason..." with the
// reason continued on the following (often indented) lines.
std::vector<BounceRecipient> AngleParagraphs(const std::vector<std::string>& lines, size_t end) {
  std::vector<BounceRecipient> out;
  for (size_t i = 0; i < end; ++i) {
    // At the start of a line: an indented "<addr>" continues a reason.
    std::string_view line = util::TrimView(lines[i]);
    if (!lines[i].starts_with('<')) continue;
    size_t close = line.find('>');
    if (close == std::string_view::npos || line.find(':', close) == std::string_view::npos)
      continue;
    BounceRecipient r;
    r.address = std::string(line.substr(1, close - 1));
    if (r.address.find('@') == std::string::npos) continue;
    std::string reason(line.substr(line.find(':', close) + 1));
    size_t j = i + 1;
    for (; j < end && !Blank(lines[j]) && !lines[j].starts_with('<'); ++j) reason += " " + lines[j];
    r.diagnostic = Collapse(reason);
    AddRecipient(&out, std::move(r));
    i = j - 1;
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

}  // namespace

bool ReadsLikeDelay(std::string_view lower) {
  return AnyOf(
      lower, {"warning only", "warning message only", "has been delayed", "not yet been delivered",
              "delivery is delayed", "delivery delayed", "will be retried", "still being retried",
              "will keep trying", "no action is required on your part", "(delay)"});
}

TextForm MatchTextForm(const std::string& subject, const std::string& text,
                       const std::vector<std::string>& exclude) {
  std::vector<std::string> lines = Lines(text);
  size_t end = std::min(SeparatorIndex(lines), kMaxNoticeLines);
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

}  // namespace replydesk::mail::bounce
