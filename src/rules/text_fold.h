// Text folding for rule conditions: what "ignores case" means when customers
// write Russian, Bulgarian, Romanian and English. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::rules {

// Lower-cases `s` (domain::LowerUtf8: Latin and Cyrillic) and folds the
// letters customers type interchangeably: ё -> е, ă â -> a, î -> i, ș ş -> s,
// ț ţ -> t. Bytes that are not valid UTF-8 become U+FFFD first, so a broken
// byte never merges with its neighbours ("\xD0" + "A" is not "ё").
std::string FoldForMatch(std::string_view s);

}  // namespace replydesk::rules
