// Small string helpers shared by every module (ASCII-only case folding; Unicode
// folding lives in search/analysis).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace replydesk::util {

std::string AsciiLower(std::string_view s);
std::string_view TrimView(std::string_view s);
std::string Trim(std::string_view s);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::vector<std::string> Split(std::string_view s, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace replydesk::util
