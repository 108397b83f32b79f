// Address normalisation: see address.h.
#include "domain/address.h"

#include "util/strings.h"

namespace replydesk::domain {

std::string NormalizeAddress(std::string_view address) {
  std::string_view s = util::TrimView(address);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>')
    s = util::TrimView(s.substr(1, s.size() - 2));
  if (s.size() >= 7 && util::StartsWithIgnoreCase(s, "mailto:")) s.remove_prefix(7);
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size()) return "";
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',') return "";
  }
  return util::AsciiLower(s);
}

std::string AddressDomain(std::string_view normalized) {
  size_t at = normalized.rfind('@');
  return at == std::string_view::npos ? "" : std::string(normalized.substr(at + 1));
}

}  // namespace replydesk::domain
