// The LMTP protocol state machine of one connection (RFC 2033, with RFC 5321 command syntax,
// RFC 1870 SIZE, RFC 2034 ENHANCEDSTATUSCODES, RFC 2920 PIPELINING, RFC 6152 8BITMIME).
// Socket-free: the server feeds it received bytes and writes back what it returns, so the
// whole protocol is tested on strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "channels/lmtp_handler.h"

namespace replydesk::channels {

class LmtpSession {
 public:
  // `handler` must outlive the session. `correlation_id` ("lmtp#7") prefixes every log line and
  // is shown to clients on temporary failures.
  LmtpSession(LmtpOptions options, LmtpHandler& handler, std::string client,
              std::string correlation_id);

  // The 220 banner, sent once when the connection opens.
  std::string Greeting() const;

  // Consumes received bytes (any split: half a line, several pipelined commands, commands and
  // message data together) and returns the reply bytes to send, possibly empty. Calls the
  // handler synchronously. After QUIT or a fatal error closed() is true and further input is
  // ignored. Memory is bounded: one command line (kMaxCommandLine) plus one message
  // (max_message_bytes); a bigger message is read to its end and rejected.
  std::string Feed(std::string_view bytes);

  // 421 replies for the server to send before it drops the connection; both close the session.
  std::string TimeoutReply();
  std::string ShutdownReply();

  bool closed() const { return state_ == State::kClosed; }

  static constexpr size_t kMaxCommandLine = 2048;  // as Postfix's line_length_limit
  static constexpr int kMaxErrors = 20;            // then 421 and hang up (a confused peer)

 private:
  enum class State {
    kStart,   // connected, no LHLO yet: only LHLO, RSET, NOOP, VRFY, QUIT
    kReady,   // after LHLO, no transaction: MAIL starts one
    kMail,    // after MAIL: RCPT adds recipients, DATA needs at least one accepted
    kData,    // after 354: reading the message until "." on a line of its own
    kClosed,  // after QUIT, a 421, or too many errors: input is ignored
  };

  std::string HandleCommand(std::string_view line);
  std::string OnLhlo(std::string_view arg);
  std::string OnMail(std::string_view arg);
  std::string OnRcpt(std::string_view arg);
  std::string OnData(std::string_view arg);
  std::string Error(int code, const char* enhanced, std::string text);

  size_t ConsumeData(size_t pos, std::string& out);
  void AppendData(std::string_view content, bool ends_line);
  std::string FinishData();
  std::vector<LmtpReply> CallDeliver();
  void ResetTransaction();

  LmtpOptions options_;
  LmtpHandler& handler_;
  std::string correlation_id_;
  State state_ = State::kStart;
  std::string buffer_;       // received bytes not yet consumed
  bool discarding_ = false;  // skipping the rest of an over-long command line
  int errors_ = 0;

  LmtpEnvelope envelope_;  // mail_from, accepted rcpt_to, client
  std::string message_;    // the message being received, LF line ends, unstuffed
  bool message_too_big_ = false;
  bool data_at_line_start_ = true;
};

}  // namespace replydesk::channels
