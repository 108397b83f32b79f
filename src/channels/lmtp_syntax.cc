// LMTP/SMTP path, parameter and reply syntax: see lmtp_syntax.h.
#include "channels/lmtp_syntax.h"

#include <cctype>

#include "util/strings.h"

namespace replydesk::channels {
namespace {

util::Error SyntaxError(std::string message) {
  return util::MakeError(util::ErrorCode::kInvalidArgument, "lmtp.syntax", std::move(message));
}

// Index of the '>' closing a path that starts at s[0] == '<', honouring quoted local parts
// such as <"john >doe"@example.com>; npos when unterminated.
size_t FindPathEnd(std::string_view s) {
  bool quoted = false;
  for (size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == '>' && !quoted) {
      return i;
    }
  }
  return std::string_view::npos;
}

bool HasControlChars(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

util::Result<LmtpPath> ParsePathArgument(std::string_view argument, std::string_view keyword) {
  std::string_view s = util::TrimView(argument);
  if (!util::StartsWithIgnoreCase(s, keyword))
    return SyntaxError("missing " + std::string(keyword));
  s = util::TrimView(s.substr(keyword.size()));
  if (s.empty()) return SyntaxError("missing path");

  LmtpPath path;
  std::string_view rest;
  if (s.front() == '<') {
    size_t end = FindPathEnd(s);
    if (end == std::string_view::npos) return SyntaxError("unterminated path");
    path.address = std::string(s.substr(1, end - 1));
    rest = s.substr(end + 1);
    if (!rest.empty() && rest.front() != ' ') return SyntaxError("garbage after path");
  } else {
    size_t end = s.find(' ');
    path.address = std::string(s.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : s.substr(end);
  }
  // RFC 5321 §4.1.2 source routes ("<@relay1,@relay2:user@host>") must be accepted and ignored.
  if (!path.address.empty() && path.address.front() == '@') {
    size_t colon = path.address.find(':');
    if (colon == std::string::npos) return SyntaxError("bad source route");
    path.address.erase(0, colon + 1);
  }
  // Spaces only inside a quoted local part (<"john doe"@example.com>); control characters never.
  if (HasControlChars(path.address) ||
      (path.address.find(' ') != std::string::npos && path.address.front() != '"')) {
    return SyntaxError("bad characters in path");
  }

  for (const std::string& word : util::Split(util::TrimView(rest), ' ')) {
    if (word.empty()) continue;
    size_t eq = word.find('=');
    std::string key = word.substr(0, eq);
    if (key.empty()) return SyntaxError("empty parameter name");
    for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    path.params.emplace_back(std::move(key),
                             eq == std::string::npos ? std::string() : word.substr(eq + 1));
  }
  return path;
}

std::string FormatReply(const LmtpReply& reply) {
  std::string enhanced = reply.enhanced;
  if (enhanced.empty()) enhanced = std::to_string(reply.code / 100) + ".0.0";
  std::string text = reply.text;
  // A handler's text must not break the reply framing.
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return std::to_string(reply.code) + " " + enhanced + " " + text + "\r\n";
}

std::string FormatMultiline(int code, const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += std::to_string(code);
    out += i + 1 < lines.size() ? '-' : ' ';
    out += lines[i];
    out += "\r\n";
  }
  return out;
}

}  // namespace replydesk::channels
