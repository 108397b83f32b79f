// LMTP session state machine: see lmtp_session.h. States are documented on LmtpSession::State;
// RFC 2033 §4.2 (one reply per accepted recipient after DATA) is the point of the protocol.
#include "channels/lmtp_session.h"

#include <algorithm>
#include <exception>

#include "channels/lmtp_syntax.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/strings.h"

namespace replydesk::channels {
namespace {

// A line of message data with no LF yet is flushed into the message once this long, so a peer
// sending one endless line cannot make the buffer grow without bound.
constexpr size_t kMaxDataLine = 64 * 1024;

bool ParseSize(const std::string& value, size_t& out) {
  if (value.empty() || value.size() > 19) return false;
  size_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  out = n;
  return true;
}

}  // namespace

LmtpSession::LmtpSession(LmtpOptions options, LmtpHandler& handler, std::string client,
                         std::string correlation_id)
    : options_(std::move(options)), handler_(handler), correlation_id_(std::move(correlation_id)) {
  envelope_.client = std::move(client);
}

std::string LmtpSession::Greeting() const {
  return "220 " + options_.hostname + " LMTP Replydesk ready\r\n";
}

std::string LmtpSession::TimeoutReply() {
  state_ = State::kClosed;
  return FormatReply({421, "4.4.2", options_.hostname + " Error: timeout exceeded"});
}

std::string LmtpSession::ShutdownReply() {
  state_ = State::kClosed;
  return FormatReply({421, "4.3.2", options_.hostname + " Service shutting down"});
}

std::string LmtpSession::Feed(std::string_view bytes) {
  std::string out;
  if (state_ == State::kClosed) return out;
  buffer_.append(bytes);
  size_t pos = 0;
  while (state_ != State::kClosed && pos < buffer_.size()) {
    if (state_ == State::kData) {
      size_t next = ConsumeData(pos, out);
      if (next == pos) break;  // need more bytes
      pos = next;
      continue;
    }
    size_t lf = buffer_.find('\n', pos);
    if (lf == std::string::npos) {
      if (buffer_.size() - pos > kMaxCommandLine) {
        discarding_ = true;
        pos = buffer_.size();
      }
      break;
    }
    std::string_view line(buffer_.data() + pos, lf - pos);
    pos = lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // bare LF tolerated
    if (discarding_ || line.size() > kMaxCommandLine) {
      discarding_ = false;
      out += Error(500, "5.5.2", "Error: line too long");
      continue;
    }
    out += HandleCommand(line);
  }
  if (state_ == State::kClosed) {
    buffer_.clear();  // after QUIT, pipelined leftovers are not commands
  } else {
    buffer_.erase(0, pos);
  }
  return out;
}

std::string LmtpSession::Error(int code, const char* enhanced, std::string text) {
  std::string out = FormatReply({code, enhanced, std::move(text)});
  if (++errors_ >= kMaxErrors) {
    out += FormatReply({421, "4.7.0", options_.hostname + " Error: too many errors"});
    state_ = State::kClosed;
  }
  return out;
}

std::string LmtpSession::HandleCommand(std::string_view line) {
  size_t space = line.find(' ');
  std::string verb = util::AsciiLower(line.substr(0, space));
  std::string_view arg =
      space == std::string_view::npos ? std::string_view() : line.substr(space + 1);

  if (verb == "lhlo") return OnLhlo(arg);
  if (verb == "helo" || verb == "ehlo") return Error(500, "5.5.1", "Error: this is LMTP, use LHLO");
  if (verb == "quit") {
    state_ = State::kClosed;
    return FormatReply({221, "2.0.0", "Bye"});
  }
  if (verb == "noop") return FormatReply({250, "2.0.0", "Ok"});
  if (verb == "rset") {
    if (!util::TrimView(arg).empty()) return Error(501, "5.5.4", "Syntax: RSET");
    ResetTransaction();
    return FormatReply({250, "2.0.0", "Ok"});
  }
  if (verb == "vrfy") {
    if (util::TrimView(arg).empty()) return Error(501, "5.5.4", "Syntax: VRFY address");
    return FormatReply({252, "2.5.0", "Cannot VRFY user, but will accept message"});
  }
  if (verb == "mail") return OnMail(arg);
  if (verb == "rcpt") return OnRcpt(arg);
  if (verb == "data") return OnData(arg);
  return Error(500, "5.5.2", "Error: command not recognized");
}

std::string LmtpSession::OnLhlo(std::string_view arg) {
  if (util::TrimView(arg).empty()) return Error(501, "5.5.4", "Syntax: LHLO hostname");
  ResetTransaction();  // RFC 5321 §4.1.4: a repeated greeting resets the transaction
  state_ = State::kReady;
  return FormatMultiline(
      250, {options_.hostname, "PIPELINING", "SIZE " + std::to_string(options_.max_message_bytes),
            "ENHANCEDSTATUSCODES", "8BITMIME"});
}

std::string LmtpSession::OnMail(std::string_view arg) {
  if (state_ == State::kStart) return Error(503, "5.5.1", "Error: send LHLO first");
  if (state_ == State::kMail) return Error(503, "5.5.1", "Error: nested MAIL command");
  auto path = ParsePathArgument(arg, "FROM:");
  if (!path.ok()) return Error(501, "5.5.4", "Syntax: MAIL FROM:<address>");
  for (const auto& [key, value] : path->params) {
    if (key == "SIZE") {
      size_t size = 0;
      if (!ParseSize(value, size)) return Error(501, "5.5.4", "Bad SIZE parameter");
      if (size > options_.max_message_bytes) {
        return FormatReply({552, "5.3.4", "Message size exceeds fixed limit"});
      }
    } else if (key == "BODY") {
      if (!util::EqualsIgnoreCase(value, "7BIT") && !util::EqualsIgnoreCase(value, "8BITMIME")) {
        return Error(501, "5.5.4", "Bad BODY parameter");
      }
    } else {
      return Error(555, "5.5.4", "Unsupported option: " + key);
    }
  }
  envelope_.mail_from = std::move(path->address);
  state_ = State::kMail;
  return FormatReply({250, "2.1.0", "Ok"});
}

std::string LmtpSession::OnRcpt(std::string_view arg) {
  if (state_ != State::kMail) return Error(503, "5.5.1", "Error: need MAIL command");
  auto path = ParsePathArgument(arg, "TO:");
  if (!path.ok()) return Error(501, "5.5.4", "Syntax: RCPT TO:<address>");
  if (path->address.empty()) return Error(501, "5.1.3", "Bad recipient address syntax");
  if (!path->params.empty())
    return Error(555, "5.5.4", "Unsupported option: " + path->params[0].first);
  if (static_cast<int>(envelope_.rcpt_to.size()) >= options_.max_recipients) {
    return FormatReply({452, "4.5.3", "Error: too many recipients"});
  }
  LmtpReply reply;
  try {
    reply = handler_.CheckRecipient(path->address);
  } catch (const std::exception& e) {
    spdlog::error("{} CheckRecipient({}) threw: {}", correlation_id_, path->address, e.what());
    reply = {451, "4.3.0", "Temporary failure, id " + correlation_id_};
  } catch (...) {
    spdlog::error("{} CheckRecipient({}) threw a non-exception", correlation_id_, path->address);
    reply = {451, "4.3.0", "Temporary failure, id " + correlation_id_};
  }
  if (reply.code < 200 || reply.code > 599) reply = {451, "4.3.0", "Temporary failure"};
  if (reply.code / 100 == 2) {
    if (reply.enhanced.empty()) reply.enhanced = "2.1.5";
    envelope_.rcpt_to.push_back(std::move(path->address));
  }
  return FormatReply(reply);
}

std::string LmtpSession::OnData(std::string_view arg) {
  if (!util::TrimView(arg).empty()) return Error(501, "5.5.4", "Syntax: DATA");
  if (state_ != State::kMail) return Error(503, "5.5.1", "Error: need MAIL command");
  // RFC 2033 §4.2: DATA without any accepted recipient must fail with 503.
  if (envelope_.rcpt_to.empty()) return Error(503, "5.5.1", "Error: no valid recipients");
  state_ = State::kData;
  message_.clear();
  message_too_big_ = false;
  data_at_line_start_ = true;
  return "354 End data with <CR><LF>.<CR><LF>\r\n";
}

// Consumes whole lines of message data from buffer_[pos..]; returns the new position. Line ends
// become LF; a leading dot is removed (RFC 5321 §4.5.2); "." alone ends the message. A bare-LF
// end (".\n") is accepted too: our client is a local MTA that dot-stuffs every line it relays,
// so this tolerance cannot be used for smuggling a second message.
size_t LmtpSession::ConsumeData(size_t pos, std::string& out) {
  while (pos < buffer_.size()) {
    size_t lf = buffer_.find('\n', pos);
    if (lf == std::string::npos) {
      size_t pending = buffer_.size() - pos;
      if (pending > kMaxDataLine) {
        // Keep the last byte: it may be the CR of a CRLF split across reads.
        AppendData(std::string_view(buffer_.data() + pos, pending - 1), false);
        pos += pending - 1;
      }
      return pos;
    }
    std::string_view line(buffer_.data() + pos, lf - pos);
    pos = lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (data_at_line_start_ && line == ".") {
      out += FinishData();
      return pos;
    }
    AppendData(line, true);
  }
  return pos;
}

void LmtpSession::AppendData(std::string_view content, bool ends_line) {
  if (data_at_line_start_ && !content.empty() && content.front() == '.') content.remove_prefix(1);
  data_at_line_start_ = ends_line;
  if (message_too_big_) return;
  if (message_.size() + content.size() + (ends_line ? 1 : 0) > options_.max_message_bytes) {
    // Keep reading to the end of the data so the session stays in sync, but drop the bytes.
    message_too_big_ = true;
    std::string().swap(message_);
    return;
  }
  message_.append(content);
  if (ends_line) message_ += '\n';
}

std::string LmtpSession::FinishData() {
  std::vector<LmtpReply> replies;
  if (message_too_big_) {
    spdlog::warn("{} message over {} bytes rejected", correlation_id_, options_.max_message_bytes);
    replies.assign(envelope_.rcpt_to.size(), {552, "5.3.4", "Error: message too big"});
  } else {
    replies = CallDeliver();
  }
  // Crash tests kill here: the message may be committed but the MTA has no 250 yet, so it
  // retries and the store's idempotency keys must absorb the second copy.
  util::FaultPoint("lmtp.before_reply");
  std::string out;
  for (const LmtpReply& reply : replies) out += FormatReply(reply);
  ResetTransaction();
  state_ = State::kReady;
  return out;
}

std::vector<LmtpReply> LmtpSession::CallDeliver() {
  const size_t n = envelope_.rcpt_to.size();
  std::vector<LmtpReply> failed(n, {451, "4.3.0", "Temporary failure, id " + correlation_id_});
  std::vector<LmtpReply> replies;
  try {
    replies = handler_.Deliver(message_, envelope_);
  } catch (const std::exception& e) {
    spdlog::error("{} Deliver from <{}> threw: {}", correlation_id_, envelope_.mail_from, e.what());
    return failed;
  } catch (...) {
    spdlog::error("{} Deliver from <{}> threw a non-exception", correlation_id_,
                  envelope_.mail_from);
    return failed;
  }
  if (replies.size() != n) {
    spdlog::error("{} Deliver returned {} replies for {} recipients", correlation_id_,
                  replies.size(), n);
    return failed;
  }
  for (LmtpReply& reply : replies) {
    if (reply.code < 200 || reply.code > 599) reply = failed[0];
  }
  return replies;
}

void LmtpSession::ResetTransaction() {
  envelope_.mail_from.clear();
  envelope_.rcpt_to.clear();
  std::string().swap(message_);
  message_too_big_ = false;
  data_at_line_start_ = true;
  if (state_ == State::kMail || state_ == State::kData) state_ = State::kReady;
}

}  // namespace replydesk::channels
