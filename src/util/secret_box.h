// Secret encryption with the server key: libsodium's crypto_secretbox_easy
// (XSalsa20-Poly1305), a fresh random nonce per message prepended to the
// ciphertext. Used for mailbox passwords, which the poller must send to the
// server and so cannot hash.
//
// The key is 32 bytes in a file of its own (raw, or 64 hex digits), created
// 0600 on first use and written durably (temp file, fsync, link into place,
// fsync the folder) so that two processes starting together agree on one key.
// Losing or changing the file makes every stored secret unreadable: Open then
// fails, it never returns garbage.
//
// Thread safety: a SecretBox is immutable after construction; share it freely.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace replydesk::util {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kOverheadBytes = 24 + 16;  // nonce + MAC

  // kInvalidArgument "secret.bad_key" unless `key` is exactly kKeyBytes bytes.
  static Result<SecretBox> FromKey(std::string_view key);

  // Reads the key file at `path`. When it does not exist and `create` is true,
  // a random key is written there first (folder created, file mode 0600).
  // Errors: kNotFound "secret.no_key_file" (missing, create false),
  // kInvalidArgument "secret.bad_key" (wrong size or content), the file
  // system's "fs.*" errors.
  static Result<SecretBox> LoadKeyFile(const std::string& path, bool create);

  SecretBox(const SecretBox& other) = default;
  SecretBox& operator=(const SecretBox& other) = default;
  ~SecretBox();

  // nonce || ciphertext, kOverheadBytes longer than the plaintext.
  std::string Seal(std::string_view plaintext) const;
  // kPermissionDenied "secret.decrypt" when the data was sealed with another
  // key or was altered; kInvalidArgument "secret.decrypt" when too short.
  Result<std::string> Open(std::string_view sealed) const;

 private:
  SecretBox() = default;
  std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace replydesk::util
