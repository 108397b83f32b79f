// SHA-256 via OpenSSL's EVP digest: it uses the CPU's SHA extensions or
// AVX2, several times faster than libsodium's portable code, which was 16% of
// an import's time (bench/RESULTS.md).
#include "util/sha256.h"

#include <openssl/evp.h>

namespace replydesk::util {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * sizeof digest, '0');
  for (size_t i = 0; i < sizeof digest; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace replydesk::util
