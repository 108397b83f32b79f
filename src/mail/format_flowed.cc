// RFC 3676 decoder: see format_flowed.h.
#include "mail/format_flowed.h"

#include "util/strings.h"

namespace replydesk::mail {

std::string DecodeFormatFlowed(std::string_view text, bool delsp) {
  std::string out, paragraph;
  int paragraph_depth = -1;  // -1: no paragraph open
  auto flush = [&] {
    if (paragraph_depth < 0) return;
    if (paragraph_depth > 0) out += std::string(paragraph_depth, '>') + " ";
    out += paragraph;
    out += '\n';
    paragraph.clear();
    paragraph_depth = -1;
  };
  std::vector<std::string> lines = util::Split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // text ended with a line end
  for (std::string& line : lines) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    int depth = 0;
    while (static_cast<size_t>(depth) < line.size() && line[depth] == '>') ++depth;
    std::string_view content = std::string_view(line).substr(depth);
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);  // stuffing
    bool signature = content == "-- ";
    bool flowed = !signature && !content.empty() && content.back() == ' ';
    if (flowed && delsp) content.remove_suffix(1);
    if (paragraph_depth >= 0 && paragraph_depth != depth) flush();  // broken quote nesting
    paragraph_depth = depth;
    paragraph += content;
    if (!flowed) flush();
  }
  flush();
  return out;
}

}  // namespace replydesk::mail
