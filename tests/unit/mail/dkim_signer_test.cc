// DKIM: a key generated here signs a composed message; libopendkim's own
// verifier (key lookup answered with the matching TXT record) must pass it,
// and fail it once the body or a signed header is changed.
#include "mail/dkim_signer.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

#include "mail/message_composer.h"

namespace replydesk::mail {
namespace {

struct Key {
  std::string private_pem;
  std::string dns_record;  // computed here, independently of DkimSigner
};

Key GenerateRsaKey(unsigned bits) {
  Key out;
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
  if (key == nullptr) return out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  out.private_pem.assign(data, static_cast<size_t>(length));
  BIO_free(bio);
  unsigned char* der = nullptr;
  int der_length = i2d_PUBKEY(key, &der);
  std::string base64(4 * ((static_cast<size_t>(der_length) + 2) / 3) + 1, '\0');
  base64.resize(static_cast<size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()), der, der_length)));
  OPENSSL_free(der);
  EVP_PKEY_free(key);
  out.dns_record = "v=DKIM1; k=rsa; p=" + base64;
  return out;
}

const Key& TestKey() {
  static const Key key = GenerateRsaKey(2048);
  return key;
}

std::string ComposedMessage() {
  OutgoingMessage m;
  m.from = {"Поддръжка", "support@help.example.com"};
  m.to = {{"Ștefan Țăranu", "stefan@example.ro"}};
  m.cc = {{"Иван", "ivan@example.bg"}};
  m.subject = "Re: [#T-104233] Пратката не е пристигнала";
  m.message_id = MakeMessageId("help.example.com");
  m.in_reply_to = "orig@example.ro";
  m.references = {"orig@example.ro"};
  m.date = 1795000000;
  m.text = "Bună ziua,\n\nColetul a fost expediat ieri.\n";
  m.html = "<p>Bună ziua,</p><p>Coletul a fost expediat ieri.</p>";
  m.attachments = {{"factură.pdf", "application/pdf", std::string("%PDF\0\1\2", 7)}};
  m.auto_submitted = "auto-replied";
  auto raw = ComposeMessage(m);
  EXPECT_TRUE(raw.ok());
  return raw.ok() ? *raw : std::string();
}

DkimSigner MakeSigner() {
  auto signer = DkimSigner::Create("rd2026", "help.example.com", TestKey().private_pem);
  EXPECT_TRUE(signer.ok()) << signer.error().ToString();
  return std::move(signer).value();
}

std::string SignatureHeader(const std::string& signed_raw) {
  size_t end = signed_raw.find("\r\n", 0);
  while (end != std::string::npos && end + 2 < signed_raw.size() &&
         (signed_raw[end + 2] == ' ' || signed_raw[end + 2] == '\t')) {
    end = signed_raw.find("\r\n", end + 2);
  }
  return signed_raw.substr(0, end);
}

TEST(DkimSigner, SignedMessageVerifies) {
  ASSERT_FALSE(TestKey().private_pem.empty());
  DkimSigner signer = MakeSigner();
  EXPECT_EQ(signer.DnsRecord(), TestKey().dns_record);
  std::string raw = ComposedMessage();
  auto signed_raw = signer.Sign(raw);
  ASSERT_TRUE(signed_raw.ok()) << signed_raw.error().ToString();
  ASSERT_TRUE(signed_raw->starts_with("DKIM-Signature: "));
  ASSERT_TRUE(signed_raw->ends_with(raw));
  std::string header = SignatureHeader(*signed_raw);
  EXPECT_NE(header.find("a=rsa-sha256"), std::string::npos) << header;
  EXPECT_NE(header.find("c=relaxed/relaxed"), std::string::npos) << header;
  EXPECT_NE(header.find("d=help.example.com"), std::string::npos) << header;
  EXPECT_NE(header.find("s=rd2026"), std::string::npos) << header;
  std::string unfolded;
  for (char c : header) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') unfolded += c;
  }
  std::string h = unfolded.substr(unfolded.find(";h=") + 3);
  h = h.substr(0, h.find(';'));
  for (const char* name : {"From", "To", "Cc", "Subject", "Date", "Message-Id", "In-Reply-To",
                           "References", "MIME-Version", "Content-Type", "Auto-Submitted"}) {
    std::string lower_h, lower_name;
    for (char c : h) lower_h += static_cast<char>(tolower(c));
    for (const char* p = name; *p; ++p) lower_name += static_cast<char>(tolower(*p));
    EXPECT_NE((":" + lower_h + ":").find(":" + lower_name + ":"), std::string::npos)
        << name << " not in h=" << h;
  }
  // CRLF only, lines of a sane length.
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == '\n') {
      EXPECT_EQ(header[i - 1], '\r');
    }
  }
  util::Status verified = VerifyDkim(*signed_raw, TestKey().dns_record);
  EXPECT_TRUE(verified.ok()) << verified.error().ToString();
}

