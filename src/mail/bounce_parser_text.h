// Internal to ParseBounce (bounce_parser.cc): the text side of bounce
// recognition. Status codes (RFC 3463) and addresses in free text, the copy
// of the returned message quoted after a separator line, and the plain-text
// notices of Postfix, Exim, qmail-send, Exchange and Gmail. Pure functions;
// thread-safe. Lines are LF-split; "lower" arguments are ASCII lower case.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mail/bounce_parser.h"
#include "util/strings.h"

namespace replydesk::mail::bounce {

inline std::vector<std::string> Lines(std::string_view text) { return util::Split(text, '\n'); }
inline bool Indented(const std::string& line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t');
}
inline bool Blank(const std::string& line) { return util::TrimView(line).empty(); }

// The first RFC 3463 code "d.ddd.ddd" (class 2, 4 or 5) standing alone; else a
// basic SMTP reply code 4xx/5xx as "4.0.0"/"5.0.0"; else "".
std::string StatusIn(std::string_view text);

// An addr-spec in `line`: inside <...> first, else a word holding '@'; "" when none.
std::string AddressIn(std::string_view line);

// White space runs (line ends included) as one space, trimmed.
std::string Collapse(std::string_view text);

// Index of the first line introducing the returned message ("--- Below this
// line is a copy of the message.", "----- Original message -----",
// "Original message headers:"), lines.size() when none.
size_t SeparatorIndex(const std::vector<std::string>& lines);

// The id of the first "Message-ID:" line at or after `from` (folded values
// joined), as a one-element list; empty when none.
std::vector<std::string> MessageIdsInHeaders(const std::vector<std::string>& lines,
                                             size_t from = 0);

// Appends `r` (status taken from its diagnostic when empty), or fills the
// gaps of the entry already there for the same address. At most 200 are kept.
void AddRecipient(std::vector<BounceRecipient>* out, BounceRecipient r);

// Delay-warning wording ("THIS IS A WARNING ONLY", "has been delayed", ...).
bool ReadsLikeDelay(std::string_view lower);

struct TextForm {
  std::string kind;  // "qmail", "exim", "postfix", "exchange", "gmail", "heuristic"; "" = none
  bool delayed = false;
  std::vector<BounceRecipient> recipients;  // actions left empty
};

// Matches a daemon's notification text (its first 2000 lines, up to the
// copy of the message) against the known forms, then the bounce phrases. `exclude`: addresses of
// the notice itself (its From, To), never taken for a failed recipient by the heuristic.
TextForm MatchTextForm(const std::string& subject, const std::string& text,
                       const std::vector<std::string>& exclude);

}  // namespace replydesk::mail::bounce
