// Message-ID lists and dates: see header_fields.h.
#include "mail/header_fields.h"

#include <ctime>

#include "mail/gmime_handle.h"
#include "mail/header_decoder.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

void AddId(std::string id, std::vector<std::string>* ids) {
  std::string clean;
  for (char c : id) {
    if (c != ' ' && c != '\t' && c != '"') clean += c;  // a folded id was split by white space
  }
  if (clean.empty()) return;
  for (const std::string& existing : *ids) {
    if (existing == clean) return;
  }
  ids->push_back(std::move(clean));
}

}  // namespace

std::vector<std::string> ParseMessageIds(std::string_view raw) {
  std::string value = Unfold(raw);
  for (char& c : value) {
    if (c == '\t') c = ' ';
  }
  std::vector<std::string> ids;
  size_t pos = 0;
  bool bracketed = false;
  while ((pos = value.find('<', pos)) != std::string::npos) {
    size_t end = value.find('>', pos + 1);
    if (end == std::string::npos) {
      AddId(value.substr(pos + 1), &ids);  // truncated last id
      bracketed = true;
      break;
    }
    AddId(value.substr(pos + 1, end - pos - 1), &ids);
    bracketed = true;
    pos = end + 1;
  }
  if (bracketed) return ids;
  std::vector<std::string> words;
  for (std::string& word : util::Split(value, ' ')) {
    for (std::string& w : util::Split(word, ',')) {
      std::string t = util::Trim(w);
      if (!t.empty()) words.push_back(t);
    }
  }
  for (const std::string& word : words) {
    if (word.find('@') != std::string::npos) AddId(word, &ids);
  }
  if (ids.empty() && words.size() == 1) AddId(words[0], &ids);
  return ids;
}

std::string ParseMessageId(std::string_view raw) {
  std::vector<std::string> ids = ParseMessageIds(raw);
  return ids.empty() ? std::string() : ids.front();
}

std::optional<long long> ParseDate(std::string_view raw) {
  std::string value = util::Trim(Unfold(raw));
  if (value.empty()) return std::nullopt;
  SharedParserOptions();  // g_mime_init
  GDateTime* date = g_mime_utils_header_decode_date(value.c_str());
  if (date == nullptr) return std::nullopt;
  long long seconds = g_date_time_to_unix(date);
  g_date_time_unref(date);
  return seconds;
}

std::string FormatIsoDate(long long unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  if (gmtime_r(&t, &tm) == nullptr) return {};
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace replydesk::mail
