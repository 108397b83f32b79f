// The shipped templates: src/rules/templates/<name>.<language>.mustache, each
// written like a message ("Subject: ..." line, blank line, body), compiled in
// by embed_templates.cmake. Translators edit those files; nothing here.
#include <algorithm>
#include <string_view>
#include <tuple>

#include "rules/embedded_templates.h"
#include "rules/templates.h"

namespace replydesk::rules {
namespace {

constexpr std::string_view kSubjectPrefix = "Subject: ";

// "acknowledgement.ru.mustache" + "Subject: x\n\nbody" -> {acknowledgement, ru, x, body}.
TemplateText FromFile(const EmbeddedTemplate& file) {
  TemplateText t;
  std::string_view stem = file.file.substr(0, file.file.rfind(".mustache"));
  const size_t dot = stem.rfind('.');
  t.name = std::string(stem.substr(0, dot));
  t.language = dot == std::string_view::npos ? "" : std::string(stem.substr(dot + 1));
  std::string_view text = file.text;
  const size_t eol = text.find('\n');
  if (text.starts_with(kSubjectPrefix) && eol != std::string_view::npos) {
    t.subject = std::string(text.substr(kSubjectPrefix.size(), eol - kSubjectPrefix.size()));
    text.remove_prefix(eol + 1);
    if (text.starts_with('\n')) text.remove_prefix(1);
  }
  t.body = std::string(text);
  return t;
}

std::vector<TemplateText> Load() {
  std::vector<TemplateText> all;
  for (const EmbeddedTemplate& file : EmbeddedTemplates()) all.push_back(FromFile(file));
  std::sort(all.begin(), all.end(), [](const TemplateText& a, const TemplateText& b) {
    return std::tie(a.name, a.language) < std::tie(b.name, b.language);
  });
  return all;
}

}  // namespace

const std::vector<TemplateText>& DefaultTemplates() {
  static const std::vector<TemplateText> kAll = Load();
  return kAll;
}

}  // namespace replydesk::rules
