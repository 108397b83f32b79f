// A blocking, line-oriented TCP client stream with optional TLS (OpenSSL),
// shared by the IMAP and POP3 clients: connect with a timeout, upgrade in
// place (STARTTLS / STLS, RFC 2595) or start with TLS (ports 993/995), read
// CRLF lines and exact byte counts (IMAP literals), every read and write
// bounded by the timeout. Certificates are verified against the system store
// or a given CA file, and the host name (or IP address) must match.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "services/ports/remote_mailbox.h"
#include "util/result.h"

struct ssl_st;
struct ssl_ctx_st;

namespace replydesk::channels {

struct StreamOptions {
  std::string host;
  int port = 0;
  int timeout_seconds = 30;  // per connect, handshake, read and write
  std::string ca_file;       // PEM to trust instead of the system store (tests)
};

// True for "localhost", 127.0.0.0/8 and ::1 (where plaintext is allowed).
bool IsLoopbackHost(const std::string& host);

// Client options that are not part of an account's configuration.
struct MailboxClientOptions {
  std::string ca_file;  // trust this PEM instead of the system store (tests)
};

class TlsStream;

// Opens the connection for a mailbox: refuses kNone to a non-loopback host
// (kInvalidArgument "mailbox.insecure") and a user name with CR/LF
// (kInvalidArgument "mailbox.config"), connects to config.port or the default
// for the mode, and for kTls completes the handshake. STARTTLS is left to the
// protocol. Errors as TlsStream::Connect.
util::Result<std::unique_ptr<TlsStream>> OpenMailboxStream(
    const services::RemoteMailboxConfig& config, const MailboxClientOptions& options,
    int implicit_tls_port, int plain_port);

class TlsStream {
 public:
  // Connects (trying each address of the host). kUnavailable "mailbox.connect"
  // with "cannot connect to host:port: <reason>" on failure.
  static util::Result<std::unique_ptr<TlsStream>> Connect(const StreamOptions& options);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // TLS handshake on the open connection, verifying the peer's certificate.
  // kUnavailable "mailbox.connect" with the verification error on failure.
  util::Status StartTls();
  bool encrypted() const { return ssl_ != nullptr; }

  util::Status Write(std::string_view data);
  // One line without its CRLF (a bare LF ends a line too). Lines over
  // `max_line` bytes are a protocol error (kInternal "mailbox.protocol").
  util::Result<std::string> ReadLine(size_t max_line = kMaxLine) { return Line(max_line, false); }
  // One line with its terminator, exactly as received (POP3 message bodies).
  util::Result<std::string> ReadRawLine(size_t max_line = kMaxLine) { return Line(max_line, true); }
  // Exactly `n` bytes appended to `out`.
  util::Status ReadExact(size_t n, std::string& out);

  // Waits up to timeout_ms for something to read (bytes already buffered
  // count): true when there is, false when the time ran out. kUnavailable
  // "mailbox.connect" when the wait itself fails.
  util::Result<bool> WaitReadable(int timeout_ms);

  // "host:port", for messages.
  const std::string& peer() const { return peer_; }

  static constexpr size_t kMaxLine = 16 << 20;

 private:
  TlsStream(int fd, StreamOptions options);
  util::Result<std::string> Line(size_t max_line, bool keep_eol);
  util::Status Fill();  // reads more into in_, waiting at most the timeout
  util::Status Wait(bool for_write, const char* what);
  util::Error Lost(const std::string& what) const;

  int fd_ = -1;
  StreamOptions options_;
  std::string peer_;
  ssl_ctx_st* ctx_ = nullptr;  // owned (SSL_CTX)
  ssl_st* ssl_ = nullptr;      // owned (SSL)
  std::string in_;
  size_t in_pos_ = 0;
};

}  // namespace replydesk::channels
