// Outbound SMTP submission (RFC 5321) over libcurl: implements services::MailTransport.
// STARTTLS (RFC 3207) or implicit TLS (RFC 8314 §3), AUTH (RFC 4954) with whatever
// mechanism both sides support, SIZE (RFC 1870) declared up front, null sender <>.
// Several recipients go in one transaction; recipients refused among accepted ones do not
// stop it (the outcome's detail names them). Retrying is the outbox's job, not this class's.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/ports/mail_transport.h"
#include "util/result.h"

namespace replydesk::channels {

struct SmtpSettings {
  enum class Tls {
    kNone,      // plain SMTP (loopback relays only: AUTH would go in clear)
    kStartTls,  // plain connect, then STARTTLS is required; no STARTTLS offered = temp fail
    kTls,       // TLS from the first byte (smtps, usually port 465)
  };
  std::string host = "127.0.0.1";
  int port = 25;
  Tls tls = Tls::kNone;
  std::string username, password;  // AUTH when username is not empty
  int timeout_seconds = 30;        // connect, each server reply, and a stalled upload
  std::string helo_name;           // EHLO argument; "" = this machine's host name
  bool verify_peer = true;         // check the server certificate and its name
  std::string ca_file;             // PEM bundle to verify against; "" = the system's

  // "smtp://[user[:pass]@]host[:port][?params]" or "smtps://..." (implicit TLS, default port
  // 465; smtp defaults to 25). User and password are percent-decoded; an IPv6 host is
  // written in brackets. Parameters, '&'-separated:
  //   starttls=required   STARTTLS (smtp:// only)
  //   timeout=SECONDS     timeout_seconds (1..3600)
  //   helo=NAME           helo_name
  //   verify=no           verify_peer = false
  //   ca_file=PATH        ca_file (percent-decoded)
  // Errors: kInvalidArgument "smtp.bad_url" (the message says what is wrong; it never
  // contains the password).
  static util::Result<SmtpSettings> ParseSmtpUrl(std::string_view url);
};

// Not thread-safe: one instance per worker thread. The libcurl easy handle, and with it the
// open connection, is kept between Submit calls; a connection the server closed meanwhile
// is noticed and replaced, so a restarted server costs nothing but a new connect.
// The password is never logged nor put into an outcome's detail.
class SmtpTransport final : public services::MailTransport {
 public:
  explicit SmtpTransport(SmtpSettings settings);
  ~SmtpTransport() override;
  SmtpTransport(const SmtpTransport&) = delete;
  SmtpTransport& operator=(const SmtpTransport&) = delete;

  // One SMTP transaction. `raw` should have CRLF line ends; a bare LF is sent as CRLF, and a
  // missing final line end is added (RFC 5321 §2.3.8). Dot-stuffing is done here.
  // Outcome (smtp_code = the last reply code seen, 0 when the server said nothing):
  //   kAccepted  250 after DATA; detail = that reply, plus "; refused: <rcpt> CODE text, ..."
  //              when some recipients were refused (they are not retried by this call)
  //   kTempFail  a 4xx reply; no connection, TLS failure, timeout, reset; every recipient
  //              refused and at least one of them with 4xx
  //   kPermFail  a 5xx reply (MAIL, DATA, AUTH 535, greeting 554, ...); every recipient
  //              refused with 5xx; an address with CR/LF/NUL or no recipients (code 0)
  // detail holds the server's reply text ("550 5.1.1 ...") or libcurl's error.
  services::SubmitOutcome Submit(const std::string& envelope_from,
                                 const std::vector<std::string>& recipients,
                                 std::string_view raw) override;

  const SmtpSettings& settings() const { return settings_; }

 private:
  struct Impl;
  SmtpSettings settings_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace replydesk::channels
