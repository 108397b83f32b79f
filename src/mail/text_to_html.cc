// Plain text to HTML for outgoing mail: see text_to_html.h.
#include "mail/text_to_html.h"

#include <vector>

namespace replydesk::mail {
namespace {

void Escape(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

// Escapes a line and turns http(s):// URLs into links.
void Line(std::string_view line, std::string& out) {
  size_t pos = 0;
  while (pos < line.size()) {
    size_t a = line.find("http://", pos);
    size_t b = line.find("https://", pos);
    size_t start = std::min(a, b);
    if (start == std::string_view::npos) break;
    size_t end = start;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '<' &&
           line[end] != '>' && line[end] != '"') {
      ++end;
    }
    while (end > start && (line[end - 1] == '.' || line[end - 1] == ',' || line[end - 1] == ')'))
      --end;
    Escape(line.substr(pos, start - pos), out);
    const std::string_view url = line.substr(start, end - start);
    out += "<a href=\"";
    Escape(url, out);
    out += "\">";
    Escape(url, out);
    out += "</a>";
    pos = end;
  }
  Escape(line.substr(pos), out);
}

}  // namespace

std::string TextToHtml(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view l = text.substr(pos, eol - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(l);
    pos = eol + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
      "<body style=\"font-family: sans-serif; font-size: 14px\">\n";
  bool quoting = false;
  for (std::string_view l : lines) {
    const bool quoted = !l.empty() && l[0] == '>';
    if (quoted != quoting) {
      out += quoted ? "<blockquote style=\"margin:0 0 0 .8ex; border-left:1px solid #ccc; "
                      "padding-left:1ex; color:#555\">\n"
                    : "</blockquote>\n";
      quoting = quoted;
    }
    if (quoted) {
      l.remove_prefix(1);
      if (!l.empty() && l[0] == ' ') l.remove_prefix(1);
    }
    Line(l, out);
    out += "<br>\n";
  }
  if (quoting) out += "</blockquote>\n";
  out += "</body></html>\n";
  return out;
}

}  // namespace replydesk::mail
