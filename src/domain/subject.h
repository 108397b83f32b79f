// Subject normalisation for the conservative threading fallback: two subjects
// belong together when they are equal after removing reply/forward prefixes in
// the languages our customers write ("Re:", "Fwd:", "AW:", "Отв:", "Отг:",
// "Fw:", "RE[2]:", "Re: Re:"), our ticket tags, and case/whitespace differences.
#pragma once

#include <string>
#include <string_view>

#include "domain/ticket_tag.h"

namespace replydesk::domain {

// Lower-case (ASCII, Latin-1 supplement, Latin Extended-A, Cyrillic), prefixes
// and tags removed, whitespace collapsed. "" when nothing is left.
std::string NormalizeSubject(std::string_view subject, const TicketTag& tag);

// True when `subject` starts with a reply or forward prefix.
bool HasReplyPrefix(std::string_view subject);

// Lower-cases UTF-8 text for the scripts we serve (Latin, Cyrillic); other
// code points pass through unchanged.
std::string LowerUtf8(std::string_view s);

}  // namespace replydesk::domain
