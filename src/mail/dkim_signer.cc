// DKIM signing and verification on libopendkim: see dkim_signer.h.
// This is the only file that includes <dkim.h>: its prototypes use C99
// `_Bool`, which C++ does not have (DESIGN.md, dependencies).
#include "mail/dkim_signer.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <vector>

#define _Bool bool
#include <dkim.h>
#undef _Bool

namespace replydesk::mail {
namespace {

constexpr std::string_view kHeaderName = "DKIM-Signature: ";
constexpr int kMinKeyBits = 1024;  // RFC 8301 §3.2: verifiers may refuse less

// RFC 6376 §5.4.1: what a recipient trusts must be signed. Headers absent
// from a message are simply not listed in its h= tag.
const char* const kSignedHeaders[] = {
    "From",       "To",          "Cc",         "Reply-To",     "Subject",      "Date",
    "Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Auto-Submitted",
    nullptr};

// Oversigned (RFC 6376 §8.15): listed once more than they occur, so a From,
// Reply-To or Subject added on the way breaks the signature instead of being
// shown above the signed one.
const char* const kOversignedHeaders[] = {"From", "Reply-To", "Subject", nullptr};

struct LibClose {
  void operator()(DKIM_LIB* lib) const { dkim_close(lib); }
};
using LibPtr = std::unique_ptr<DKIM_LIB, LibClose>;

struct DkimFree {
  void operator()(DKIM* dkim) const { dkim_free(dkim); }
};
using DkimPtr = std::unique_ptr<DKIM, DkimFree>;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

util::Error Fail(const char* detail, std::string message) {
  return util::MakeError(util::ErrorCode::kInvalidArgument, detail, std::move(message));
}

bool IsDnsLabelText(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

PkeyPtr ReadPrivateKey(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// "v=DKIM1; k=rsa; p=" + base64 of the DER SubjectPublicKeyInfo (RFC 6376 §3.6.1).
std::string PublicKeyRecord(EVP_PKEY* key) {
  int length = i2d_PUBKEY(key, nullptr);
  if (length <= 0) return {};
  std::vector<unsigned char> der(static_cast<size_t>(length));
  unsigned char* cursor = der.data();
  i2d_PUBKEY(key, &cursor);
  std::string base64(4 * ((der.size() + 2) / 3) + 1, '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()), der.data(),
                                static_cast<int>(der.size()));
  base64.resize(static_cast<size_t>(written));
  return "v=DKIM1; k=rsa; p=" + base64;
}

// libopendkim folds with bare LF; the message travels with CRLF.
std::string ToCrlf(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) out += '\r';
    out += value[i];
  }
  return out;
}

// Feeds the whole message and ends it. libopendkim takes non-const buffers
// but does not write to them.
DKIM_STAT Feed(DKIM* dkim, std::string_view raw) {
  auto* bytes = reinterpret_cast<u_char*>(const_cast<char*>(raw.data()));
  DKIM_STAT status = dkim_chunk(dkim, bytes, raw.size());
  if (status != DKIM_STAT_OK) return status;
  status = dkim_chunk(dkim, nullptr, 0);
  if (status != DKIM_STAT_OK) return status;
  return dkim_eom(dkim, nullptr);
}

LibPtr NewLibrary() {
  LibPtr lib(dkim_init(nullptr, nullptr));
  if (!lib) return nullptr;
  // Bare LF in what we are given is treated as CRLF, the form on the wire.
  u_int flags = DKIM_LIBFLAGS_FIXCRLF;
  dkim_options(lib.get(), DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags);
  return lib;
}

std::string Reason(DKIM* dkim, DKIM_STAT status) {
  std::string reason = dkim_getresultstr(status);
  const char* detail = dkim != nullptr ? dkim_geterror(dkim) : nullptr;
  if (detail != nullptr && *detail != '\0') reason += std::string(": ") + detail;
  return reason;
}

// Key lookup for VerifyDkim: copies the record given as the handle's user
// context instead of asking DNS.
DKIM_CBSTAT LookupFromContext(DKIM* dkim, DKIM_SIGINFO* /*sig*/, u_char* buf, size_t buflen) {
  const auto* record = static_cast<const std::string*>(dkim_get_user_context(dkim));
  if (record == nullptr || record->size() + 1 > buflen) return DKIM_CBSTAT_ERROR;
  std::memcpy(buf, record->c_str(), record->size() + 1);
  return DKIM_CBSTAT_CONTINUE;
}

}  // namespace

struct DkimSigner::State {
  std::string selector;
  std::string domain;
  std::string key_pem;  // NUL-terminated: libopendkim reads it with strlen
  std::string dns_record;
  LibPtr lib;
};

DkimSigner::DkimSigner(std::unique_ptr<State> state) : state_(std::move(state)) {}
DkimSigner::DkimSigner(DkimSigner&&) noexcept = default;
DkimSigner& DkimSigner::operator=(DkimSigner&&) noexcept = default;
DkimSigner::~DkimSigner() = default;

util::Result<DkimSigner> DkimSigner::Create(std::string selector, std::string domain,
                                            std::string private_key_pem) {
  if (!IsDnsLabelText(selector) || !IsDnsLabelText(domain)) {
    return Fail("mail.dkim_bad_config", "DKIM selector or domain empty or malformed");
  }
  PkeyPtr key = ReadPrivateKey(private_key_pem);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return Fail("mail.dkim_bad_key", "DKIM private key is not an RSA key in PEM");
  }
  if (EVP_PKEY_get_bits(key.get()) < kMinKeyBits) {
    return Fail("mail.dkim_bad_key", "DKIM RSA key shorter than 1024 bits");
  }
  auto state = std::make_unique<State>();
  state->dns_record = PublicKeyRecord(key.get());
  state->lib = NewLibrary();
  if (!state->lib || state->dns_record.empty()) {
    return util::MakeError(util::ErrorCode::kInternal, "mail.dkim_library",
                           "libopendkim or OpenSSL failed to initialise");
  }
  // dkim_options keeps its own copy of the list.
  dkim_options(state->lib.get(), DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS,
               const_cast<char**>(kSignedHeaders), sizeof(char**));
  dkim_options(state->lib.get(), DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS,
               const_cast<char**>(kOversignedHeaders), sizeof(char**));
  state->selector = std::move(selector);
  state->domain = std::move(domain);
  state->key_pem = std::move(private_key_pem);
  return DkimSigner(std::move(state));
}

