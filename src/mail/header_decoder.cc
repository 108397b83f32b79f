// RFC 2047 decoding of header text: see header_decoder.h.
// The decoder tokenises the value into plain runs and encoded words, drops
// white space between adjacent encoded words (RFC 2047 §6.2), and joins the
// bytes of neighbouring words with the same charset before converting them:
// Outlook and some webmails cut a UTF-8 character in two across words.
#include "mail/header_decoder.h"

#include <vector>

#include "mail/charset.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

struct Token {
  bool encoded = false;
  std::string text;     // plain: the text; encoded: the payload
  std::string charset;  // encoded only, without an RFC 2231 "*lang" suffix
  char encoding = 'Q';
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string DecodeQ(std::string_view payload) {
  std::string out;
  for (size_t i = 0; i < payload.size(); ++i) {
    char c = payload[i];
    if (c == '_') {
      out += ' ';
    } else if (c == '=' && i + 2 < payload.size() && HexValue(payload[i + 1]) >= 0 &&
               HexValue(payload[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(payload[i + 1]) * 16 + HexValue(payload[i + 2]));
      i += 2;
    } else {
      out += c;  // a bare '=' or space: keep it, as Thunderbird does
    }
  }
  return out;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Lenient base64: skips characters outside the alphabet, stops at padding
// only at the end, decodes a trailing partial quantum as far as it goes.
std::string DecodeB(std::string_view payload) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : payload) {
    int v = Base64Value(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// Parses an encoded word at s[pos] ("=?cs?E?payload?="); returns its length or 0.
size_t ParseEncodedWord(std::string_view s, size_t pos, Token* token) {
  if (s.compare(pos, 2, "=?") != 0) return 0;
  size_t q1 = s.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 == pos + 2 || q1 - pos > 80) return 0;
  if (q1 + 2 >= s.size() || s[q1 + 2] != '?') return 0;
  char enc = static_cast<char>(s[q1 + 1] & ~0x20);
  if (enc != 'B' && enc != 'Q') return 0;
  size_t end = s.find("?=", q1 + 3);
  if (end == std::string_view::npos) return 0;
  std::string_view charset = s.substr(pos + 2, q1 - pos - 2);
  if (charset.find_first_of(" \t\"") != std::string_view::npos) return 0;
  token->encoded = true;
  token->charset = std::string(charset.substr(0, charset.find('*')));
  token->encoding = enc;
  token->text = std::string(s.substr(q1 + 3, end - q1 - 3));
  return end + 2 - pos;
}

std::vector<Token> Tokenise(std::string_view s) {
  std::vector<Token> tokens;
  std::string plain;
  for (size_t i = 0; i < s.size();) {
    Token word;
    size_t len = ParseEncodedWord(s, i, &word);
    if (len == 0) {
      plain += s[i++];
      continue;
    }
    bool only_space = util::TrimView(plain).empty();
    // White space between two encoded words is not text (RFC 2047 §6.2).
    if (!plain.empty() && !(only_space && !tokens.empty() && tokens.back().encoded)) {
      tokens.push_back(Token{false, plain, {}, 'Q'});
    }
    plain.clear();
    tokens.push_back(std::move(word));
    i += len;
  }
  if (!plain.empty()) tokens.push_back(Token{false, plain, {}, 'Q'});
  return tokens;
}

// Decodes a run of encoded words sharing one charset: base64 payloads cut
// off a 4-character boundary are joined before decoding.
std::string DecodeRunBytes(const std::vector<Token>& tokens, size_t begin, size_t end) {
  std::string bytes, pending_b64;
  for (size_t i = begin; i < end; ++i) {
    const Token& t = tokens[i];
    if (t.encoding == 'Q') {
      bytes += DecodeB(pending_b64);
      pending_b64.clear();
      bytes += DecodeQ(t.text);
      continue;
    }
    pending_b64 += t.text;
    if (pending_b64.size() % 4 == 0) {
      bytes += DecodeB(pending_b64);
      pending_b64.clear();
    }
  }
  return bytes + DecodeB(pending_b64);
}

}  // namespace

std::string Unfold(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c != '\r' && c != '\n') out += c;
  }
  return out;
}

std::string EightBitHeaderToUtf8(std::string_view raw, bool* repaired) {
  if (!HasEightBit(raw)) return std::string(raw);
  Utf8Text converted = ToUtf8(raw, "");
  if (converted.guessed) *repaired = true;
  return std::move(converted.text);
}

DecodedText DecodeHeaderText(std::string_view raw) {
  DecodedText result;
  std::string value = EightBitHeaderToUtf8(Unfold(raw), &result.repaired);
  std::vector<Token> tokens = Tokenise(value);
  std::string out;
  for (size_t i = 0; i < tokens.size();) {
    if (!tokens[i].encoded) {
      out += tokens[i++].text;
      continue;
    }
    size_t j = i + 1;
    while (j < tokens.size() && tokens[j].encoded &&
           util::EqualsIgnoreCase(tokens[j].charset, tokens[i].charset)) {
      ++j;
    }
    Utf8Text text = ToUtf8(DecodeRunBytes(tokens, i, j), tokens[i].charset);
    if (text.guessed) result.repaired = true;
    out += text.text;
    i = j;
  }
  for (char& c : out) {
    if (c == '\t' || c == '\0') c = ' ';
  }
  result.text = util::Trim(out);
  return result;
}

}  // namespace replydesk::mail