TEST(DkimSigner, RelaxedCanonicalizationToleratesWhitespace) {
  DkimSigner signer = MakeSigner();
  auto signed_raw = signer.Sign(ComposedMessage());
  ASSERT_TRUE(signed_raw.ok());
  std::string changed = *signed_raw;
  size_t subject = changed.find("\r\nSubject: ");
  ASSERT_NE(subject, std::string::npos);
  changed.replace(subject, 11, "\r\nSubject:    ");  // RFC 6376 §3.4.2
  changed += "\r\n\r\n";                             // §3.4.4: trailing empty lines ignored
  EXPECT_TRUE(VerifyDkim(changed, TestKey().dns_record).ok());
}

TEST(DkimSigner, TamperingIsDetected) {
  DkimSigner signer = MakeSigner();
  auto signed_raw = signer.Sign(ComposedMessage());
  ASSERT_TRUE(signed_raw.ok());

  std::string body_changed = *signed_raw;
  size_t body = body_changed.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  body_changed.insert(body + 4, "Injected line.\r\n");
  util::Status status = VerifyDkim(body_changed, TestKey().dns_record);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().detail, "mail.dkim_fail");

  std::string subject_changed = *signed_raw;
  size_t subject = subject_changed.find("\r\nSubject: ");
  subject_changed.insert(subject + 11, "X");
  EXPECT_FALSE(VerifyDkim(subject_changed, TestKey().dns_record).ok());

  // From, Reply-To and Subject are oversigned: one added later breaks the signature.
  std::string from_added = *signed_raw;
  from_added.insert(from_added.find("\r\nFrom: ") + 2, "From: ceo@help.example.com\r\n");
  EXPECT_FALSE(VerifyDkim(from_added, TestKey().dns_record).ok()) << "second From";
  std::string reply_to_added = *signed_raw;
  reply_to_added.insert(reply_to_added.find("\r\nSubject: ") + 2, "Reply-To: x@evil.example\r\n");
  EXPECT_FALSE(VerifyDkim(reply_to_added, TestKey().dns_record).ok()) << "Reply-To added";
  std::string unsigned_added = *signed_raw;
  unsigned_added.insert(unsigned_added.find("\r\nSubject: ") + 2, "X-Spam-Score: 0\r\n");
  EXPECT_TRUE(VerifyDkim(unsigned_added, TestKey().dns_record).ok()) << "unsigned header added";

  EXPECT_FALSE(VerifyDkim(*signed_raw, GenerateRsaKey(1024).dns_record).ok()) << "other key";
  EXPECT_FALSE(VerifyDkim(ComposedMessage(), TestKey().dns_record).ok()) << "unsigned";
}

TEST(DkimSigner, BareLfIsSignedAsCrlf) {
  DkimSigner signer = MakeSigner();
  std::string raw = ComposedMessage();
  std::string lf;
  for (char c : raw) {
    if (c != '\r') lf += c;
  }
  auto signed_lf = signer.Sign(lf);
  ASSERT_TRUE(signed_lf.ok());
  // The same message converted to CRLF on the way out still verifies.
  std::string crlf;
  for (char c : *signed_lf) {
    if (c == '\n' && (crlf.empty() || crlf.back() != '\r')) crlf += '\r';
    crlf += c;
  }
  EXPECT_TRUE(VerifyDkim(crlf, TestKey().dns_record).ok());
}

TEST(DkimSigner, RejectsBadConfiguration) {
  auto bad_key = DkimSigner::Create("s1", "example.com", "-----BEGIN PRIVATE KEY-----\nxx\n");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error().detail, "mail.dkim_bad_key");
  EXPECT_EQ(DkimSigner::Create("", "example.com", TestKey().private_pem).error().detail,
            "mail.dkim_bad_config");
  EXPECT_EQ(DkimSigner::Create("s1", "exa mple.com", TestKey().private_pem).error().detail,
            "mail.dkim_bad_config");
  EXPECT_EQ(DkimSigner::Create("s1", "example.com", GenerateRsaKey(512).private_pem).error().detail,
            "mail.dkim_bad_key");
}

TEST(DkimSigner, MessageWithoutFromIsRefused) {
  DkimSigner signer = MakeSigner();
  auto result = signer.Sign("To: a@example.com\r\nSubject: x\r\n\r\nbody\r\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().detail, "mail.dkim_sign");
}

}  // namespace
}  // namespace replydesk::mail
