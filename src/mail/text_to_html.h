// Plain text to a small, safe HTML body for the multipart/alternative part of
// the mail we send: everything escaped, line breaks kept, "> " quoted lines
// as <blockquote>, URLs as links. The text part stays the reference.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::mail {

// A complete HTML document (UTF-8). Never fails.
std::string TextToHtml(std::string_view text);

}  // namespace replydesk::mail
