// SHA-256 (OpenSSL) as lowercase hex: the name of every content-addressed blob
// and the idempotency key of raw messages.
#pragma once

#include <string>
#include <string_view>

namespace replydesk::util {

// Returns the 64-character lowercase hex SHA-256 of `data`. Thread-safe.
std::string Sha256Hex(std::string_view data);

}  // namespace replydesk::util
