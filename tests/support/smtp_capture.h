// A real SMTP server that keeps what it receives, for tests of outbound mail: runs
// tests/support/smtp_capture.py (aiosmtpd under Debian's /usr/bin/python3) on 127.0.0.1 and
// reads back every accepted message with its envelope. Optional STARTTLS (RFC 3207) with a
// self-signed certificate made for the run, optional AUTH PLAIN/LOGIN (RFC 4954).
// Failures on demand by recipient: rcpt-NNN@any is answered NNN at RCPT, data-NNN@any is
// accepted at RCPT and makes the end of DATA answer NNN (e.g. rcpt-451, data-554).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace replydesk::testing {

struct ReceivedMessage {
  std::string envelope_from;            // "" for the null sender <>
  std::vector<std::string> recipients;  // the accepted ones, in RCPT order
  std::string data;                     // the exact bytes after dot-unstuffing, CRLF line ends
  bool tls = false;                     // STARTTLS was used
  std::string auth_user;                // "" when the client did not authenticate
};

struct SmtpCaptureOptions {
  bool starttls = false;     // offer STARTTLS (certificate in cert_file())
  bool require_tls = false;  // with starttls: refuse everything but EHLO/STARTTLS before it
  std::string user;          // offer AUTH (after STARTTLS when starttls) for user/password
  std::string password;
  bool require_auth = false;  // refuse MAIL before AUTH
};

class SmtpCapture {
 public:
  // Empty when the capture can run here; otherwise why not (for GTEST_SKIP).
  static std::string SkipReason();

  // Makes the temp folder (and certificate) and starts listening on a free port.
  explicit SmtpCapture(SmtpCaptureOptions options = {});
  // Kills the server and removes the folder.
  ~SmtpCapture();
  SmtpCapture(const SmtpCapture&) = delete;
  SmtpCapture& operator=(const SmtpCapture&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& cert_file() const { return cert_file_; }  // PEM, when starttls

  // SIGKILL, as a crash: open connections are reset. The port is kept for Start().
  void Kill();
  // Starts again on the same port (after Kill) and waits until it listens. False and
  // error() when it did not come up.
  bool Start();
  bool Running();

  // Every message accepted so far, in arrival order (restarts included).
  std::vector<ReceivedMessage> Messages() const;
  // Waits until at least `count` messages arrived; returns all of them (fewer on timeout).
  std::vector<ReceivedMessage> WaitForMessages(size_t count, int timeout_seconds = 10) const;

 private:
  std::string MakeCertificate();

  SmtpCaptureOptions options_;
  std::string dir_, cert_file_, key_file_, error_;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace replydesk::testing
