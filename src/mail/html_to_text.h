// HTML to plain text for mail bodies that come without a text/plain
// alternative, for previews, search and quote trimming. Built on gumbo
// (HTML5 parsing, so broken markup is handled as a browser would).
// Pure function; thread-safe; never fails on bad markup.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::mail {

// Renders UTF-8 `html` as text: script/style/head skipped, entities decoded,
// white space collapsed, line breaks for block elements and <br>, "- " or
// "1. " before list items, at most one blank line in a row, LF line ends.
std::string HtmlToText(std::string_view html);

}  // namespace replydesk::mail
