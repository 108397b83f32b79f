// IMAP4 syntax pieces: see imap_syntax.h.
#include "channels/imap_syntax.h"

#include <algorithm>
#include <cctype>

namespace replydesk::channels::imap {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(s[i])) !=
        std::toupper(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::optional<uint64_t> Digits(std::string_view s, size_t pos) {
  uint64_t n = 0;
  size_t start = pos;
  while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) && pos - start < 19) {
    n = n * 10 + static_cast<uint64_t>(s[pos++] - '0');
  }
  if (pos == start) return std::nullopt;
  return n;
}

// Position just after `item` + " " where `item` starts a token, or npos.
size_t FindItem(std::string_view line, std::string_view item) {
  for (size_t pos = 0; pos + item.size() < line.size(); ++pos) {
    if ((pos == 0 || line[pos - 1] == ' ' || line[pos - 1] == '(') &&
        StartsWithNoCase(line.substr(pos), item) && line[pos + item.size()] == ' ') {
      return pos + item.size() + 1;
    }
  }
  return std::string_view::npos;
}

// The quoted string starting at line[pos] == '"', unescaped.
std::string Unquote(std::string_view line, size_t pos) {
  std::string out;
  for (size_t i = pos + 1; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) ++i;
    out += line[i];
  }
  return out;
}

// Decodes one UTF-8 sequence at s[i]; advances i. Invalid bytes give U+FFFD.
char32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int extra = c >= 0xF0 && c < 0xF5   ? 3
              : c >= 0xE0 && c < 0xF0 ? 2
              : c >= 0xC2 && c < 0xE0 ? 1
                                      : -1;
  if (extra < 0 || i + static_cast<size_t>(extra) >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  i += static_cast<size_t>(extra) + 1;
  return cp;
}

// Modified BASE64 of UTF-16BE units (RFC 3501 §5.1.3: ',' for '/', no padding).
std::string Base64Utf16(const std::u16string& units) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
  std::string bytes;
  for (char16_t u : units) {
    bytes += static_cast<char>(u >> 8);
    bytes += static_cast<char>(u & 0xFF);
  }
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3F];
  return out;
}

}  // namespace

Command& Command::Text(std::string_view text) {
  pieces.back().append(text);
  return *this;
}

Command& Command::String(std::string_view value) {
  bool literal = std::any_of(value.begin(), value.end(), [](char c) {
    return c == '\r' || c == '\n' || c == '\0' || static_cast<unsigned char>(c) >= 0x80;
  });
  if (literal) {
    pieces.back() += "{" + std::to_string(value.size()) + (non_synchronizing ? "+}" : "}");
    pieces.emplace_back(value);
    pieces.emplace_back();
    return *this;
  }
  std::string& out = pieces.back();
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return *this;
}

std::string EncodeMailboxName(std::string_view utf8) {
  std::string out;
  std::u16string pending;
  const auto flush = [&] {
    if (pending.empty()) return;
    out += '&' + Base64Utf16(pending) + '-';
    pending.clear();
  };
  for (size_t i = 0; i < utf8.size();) {
    char32_t cp = NextCodePoint(utf8, i);
    if (cp >= 0x20 && cp <= 0x7E) {
      flush();
      out += cp == '&' ? std::string("&-") : std::string(1, static_cast<char>(cp));
    } else if (cp > 0xFFFF) {
      cp -= 0x10000;
      pending += static_cast<char16_t>(0xD800 + (cp >> 10));
      pending += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      pending += static_cast<char16_t>(cp);
    }
  }
  flush();
  return out;
}

std::vector<std::string> UidSets(std::vector<uint32_t> uids, size_t max_chars) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::vector<std::string> sets;
  std::string current;
  for (size_t i = 0; i < uids.size();) {
    size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    std::string range = std::to_string(uids[i]);
    if (j > i) range += ":" + std::to_string(uids[j]);
    if (!current.empty() && current.size() + 1 + range.size() > max_chars) {
      sets.push_back(std::move(current));
      current.clear();
    }
    current += (current.empty() ? "" : ",") + range;
    i = j + 1;
  }
  if (!current.empty()) sets.push_back(std::move(current));
  return sets;
}

