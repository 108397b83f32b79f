// The LMTP listener's view of the rest of Replydesk (RFC 2033). The server parses the protocol;
// an LmtpHandler decides about recipients and commits messages. app/ wires an implementation
// backed by services; tests use a small recording one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace replydesk::channels {

// One SMTP-style reply line: code (RFC 5321 §4.2), enhanced status code (RFC 3463/RFC 2034,
// e.g. "2.0.0"; empty means "derive x.0.0 from the code class") and free text.
struct LmtpReply {
  int code = 250;
  std::string enhanced;
  std::string text;
};

// The envelope of one transaction. mail_from is "" for the null reverse-path "<>".
struct LmtpEnvelope {
  std::string mail_from;
  std::vector<std::string> rcpt_to;  // accepted recipients only, in RCPT order
  std::string client;                // peer address, "127.0.0.1:40312"
};

// One instance per session, used from that session's thread only. Exceptions thrown by either
// method are caught by the session: the client gets 451 4.3.0 and the log gets the details.
class LmtpHandler {
 public:
  virtual ~LmtpHandler() = default;
  // 250 ok / 550 5.1.1 unknown / 451 4.3.0 unavailable. Any 2xx accepts the recipient.
  virtual LmtpReply CheckRecipient(const std::string& address) = 0;
  // Called once per message after DATA with every accepted recipient. The message has LF line
  // ends and no dot-stuffing. Must return one reply per recipient, in RCPT order; a 250 promises
  // the message is durably stored for that recipient (DESIGN.md "No message lost").
  virtual std::vector<LmtpReply> Deliver(const std::string& message, const LmtpEnvelope& env) = 0;
};

using LmtpHandlerFactory = std::function<std::unique_ptr<LmtpHandler>()>;

struct LmtpOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 24;
  std::string hostname = "replydesk";    // in the greeting and the LHLO reply
  size_t max_message_bytes = 50u << 20;  // RFC 1870 SIZE; counted after CRLF -> LF
  int max_sessions = 32;
  int idle_timeout_seconds = 300;  // RFC 5321 §4.5.3.2 suggests 5 minutes for commands
  int max_recipients = 100;        // RFC 5321 §4.5.3.1.8: at least 100
};

}  // namespace replydesk::channels
