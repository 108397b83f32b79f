// `replydesk inspect` output for a parsed message: the stable JSON contract
// of docs/inspect-json.md, and a short human-readable summary.
// Pure functions; thread-safe; never throw on any ParsedMessage (invalid
// UTF-8 is replaced by U+FFFD before it reaches the JSON library).
#pragma once

#include <string>

#include "mail/parsed_message.h"

namespace replydesk::mail {

// One JSON object with the keys, in this order: from, to, cc, subject, date,
// message_id, in_reply_to, references, text, html, attachments,
// auto_submitted, flags, visible_text, signature (TrimReply of `text`,
// reply_trimmer.h). `pretty` indents by two spaces; otherwise one line.
std::string InspectJson(const ParsedMessage& m, bool pretty);

// "From: ...\nTo: ...\nSubject: ...\nDate: ...\nAttachment: ...\nFlags: ...\n\n<visible
// text>\n", then "\n[signature]\n<signature>\n" and "\n[quoted: N lines]\n" when
// the trimmer found them.
std::string InspectText(const ParsedMessage& m);

}  // namespace replydesk::mail
