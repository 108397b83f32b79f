// Address list decoding: see address_list.h. Names are decoded here, before
// GMime's address parser sees the value: every encoded word is replaced by
// its UTF-8 text inside a quoted string, so GMime only parses RFC 6532
// syntax and our RFC 2047 decoder (with its repairs) is the only one used.
#include "mail/address_list.h"

#include <string>

#include "mail/gmime_handle.h"
#include "mail/header_decoder.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

std::string Escape(std::string_view text, std::string_view specials) {
  std::string out;
  for (char c : text) {
    if (specials.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// Decodes the encoded words of one phrase piece (between , ; : < or a quote).
void AppendPhrase(std::string_view piece, std::string* out, bool* repaired) {
  if (piece.find("=?") == std::string_view::npos || piece.find('@') != std::string_view::npos) {
    out->append(piece);
    return;
  }
  DecodedText decoded = DecodeHeaderText(piece);
  if (decoded.repaired) *repaired = true;
  *out += " \"" + Escape(decoded.text, "\"\\") + "\" ";
}

// Rewrites `value` with every encoded word decoded (see the file comment).
std::string PreDecodeNames(std::string_view value, bool* repaired) {
  std::string out, phrase;
  auto flush = [&] {
    AppendPhrase(phrase, &out, repaired);
    phrase.clear();
  };
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '"' || c == '(' || c == '<') {
      char close = c == '"' ? '"' : c == '(' ? ')' : '>';
      size_t end = i + 1;
      while (end < value.size() && value[end] != close) end += value[end] == '\\' ? 2 : 1;
      end = std::min(end, value.size());
      std::string_view inner = value.substr(i + 1, end - i - 1);
      flush();
      if (c == '<' || inner.find("=?") == std::string_view::npos) {
        out.append(value.substr(i, std::min(end + 1, value.size()) - i));
      } else {
        DecodedText decoded = DecodeHeaderText(inner);
        if (decoded.repaired) *repaired = true;
        out += c + Escape(decoded.text, c == '"' ? "\"" : "()\\") + close;
      }
      i = end;
    } else if (c == ',' || c == ';' || c == ':') {
      flush();
      out += c;
    } else {
      phrase += c;
    }
  }
  flush();
  return out;
}

void Flatten(InternetAddressList* list, int depth, std::vector<Mailbox>* out) {
  if (list == nullptr || depth > 8) return;
  int count = internet_address_list_length(list);
  for (int i = 0; i < count; ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(address)) {
      Flatten(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), depth + 1, out);
      continue;
    }
    if (!INTERNET_ADDRESS_IS_MAILBOX(address)) continue;
    const char* name = internet_address_get_name(address);
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
    Mailbox mailbox{util::Trim(name ? name : ""), util::Trim(addr ? addr : "")};
    if (mailbox.name.empty() && mailbox.address.empty()) continue;
    // "From: Whomever" (RFC 822 examples, cron mail): an addr-spec needs a
    // domain (RFC 5322 §3.4.1), so a lone word is a name without an address.
    if (mailbox.name.empty() && mailbox.address.find('@') == std::string::npos) {
      mailbox.name = std::move(mailbox.address);
      mailbox.address.clear();
    }
    out->push_back(std::move(mailbox));
  }
}

}  // namespace

std::vector<Mailbox> DecodeAddressList(std::string_view raw, bool* repaired) {
  std::string value = EightBitHeaderToUtf8(Unfold(raw), repaired);
  if (util::TrimView(value).empty()) return {};
  std::string prepared = PreDecodeNames(value, repaired);
  GObjectPtr<InternetAddressList> list(
      internet_address_list_parse(SharedParserOptions(), prepared.c_str()));
  std::vector<Mailbox> out;
  Flatten(list.get(), 0, &out);
  return out;
}

}  // namespace replydesk::mail
