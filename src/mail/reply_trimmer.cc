// Quote and signature trimming: see reply_trimmer.h. Three passes over the
// lines: find where the history starts (marking `>` blocks and the
// attributions above them on the way), find the signature, then cut the
// visible text after the last line the sender wrote.
#include "mail/reply_trimmer.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mail/reply_trimmer_patterns.h"

namespace replydesk::mail {
namespace {

using reply_trim::AttributionBegin;
using reply_trim::HeaderField;
using reply_trim::HeaderFieldOf;
using reply_trim::IsBlank;
using reply_trim::IsForwardLine;
using reply_trim::IsMobileFooter;
using reply_trim::IsOriginalMessageLine;
using reply_trim::IsQuoteLine;
using reply_trim::IsSeparatorLine;
using reply_trim::IsSignatureDelimiter;
using reply_trim::OutlookBlockEnd;

enum class Kind { kOwn, kBlank, kQuote, kHeader, kSignature };

constexpr size_t kNone = static_cast<size_t>(-1);

struct Layout {
  std::vector<std::string_view> lines;
  std::vector<Kind> kinds;
  size_t history = 0;        // first line of history that is not `>`-quoted (or lines.size())
  size_t footer = kNone;     // mobile footer line
  size_t sig_begin = kNone;  // signature [sig_begin, sig_end)
  size_t sig_end = kNone;
};

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    start = nl + 1;
  }
  return lines;
}

size_t NextNonBlank(const std::vector<std::string_view>& lines, size_t from) {
  while (from < lines.size() && IsBlank(lines[from])) ++from;
  return from;
}

// A header that starts history at line i: [begin, end), or {kNone, kNone}.
// `begin` may lie above i for an attribution the client wrapped.
std::pair<size_t, size_t> HeaderAt(const std::vector<std::string_view>& lines, size_t i) {
  if (std::optional<size_t> end = OutlookBlockEnd(lines, i)) return {i, *end};
  size_t next = NextNonBlank(lines, i + 1);
  bool next_is_from = next < lines.size() && HeaderFieldOf(lines[next]) == HeaderField::kFrom;
  if (IsOriginalMessageLine(lines[i], next_is_from)) return {i, i + 1};
  bool quote_follows = next < lines.size() && IsQuoteLine(lines[next]);
  if (std::optional<size_t> begin = AttributionBegin(lines, i, quote_follows)) {
    return {*begin, i + 1};
  }
  return {kNone, kNone};
}

// Outlook puts a "____" or "----" line (and blank lines) above "From:"; it
// belongs to the history.
size_t IncludeSeparatorAbove(const Layout& l, size_t begin) {
  size_t k = begin;
  while (k > 0 && l.kinds[k - 1] == Kind::kBlank) --k;
  return (k > 0 && IsSeparatorLine(l.lines[k - 1])) ? k - 1 : begin;
}

// A client that hard-wraps quoted text leaves the tail of a long quoted
// line without '>' ("> ... pharetra d" / "ignissim odio?" / ">"): up to two
// such lines directly between quoted lines are quoted too.
size_t WrappedQuoteTail(const Layout& l, size_t i) {
  if (i == 0 || l.kinds[i - 1] != Kind::kQuote) return 0;
  std::string_view first = l.lines[i];
  bool lower = !first.empty() && first[0] >= 'a' && first[0] <= 'z';
  if (!lower && l.lines[i - 1].size() < 60) return 0;
  for (size_t len = 1; len <= 2 && i + len < l.lines.size(); ++len) {
    std::string_view line = l.lines[i + len - 1];
    if (IsBlank(line) || IsQuoteLine(line)) return 0;
    if (IsQuoteLine(l.lines[i + len])) return len;
  }
  return 0;
}

// A forward marker and the header block under it stay the sender's text;
// returns the line after them (i + 1 without a block).
size_t SkipForwardHeader(Layout& l, size_t i) {
  size_t next = NextNonBlank(l.lines, i + 1);
  size_t end = i + 1;
  if (next < l.lines.size()) {
    if (std::optional<size_t> block_end = OutlookBlockEnd(l.lines, next)) end = *block_end;
  }
  for (size_t k = i; k < end; ++k) l.kinds[k] = IsBlank(l.lines[k]) ? Kind::kBlank : Kind::kOwn;
  return end;
}

// Pass 1: classifies lines until the first header whose history is not
// `>`-quoted (an inline reply goes on after a quoted block) or a mobile
// footer; sets l.history there.
void FindHistory(Layout& l) {
  const size_t n = l.lines.size();
  for (size_t i = 0; i < n;) {
    if (IsBlank(l.lines[i])) {
      l.kinds[i++] = Kind::kBlank;
      continue;
    }
    if (IsForwardLine(l.lines[i])) {
      i = SkipForwardHeader(l, i);
      continue;
    }
    if (IsQuoteLine(l.lines[i])) {
      l.kinds[i++] = Kind::kQuote;
      continue;
    }
    auto [begin, end] = HeaderAt(l.lines, i);
    if (begin != kNone) {
      for (size_t k = begin; k < end; ++k) l.kinds[k] = Kind::kHeader;
      size_t after = NextNonBlank(l.lines, end);
      if (after >= n || !IsQuoteLine(l.lines[after])) {
        l.history = IncludeSeparatorAbove(l, begin);
        return;
      }
      i = end;
      continue;
    }
    if (IsMobileFooter(l.lines[i])) {
      // Phones append the footer to the new text; whatever follows is the
      // original, often without `>` (Outlook for Android).
      l.kinds[i] = Kind::kSignature;
      l.footer = i;
      l.history = i + 1;
      return;
    }
    if (size_t tail = WrappedQuoteTail(l, i)) {
      for (size_t k = 0; k < tail; ++k) l.kinds[i++] = Kind::kQuote;
      continue;
    }
    l.kinds[i++] = Kind::kOwn;
  }
  l.history = n;
}

