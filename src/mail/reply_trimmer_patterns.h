// Line classifiers of the reply trimmer (reply_trimmer.h): what quoted
// history, attributions, Outlook header blocks, signature delimiters and
// mobile footers look like, in the languages the corpora and our customers
// write. Internal to reply_trimmer.cc; declared here for the unit tests.
// No regular expressions: some lines are hundreds of kilobytes long (a
// 750 KB run of '>'), and every check here is linear in the line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace replydesk::mail::reply_trim {

// Lower-cases ASCII, Latin-1, Latin Extended-A, Romanian and Cyrillic
// letters; maps the cedilla forms ş ţ to the comma forms ș ț (old Romanian
// keyboards write both). Other bytes, including invalid UTF-8, are copied.
std::string FoldCase(std::string_view s);

// A `>`-quoted line: the first non-blank character is '>'. A lone ">:" is
// not: Gmail wraps an attribution's "<address" / ">:" there.
bool IsQuoteLine(std::string_view line);

// Only whitespace.
bool IsBlank(std::string_view line);

// "-- " (RFC 3676), "--", "---", "----", or a line of 2+ '_' (Outlook's 32,
// mailing-list footers), each possibly indented.
bool IsSignatureDelimiter(std::string_view line);

// A line of 5+ '_', '-' or '=' (what Outlook and Thunderbird put above a
// header block).
bool IsSeparatorLine(std::string_view line);

// "Sent from my iPhone", "Von meinem iPhone gesendet", "Отправлено с iPhone",
// "Изпратено от моя iPhone", "Trimis de pe iPhone-ul meu", "Get Outlook for
// iOS", ...: a known opening, at most nine words before any "<link>", no ':'
// in them and no ", ", so "Sent from my desk, is much easier then my mobile
// phone." stays.
bool IsMobileFooter(std::string_view line);

// "-----Original Message-----", "-------- Исходное сообщение --------",
// "----- Оригинално съобщение -----", "-----Mesaj original-----", ...
// Without dashes the phrase alone counts only when `next_is_from` (the next
// non-blank line is a "From:" field).
bool IsOriginalMessageLine(std::string_view line, bool next_is_from);

// "---------- Forwarded message ---------", "Begin forwarded message:",
// "-------- Пересылаемое сообщение --------", ...
bool IsForwardLine(std::string_view line);

enum class HeaderField { kNone, kFrom, kOther };

// The Outlook header field a line starts with: "From:", "*From:*", "От:",
// "De la:", "Von:", "Envoyé le :" ... (kFrom for the sender field, kOther
// for Sent/Date/To/Cc/Subject and translations).
HeaderField HeaderFieldOf(std::string_view line);

// When lines[i] starts an Outlook header block (consecutive field lines, one
// of them "From:", at least two fields, three when "From:" has no address),
// the index one past its last line.
std::optional<size_t> OutlookBlockEnd(const std::vector<std::string_view>& lines, size_t i);

// When lines[i] ends an attribution ("On ..., X wrote:", "... написал(а):",
// "Am ... schrieb X <x@y>:", "12.05.2025, 10:15, X <x@y>:"), the index of
// its first line (i, or up to two lines above when the client wrapped it).
// `quote_follows`: the next non-blank line is `>`-quoted, which admits an
// attribution without a date or address ("John Smith wrote:").
std::optional<size_t> AttributionBegin(const std::vector<std::string_view>& lines, size_t i,
                                       bool quote_follows);

}  // namespace replydesk::mail::reply_trim
