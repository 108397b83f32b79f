// E-mail address normalisation: the key of customer identities and channels.
// Lower-cased whole (local parts are case-insensitive at every provider our
// customers use), angle brackets and surrounding space removed.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::domain {

// "John <John.Doe@Example.COM>" is not accepted here: pass the addr-spec.
// "<John.Doe@Example.COM> " -> "john.doe@example.com". "" when not an address
// (no '@', empty local part or domain, spaces or control characters inside).
std::string NormalizeAddress(std::string_view address);

// The domain part of a normalised address ("example.com"), "" when none.
std::string AddressDomain(std::string_view normalized);

}  // namespace replydesk::domain
