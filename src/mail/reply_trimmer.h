// Quote and signature trimming: splits the body of an incoming reply into the
// new text the sender wrote, the quoted history below it and the signature.
// Plain text only (the body the MIME parser chose, UTF-8); no RFC defines
// quoting, so the rules follow what mail clients write: Gmail, Outlook
// (desktop, web, mobile), Apple Mail, Thunderbird, Mail.ru, Yandex, abv.bg,
// in English, Russian, Bulgarian, Romanian, French, German, Spanish, Italian,
// Portuguese, Dutch, Nordic, Polish and more. Signature delimiter: RFC 3676
// §4.3 ("-- ").
#pragma once

#include <string>
#include <string_view>

namespace replydesk::mail {

struct TrimmedReply {
  std::string visible_text;  // what an agent should see: the new text, sign-off included
  std::string quoted;        // quoted history (attribution line included), "" when none
  std::string signature;     // "--"/"__"-delimited block or mobile "Sent from" line, "" when none
};

// Splits `text` (UTF-8, LF or CRLF line ends) into its parts; every part has
// LF line ends and no leading or trailing blank lines. Rules, in order:
//  - History starts at an attribution ("On <date>, <name> wrote:", wrapped
//    over up to three lines, and its translations, "<date>, <name> <addr>:"),
//    an "-----Original Message-----" line (and translations), or an Outlook
//    header block ("From:" followed by "Sent:/Date:/To:/Subject:", localized),
//    with a "____"/"----" separator line just above it.
//  - Inline replies: when the sender's own text follows a `>`-quoted block,
//    visible_text keeps everything (quotes included) up to the last own line;
//    only what follows goes to `quoted`. An attribution or header block whose
//    history is not `>`-prefixed ends the new text for good. One or two
//    lines without '>' right between quoted lines, after a long quoted line
//    or starting in lower case, are the tail of a hard-wrapped quoted line.
//  - A forwarded message ("---------- Forwarded message ---------" and its
//    header block) stays visible: it is what the sender wants us to read.
//  - A signature starts at "-- ", "--", "---", "----" or a line of 2+ '_'
//    (a mailing-list footer counts) when no own text follows it, and runs to
//    the history; a mobile footer ("Sent from my iPhone", "Отправлено с
//    iPhone", "Trimis de pe", "Изпратено от", ...) is a signature line and
//    everything after it is history. A sign-off without delimiter ("Regards,
//    Anna", "С уважением, Ольга") stays visible.
//  - When no own text is left (a bare forward, only a quote, only a
//    signature), visible_text is the whole text and the other parts are "".
// Pure function; thread-safe; linear in the size of `text`; never throws on
// any input except std::bad_alloc.
TrimmedReply TrimReply(std::string_view text);

}  // namespace replydesk::mail
