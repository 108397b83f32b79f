// Secret encryption: see secret_box.h.
#include "util/secret_box.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/durable_file.h"

namespace replydesk::util {
namespace {

static_assert(SecretBox::kKeyBytes == crypto_secretbox_KEYBYTES);
static_assert(SecretBox::kOverheadBytes == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES);

Error IoError(const std::string& what, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    return MakeError(ErrorCode::kResourceExhausted, "fs.no_space", what + ": " + strerror(err));
  }
  return MakeError(ErrorCode::kUnavailable, "fs.io", what + ": " + strerror(err));
}

Error BadKey(const std::string& message) {
  return MakeError(ErrorCode::kInvalidArgument, "secret.bad_key", message);
}

std::string Folder(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes a new random key to `path` unless a file is already there: temp file
// (0600) + fsync, then link() into place, which fails with EEXIST rather than
// replace a key another process wrote first; then the folder is fsynced.
Status CreateKeyFile(const std::string& path) {
  const std::string dir = Folder(path);
  RD_RETURN_IF_ERROR(MakeDirs(dir));
  unsigned char key[SecretBox::kKeyBytes];
  randombytes_buf(key, sizeof key);
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create " + tmp, errno);
  Status st;
  if (write(fd, key, sizeof key) != static_cast<ssize_t>(sizeof key)) {
    st = IoError("write " + tmp, errno == 0 ? EIO : errno);
  } else if (fsync(fd) != 0) {
    st = IoError("fsync " + tmp, errno);
  }
  sodium_memzero(key, sizeof key);
  close(fd);
  if (st.ok() && link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    st = IoError("link " + path, errno);
  }
  unlink(tmp.c_str());
  if (!st.ok()) return st;
  // After this fsync the key file is durable under its name.
  return FsyncDir(dir);
}

// Raw 32 bytes, or 64 hex digits with optional surrounding white space (what
// `openssl rand -hex 32 > secret.key` writes).
Result<std::string> DecodeKey(const std::string& content, const std::string& path) {
  if (content.size() == SecretBox::kKeyBytes) return content;
  size_t begin = content.find_first_not_of(" \t\r\n");
  size_t end = content.find_last_not_of(" \t\r\n");
  if (begin == std::string::npos) return BadKey(path + ": empty key file");
  std::string_view hex(content.data() + begin, end - begin + 1);
  std::string key(SecretBox::kKeyBytes, '\0');
  size_t len = 0;
  if (hex.size() != 2 * SecretBox::kKeyBytes ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(),
                     hex.size(), nullptr, &len, nullptr) != 0 ||
      len != SecretBox::kKeyBytes) {
    return BadKey(path + ": not a 32-byte key (raw or 64 hex digits)");
  }
  return key;
}

}  // namespace

Result<SecretBox> SecretBox::FromKey(std::string_view key) {
  if (sodium_init() < 0) return MakeError(ErrorCode::kInternal, "crypto.init");
  if (key.size() != kKeyBytes) {
    return BadKey("a key has " + std::to_string(kKeyBytes) + " bytes, not " +
                  std::to_string(key.size()));
  }
  SecretBox box;
  std::memcpy(box.key_.data(), key.data(), kKeyBytes);
  return box;
}

Result<SecretBox> SecretBox::LoadKeyFile(const std::string& path, bool create) {
  if (sodium_init() < 0) return MakeError(ErrorCode::kInternal, "crypto.init");
  if (access(path.c_str(), F_OK) != 0) {
    if (!create) {
      return MakeError(ErrorCode::kNotFound, "secret.no_key_file",
                       "server key file " + path + " does not exist");
    }
    RD_RETURN_IF_ERROR(CreateKeyFile(path));
  }
  RD_ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  Result<std::string> key = DecodeKey(content, path);
  sodium_memzero(content.data(), content.size());
  if (!key.ok()) return key.error();
  Result<SecretBox> box = FromKey(*key);
  sodium_memzero(key->data(), key->size());
  return box;
}

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_.data());
  return out;
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (sealed.size() < kOverheadBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "secret.decrypt", "sealed data too short");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  const unsigned char* cipher = nonce + crypto_secretbox_NONCEBYTES;
  const size_t cipher_len = sealed.size() - crypto_secretbox_NONCEBYTES;
  std::string out(cipher_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), cipher, cipher_len,
                                 nonce, key_.data()) != 0) {
    return MakeError(ErrorCode::kPermissionDenied, "secret.decrypt", "wrong key or altered data");
  }
  return out;
}

}  // namespace replydesk::util
