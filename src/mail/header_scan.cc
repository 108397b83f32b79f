// Fast header scan: see header_scan.h.
#include "mail/header_scan.h"

#include "util/strings.h"

namespace replydesk::mail {
namespace {

// Returns the unfolded value of the header starting at raw[pos] (after the
// colon) and advances pos past its last continuation line.
std::string UnfoldedValue(std::string_view raw, size_t& pos) {
  std::string value;
  while (pos < raw.size()) {
    size_t eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) eol = raw.size();
    std::string_view line = raw.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    value.append(line);
    pos = eol + 1;
    if (pos >= raw.size() || (raw[pos] != ' ' && raw[pos] != '\t')) break;
  }
  return value;
}

std::string ExtractMessageId(std::string_view v) {
  v = util::TrimView(v);
  size_t open = v.find('<');
  if (open != std::string_view::npos) {
    size_t close = v.find('>', open);
    if (close != std::string_view::npos) return util::Trim(v.substr(open + 1, close - open - 1));
  }
  // Some senders omit the brackets; take the first token.
  size_t space = v.find_first_of(" \t");
  return std::string(v.substr(0, space));
}

std::string ExtractAddress(std::string_view v) {
  // The angle-address after any display name (which may itself contain '<' in
  // quotes, rarely): take the last <...> pair.
  size_t close = v.rfind('>');
  size_t open = close == std::string_view::npos ? close : v.rfind('<', close);
  if (open != std::string_view::npos) return util::Trim(v.substr(open + 1, close - open - 1));
  // Bare addr-spec, possibly followed by a "(comment)" or a list.
  v = util::TrimView(v);
  size_t end = v.find_first_of(" \t,(");
  return std::string(v.substr(0, end));
}

}  // namespace

HeaderScan ScanHeaders(std::string_view raw) {
  HeaderScan scan;
  bool have_id = false, have_from = false;
  size_t pos = 0;
  while (pos < raw.size() && !(have_id && have_from)) {
    if (raw[pos] == '\n' || (raw[pos] == '\r' && pos + 1 < raw.size() && raw[pos + 1] == '\n')) {
      break;  // end of the header block
    }
    size_t colon = raw.find(':', pos);
    size_t eol = raw.find('\n', pos);
    if (colon == std::string_view::npos || (eol != std::string_view::npos && colon > eol)) {
      pos = eol == std::string_view::npos ? raw.size() : eol + 1;  // not a header line: skip
      continue;
    }
    std::string_view name = util::TrimView(raw.substr(pos, colon - pos));
    pos = colon + 1;
    if (!have_id && util::EqualsIgnoreCase(name, "message-id")) {
      scan.message_id = ExtractMessageId(UnfoldedValue(raw, pos));
      have_id = true;
    } else if (!have_from && util::EqualsIgnoreCase(name, "from")) {
      scan.from_address = ExtractAddress(UnfoldedValue(raw, pos));
      have_from = true;
    } else {
      UnfoldedValue(raw, pos);
    }
  }
  return scan;
}

}  // namespace replydesk::mail
