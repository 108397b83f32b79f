// Structured header fields other than addresses: Message-ID, In-Reply-To and
// References (RFC 5322 §3.6.4) and Date (RFC 5322 §3.3, with the obsolete and
// broken forms GMime's date parser accepts). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace replydesk::mail {

// Ids without angle brackets, in order, duplicates dropped. Text outside
// brackets is junk ("<a@b> (Your message of ...)"), except when no bracket
// exists at all: then the white-space separated words holding '@' are ids
// (or the one word, for a bare Message-ID).
std::vector<std::string> ParseMessageIds(std::string_view raw);

// First id of ParseMessageIds, "" when none.
std::string ParseMessageId(std::string_view raw);

// Unix seconds (UTC) or nullopt when missing or unparsable.
std::optional<long long> ParseDate(std::string_view raw);

// "2026-11-24T08:55:25Z".
std::string FormatIsoDate(long long unix_seconds);

}  // namespace replydesk::mail