util::Result<std::string> DkimSigner::Sign(std::string_view raw) const {
  DKIM_STAT status = DKIM_STAT_OK;
  auto* key = reinterpret_cast<dkim_sigkey_t>(const_cast<char*>(state_->key_pem.c_str()));
  DkimPtr dkim(dkim_sign(state_->lib.get(), reinterpret_cast<const u_char*>("replydesk"), nullptr,
                         key, reinterpret_cast<const u_char*>(state_->selector.c_str()),
                         reinterpret_cast<const u_char*>(state_->domain.c_str()),
                         DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &status));
  if (!dkim) return Fail("mail.dkim_sign", Reason(nullptr, status));
  status = Feed(dkim.get(), raw);
  if (status != DKIM_STAT_OK) return Fail("mail.dkim_sign", Reason(dkim.get(), status));
  u_char* header = nullptr;
  size_t length = 0;
  status = dkim_getsighdr_d(dkim.get(), kHeaderName.size(), &header, &length);
  if (status != DKIM_STAT_OK || header == nullptr) {
    return Fail("mail.dkim_sign", Reason(dkim.get(), status));
  }
  std::string out(kHeaderName);
  out += ToCrlf(std::string_view(reinterpret_cast<const char*>(header), length));
  out += "\r\n";
  out.append(raw);
  return out;
}

const std::string& DkimSigner::DnsRecord() const { return state_->dns_record; }

util::Status VerifyDkim(std::string_view raw, std::string_view key_record) {
  LibPtr lib = NewLibrary();
  if (!lib) {
    return util::MakeError(util::ErrorCode::kInternal, "mail.dkim_library",
                           "libopendkim failed to initialise");
  }
  dkim_set_key_lookup(lib.get(), LookupFromContext);
  DKIM_STAT status = DKIM_STAT_OK;
  DkimPtr dkim(
      dkim_verify(lib.get(), reinterpret_cast<const u_char*>("replydesk"), nullptr, &status));
  if (!dkim) return Fail("mail.dkim_fail", Reason(nullptr, status));
  const std::string record(key_record);
  dkim_set_user_context(dkim.get(), const_cast<std::string*>(&record));
  status = Feed(dkim.get(), raw);
  if (status != DKIM_STAT_OK) return Fail("mail.dkim_fail", Reason(dkim.get(), status));
  DKIM_SIGINFO* signature = dkim_getsignature(dkim.get());
  if (signature == nullptr || !DKIM_SIG_CHECK(signature)) {
    return Fail("mail.dkim_fail", "signature or body hash does not verify");
  }
  return util::OkStatus();
}

}  // namespace replydesk::mail
