// IMAP4 syntax pieces for the mailbox client (RFC 9051, RFC 3501): strings as
// quoted or literal arguments (§4.3), mailbox names in modified UTF-7 (RFC 3501
// §5.1.3), compressed UID sets (§9 sequence-set), and the parts of an untagged
// response the client reads: FETCH items, response codes, capabilities.
// Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace replydesk::channels::imap {

// A command ready to send: pieces[0] is text; every later odd index holds a
// literal's bytes and the even index after it the text that follows. The text
// before a literal ends with "{N}" or "{N+}" (LITERAL+, RFC 7888); the CRLF
// after it and at the end are the sender's.
struct Command {
  std::vector<std::string> pieces{""};
  bool non_synchronizing = false;  // literals sent as {N+}

  Command& Text(std::string_view text);
  // Appends `value` as a quoted string, or as a literal when it holds CR, LF,
  // NUL or 8-bit bytes.
  Command& String(std::string_view value);
};

// UTF-8 mailbox name -> modified UTF-7 ("Архив" -> "&BBAEQARFBDgEMg-").
std::string EncodeMailboxName(std::string_view utf8);

// Ascending, de-duplicated UIDs as sequence-sets of at most `max_chars`
// characters each ("1:5,7,9:12"); only consecutive numbers are merged, so a
// set never names a UID that was not given.
std::vector<std::string> UidSets(std::vector<uint32_t> uids, size_t max_chars = 8000);

// One untagged response as read: lines[i] is followed by literals[i] (so
// lines.size() == literals.size() + 1).
struct Response {
  std::vector<std::string> lines;
  std::vector<std::string> literals;
};

// The literal length announced at the end of a line ("... {123}" or "{123+}").
std::optional<size_t> TrailingLiteral(std::string_view line);

// "* 12 FETCH (UID 40 RFC822.SIZE 3021 BODY[] {3021}...)" items.
struct FetchItems {
  bool is_fetch = false;
  std::optional<uint32_t> uid;
  std::optional<int64_t> size;
  std::optional<std::string> body;  // BODY[] contents (literal or quoted; NIL: none)
};
FetchItems ParseFetch(Response& response);  // moves the body literal out

// The number in "* OK [UIDVALIDITY 3857529045] ..." for code "UIDVALIDITY".
std::optional<uint64_t> ResponseCodeNumber(std::string_view line, std::string_view code);
// "* 23 EXISTS" -> 23 when `word` is "EXISTS".
std::optional<uint64_t> UntaggedNumber(std::string_view line, std::string_view word);
// Capabilities from "* CAPABILITY ..." or a "[CAPABILITY ...]" code, upper-cased;
// empty when the line has none.
std::vector<std::string> Capabilities(std::string_view line);

}  // namespace replydesk::channels::imap