// Pass 2: the first delimiter whose block (up to the next quote, header or
// the history) has no own text after it. Without one, the mobile footer.
// Below quoted text it is the sender's only in an inline reply: Mail.ru's
// app puts "--\nОтправлено из мобильной Почты Mail.ru" under the history.
void FindSignature(Layout& l) {
  // prev_own[k]: the last own line before k; quotes[k]: quote or header
  // lines before k. Both make each candidate O(1).
  std::vector<size_t> prev_own(l.history + 1, kNone), quotes(l.history + 1, 0);
  for (size_t k = 0; k < l.history; ++k) {
    prev_own[k + 1] = l.kinds[k] == Kind::kOwn ? k : prev_own[k];
    bool quote = l.kinds[k] == Kind::kQuote || l.kinds[k] == Kind::kHeader;
    quotes[k + 1] = quotes[k] + (quote ? 1 : 0);
  }
  size_t last_own = prev_own[l.history];
  auto belongs_to_sender = [&](size_t s) {
    size_t own = prev_own[s];
    size_t before_own = own == kNone ? 0 : quotes[own];
    bool quote_between = quotes[s] > before_own;
    return !quote_between || before_own > 0;  // nothing quoted in between, or inline
  };
  for (size_t s = 0; s < l.history; ++s) {
    if (l.kinds[s] != Kind::kOwn || !IsSignatureDelimiter(l.lines[s])) continue;
    size_t e = s + 1;
    while (e < l.history && (l.kinds[e] == Kind::kOwn || l.kinds[e] == Kind::kBlank ||
                             l.kinds[e] == Kind::kSignature)) {
      ++e;
    }
    if (last_own != kNone && last_own >= e) continue;
    if (!belongs_to_sender(s)) {
      for (size_t k = s; k < l.history; ++k) {
        if (l.kinds[k] == Kind::kOwn || l.kinds[k] == Kind::kSignature) l.kinds[k] = Kind::kQuote;
      }
      return;
    }
    l.sig_begin = s;
    l.sig_end = e;
    for (size_t k = s; k < e; ++k) {
      if (l.kinds[k] == Kind::kOwn) l.kinds[k] = Kind::kSignature;
    }
    if (l.footer != kNone && l.footer >= e) l.kinds[l.footer] = Kind::kQuote;
    return;
  }
  if (l.footer != kNone && belongs_to_sender(l.footer)) {
    l.sig_begin = l.footer;
    l.sig_end = l.footer + 1;
  } else if (l.footer != kNone) {
    l.kinds[l.footer] = Kind::kQuote;
  }
}

// Joins lines[from, to) except the signature range, without leading or
// trailing blank lines.
std::string Join(const Layout& l, size_t from, size_t to, bool skip_signature) {
  std::vector<std::string_view> kept;
  for (size_t k = from; k < to; ++k) {
    bool in_signature = l.sig_begin != kNone && k >= l.sig_begin && k < l.sig_end;
    if (!(skip_signature && in_signature)) kept.push_back(l.lines[k]);
  }
  size_t first = 0, last = kept.size();
  while (first < last && IsBlank(kept[first])) ++first;
  while (last > first && IsBlank(kept[last - 1])) --last;
  std::string out;
  for (size_t k = first; k < last; ++k) {
    if (k > first) out += '\n';
    out += kept[k];
  }
  return out;
}

}  // namespace

TrimmedReply TrimReply(std::string_view text) {
  Layout l;
  l.lines = SplitLines(text);
  l.kinds.assign(l.lines.size(), Kind::kOwn);
  FindHistory(l);
  FindSignature(l);

  size_t last_own = kNone;
  for (size_t k = 0; k < l.history; ++k) {
    if (l.kinds[k] == Kind::kOwn) last_own = k;
  }
  const size_t n = l.lines.size();
  if (last_own == kNone) {
    // Nothing of the sender's own: a bare forward or quote; keep it all.
    l.sig_begin = l.sig_end = kNone;
    return TrimmedReply{Join(l, 0, n, false), "", ""};
  }
  TrimmedReply out;
  out.visible_text = Join(l, 0, last_own + 1, false);
  out.quoted = Join(l, last_own + 1, n, true);
  if (l.sig_begin != kNone) out.signature = Join(l, l.sig_begin, l.sig_end, false);
  return out;
}

}  // namespace replydesk::mail
