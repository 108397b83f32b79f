// SHA-256 via OpenSSL's low-level SHA256 functions: the assembly block code
// with the CPU's SHA extensions or AVX2, several times faster than libsodium's
// portable code (which was 16% of an import's time, bench/RESULTS.md).
//
// Not EVP_Digest: in OpenSSL 3 every EVP call fetches the algorithm from a
// provider, and the first one initialises the library and reads openssl.cnf —
// 30% of the CPU of a lean `replydesk ingest` process (app/lean_main.cc). The
// low-level functions are deprecated in 3.0 but stay (the FIPS provider is not
// needed for a content address).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "util/sha256.h"

#include <openssl/sha.h>

namespace replydesk::util {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(digest, &ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * sizeof digest, '0');
  for (size_t i = 0; i < sizeof digest; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace replydesk::util
