// The shipped template files, compiled in by embed_templates.cmake (the
// generated embedded_templates.cc lives in the build tree). Internal to the
// rules module: DefaultTemplates() (templates.h) is the interface.
#pragma once

#include <span>
#include <string_view>

namespace replydesk::rules {

struct EmbeddedTemplate {
  std::string_view file;  // "acknowledgement.ru.mustache"
  std::string_view text;  // "Subject: ...\n\n<body>"
};

// Sorted by file name; static storage.
std::span<const EmbeddedTemplate> EmbeddedTemplates();

}  // namespace replydesk::rules
