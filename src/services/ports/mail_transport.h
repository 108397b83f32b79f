// Port for submitting one composed message to a mail server (implemented by
// channels/smtp_transport over libcurl, wired in app/). Services never talk
// SMTP themselves: the outbound worker hands over bytes and records the outcome.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace replydesk::services {

struct SubmitOutcome {
  enum class Kind {
    kAccepted,  // the server said 250 to DATA: the message is its responsibility now
    kTempFail,  // 4xx, connection refused/reset, timeout, TLS failure: retry later
    kPermFail,  // 5xx: the server refused for good; show it on the article
  };
  Kind kind = Kind::kTempFail;
  int smtp_code = 0;   // last reply code seen (0 when no reply, e.g. connect failed)
  std::string detail;  // server reply text or the transport error, for the article and log
};

class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // Submits `raw` (RFC 5322, CRLF line ends) for `recipients` with envelope
  // sender `envelope_from` ("" = null sender <>). Blocking; thread-safe only
  // if the implementation says so (one per worker thread otherwise).
  virtual SubmitOutcome Submit(const std::string& envelope_from,
                               const std::vector<std::string>& recipients,
                               std::string_view raw) = 0;
};

}  // namespace replydesk::services