std::optional<size_t> TrailingLiteral(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inside = line.substr(open + 1, line.size() - open - 2);
  if (!inside.empty() && inside.back() == '+') inside.remove_suffix(1);
  if (inside.empty() || inside.size() > 12 ||
      !std::all_of(inside.begin(), inside.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return static_cast<size_t>(std::stoull(std::string(inside)));
}

FetchItems ParseFetch(Response& response) {
  FetchItems items;
  if (response.lines.empty()) return items;
  std::string_view first = response.lines[0];
  size_t pos = 2;
  if (!first.starts_with("* ") || !Digits(first, pos)) return items;
  while (pos < first.size() && std::isdigit(static_cast<unsigned char>(first[pos]))) ++pos;
  if (!StartsWithNoCase(first.substr(pos), " FETCH ")) return items;
  items.is_fetch = true;
  for (size_t i = 0; i < response.lines.size(); ++i) {
    std::string_view line = response.lines[i];
    if (size_t at = FindItem(line, "UID"); at != std::string_view::npos) {
      if (auto n = Digits(line, at); n && *n <= UINT32_MAX) items.uid = static_cast<uint32_t>(*n);
    }
    if (size_t at = FindItem(line, "RFC822.SIZE"); at != std::string_view::npos) {
      if (auto n = Digits(line, at)) items.size = static_cast<int64_t>(*n);
    }
    if (size_t at = FindItem(line, "BODY[]"); at != std::string_view::npos) {
      if (at < line.size() && line[at] == '"') {
        items.body = Unquote(line, at);
      } else if (StartsWithNoCase(line.substr(at), "NIL")) {
        // Dovecot's answer for a message another session expunged (with
        // "OK [EXPUNGEISSUED]"): no body, not an empty one.
      } else if (i < response.literals.size() && TrailingLiteral(line)) {
        items.body = std::move(response.literals[i]);
      }
    }
  }
  return items;
}

std::optional<uint64_t> ResponseCodeNumber(std::string_view line, std::string_view code) {
  size_t open = line.find('[');
  if (open == std::string_view::npos || !StartsWithNoCase(line.substr(open + 1), code)) {
    return std::nullopt;
  }
  size_t at = open + 1 + code.size();
  if (at >= line.size() || line[at] != ' ') return std::nullopt;
  return Digits(line, at + 1);
}

std::optional<uint64_t> UntaggedNumber(std::string_view line, std::string_view word) {
  if (!line.starts_with("* ")) return std::nullopt;
  auto n = Digits(line, 2);
  if (!n) return std::nullopt;
  size_t pos = 2;
  while (pos < line.size() && std::isdigit(static_cast<unsigned char>(line[pos]))) ++pos;
  std::string_view rest = line.substr(pos);
  if (rest.size() != word.size() + 1 || rest[0] != ' ' || !StartsWithNoCase(rest.substr(1), word)) {
    return std::nullopt;
  }
  return n;
}

std::vector<std::string> Capabilities(std::string_view line) {
  std::string_view list;
  if (StartsWithNoCase(line, "* CAPABILITY ")) {
    list = line.substr(13);
  } else if (size_t at = line.find("[CAPABILITY "); at != std::string_view::npos) {
    size_t end = line.find(']', at);
    list = line.substr(at + 12, end == std::string_view::npos ? end : end - at - 12);
  }
  std::vector<std::string> caps;
  size_t pos = 0;
  while (pos < list.size()) {
    size_t space = list.find(' ', pos);
    if (space == std::string_view::npos) space = list.size();
    std::string cap(list.substr(pos, space - pos));
    for (char& c : cap) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!cap.empty()) caps.push_back(std::move(cap));
    pos = space + 1;
  }
  return caps;
}

}  // namespace replydesk::channels::imap
