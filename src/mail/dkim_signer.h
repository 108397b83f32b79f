// DKIM signing of outgoing mail with libopendkim: RFC 6376 (DKIM), relaxed
// header and body canonicalization (§3.4.2, §3.4.4), rsa-sha256 (RFC 8301).
// The signature covers the headers a recipient judges the message by: From,
// To, Cc, Reply-To, Subject, Date, Message-ID, In-Reply-To, References,
// MIME-Version, Content-Type, Auto-Submitted (those present in the message);
// From, Reply-To and Subject are oversigned (RFC 6376 §8.15).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace replydesk::mail {

class DkimSigner {
 public:
  // `private_key_pem`: an RSA private key in PEM (PKCS#1 or PKCS#8), at least
  // 1024 bits (RFC 8301 §3.2). `selector` and `domain` name the DNS record
  // <selector>._domainkey.<domain>.
  // Errors: kInvalidArgument "mail.dkim_bad_config" (selector or domain empty
  // or malformed), "mail.dkim_bad_key" (not an RSA key, or too short);
  // kInternal "mail.dkim_library" when libopendkim cannot start.
  static util::Result<DkimSigner> Create(std::string selector, std::string domain,
                                         std::string private_key_pem);

  DkimSigner(DkimSigner&&) noexcept;
  DkimSigner& operator=(DkimSigner&&) noexcept;
  ~DkimSigner();

  // `raw` (a whole message as ComposeMessage writes it, CRLF line ends) with
  // a "DKIM-Signature:" header prepended, folded, CRLF line ends. Bare LF in
  // `raw` is signed as CRLF (the form it takes in SMTP DATA).
  // Errors: kInvalidArgument "mail.dkim_sign" when libopendkim rejects the
  // message (no From header, unparsable header block).
  // Thread-safe: each call has its own libopendkim signing handle.
  util::Result<std::string> Sign(std::string_view raw) const;

  // The TXT record to publish at <selector>._domainkey.<domain>:
  // "v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>".
  const std::string& DnsRecord() const;

 private:
  struct State;
  explicit DkimSigner(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Verifies the DKIM signature of `raw` with `key_record` (a TXT record as
// DnsRecord returns it) standing in for the DNS lookup: checks that a key
// and the record an admin published belong together, and tests signing.
// OK when the signature verifies. Errors: kInvalidArgument "mail.dkim_fail"
// (no signature, bad signature, body hash mismatch), with libopendkim's
// reason in the message.
util::Status VerifyDkim(std::string_view raw, std::string_view key_record);

}  // namespace replydesk::mail
