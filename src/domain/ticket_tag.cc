// Ticket tags in subjects: see ticket_tag.h.
#include "domain/ticket_tag.h"

#include "util/strings.h"

namespace replydesk::domain {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

size_t SkipSpaces(std::string_view s, size_t i) {
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

}  // namespace

std::string TicketTag::Format(int64_t number) const {
  return "[#" + prefix_ + std::to_string(number) + "]";
}

std::string TicketTag::AddTo(std::string_view subject, int64_t number) const {
  if (Find(subject) == number) return std::string(subject);
  std::string out = util::Trim(subject);
  if (!out.empty()) out += ' ';
  return out + Format(number);
}

std::pair<size_t, size_t> TicketTag::Locate(std::string_view s, size_t from,
                                            int64_t* number) const {
  for (size_t open = s.find('[', from); open != std::string_view::npos;
       open = s.find('[', open + 1)) {
    size_t i = SkipSpaces(s, open + 1);
    if (i < s.size() && s[i] == '#') i = SkipSpaces(s, i + 1);
    if (!util::StartsWithIgnoreCase(s.substr(i), prefix_)) continue;
    i += prefix_.size();
    size_t digits = i;
    int64_t n = 0;
    while (i < s.size() && IsDigit(s[i]) && i - digits < 18) n = n * 10 + (s[i++] - '0');
    if (i == digits) continue;
    i = SkipSpaces(s, i);
    if (i >= s.size() || s[i] != ']') continue;
    *number = n;
    return {open, i + 1 - open};
  }
  return {std::string_view::npos, 0};
}

std::optional<int64_t> TicketTag::Find(std::string_view subject) const {
  if (prefix_.empty()) return std::nullopt;
  int64_t n = 0;
  auto [pos, len] = Locate(subject, 0, &n);
  if (pos == std::string_view::npos) return std::nullopt;
  return n;
}

std::string TicketTag::Strip(std::string_view subject) const {
  std::string out;
  size_t from = 0;
  int64_t n = 0;
  while (!prefix_.empty()) {
    auto [pos, len] = Locate(subject, from, &n);
    if (pos == std::string_view::npos) break;
    out.append(subject.substr(from, pos - from));
    from = pos + len;
  }
  out.append(subject.substr(from));
  // Collapse the double spaces a removed tag leaves.
  std::string collapsed;
  for (char c : util::TrimView(out)) {
    if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
    collapsed += c;
  }
  return collapsed;
}

}  // namespace replydesk::domain
