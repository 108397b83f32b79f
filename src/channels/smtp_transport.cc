// SMTP submission over libcurl: see smtp_transport.h.
// libcurl runs the protocol (EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA, dot-stuffing); what it
// does not give back is the server's reply text, so the debug callback follows the dialogue:
// commands out (to pair each RCPT with its reply) and reply lines in. The outcome is then
// decided from the replies (what the server said) before libcurl's error code (what went
// wrong on our side of the wire).
#include "channels/smtp_transport.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>

#include "util/strings.h"

namespace replydesk::channels {
namespace {

using services::SubmitOutcome;
using Kind = SubmitOutcome::Kind;

// Thread-safe one-time curl_global_init (libcurl 7.88's own is not).
// libcurl before 8.2 spells the option with three L's.
#if LIBCURL_VERSION_NUM >= 0x080200
constexpr CURLoption kRcptAllowFails = CURLOPT_MAIL_RCPT_ALLOWFAILS;
#else
constexpr CURLoption kRcptAllowFails = CURLOPT_MAIL_RCPT_ALLLOWFAILS;
#endif

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// RFC 5321 §2.3.8: lines end with CRLF, and the last line too. Empty when `raw` is fine as
// it is (the usual case: no copy).
std::string ToCrlf(std::string_view raw) {
  bool bare_lf = false;
  for (size_t i = raw.find('\n'); i != std::string_view::npos; i = raw.find('\n', i + 1)) {
    if (i == 0 || raw[i - 1] != '\r') bare_lf = true;
  }
  const bool ends_ok = raw.empty() || raw.ends_with("\r\n");
  if (!bare_lf && ends_ok) return {};
  std::string out;
  out.reserve(raw.size() + raw.size() / 32 + 2);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) out += '\r';
    out += raw[i];
  }
  if (!out.ends_with("\r\n")) out += out.ends_with('\r') ? "\n" : "\r\n";
  return out;
}

bool HasControl(const std::string& address) {
  return address.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
}

// "<a@b>" for a bare address; "<>" for the null sender.
std::string Bracketed(const std::string& address) {
  if (address.starts_with('<') && address.ends_with('>')) return address;
  return "<" + address + ">";
}

}  // namespace

struct SmtpTransport::Impl {
  // One recipient the server refused.
  struct Refusal {
    std::string recipient;
    int code = 0;
    std::string reply;
  };

  std::unique_ptr<CURL, CurlDeleter> curl;
  char error[CURL_ERROR_SIZE] = {};

  // Upload state for one attempt.
  std::string_view body;
  size_t offset = 0;

  // The dialogue as seen by the debug callback, reset for each attempt.
  std::string partial;      // reply bytes not yet ending in a line end
  std::string pending;      // text of a multi-line reply so far
  bool awaiting = true;     // a command (or the greeting) has no final reply yet
  bool in_rcpt = false;     // the command awaiting its reply is RCPT TO
  std::string rcpt;         // its address
  bool quitting = false;    // QUIT sent: its 221 is not the answer that matters
  int replies = 0;          // final replies received
  int last_code = 0;        // the latest final reply
  std::string last_reply;   // "250 2.0.0 Ok: queued"
  bool rcpt_reply = false;  // the latest final reply answered a RCPT
  int accepted = 0;         // recipients answered 2xx
  std::vector<Refusal> refused;

  void Reset(std::string_view data) {
    body = data;
    offset = 0;
    partial.clear();
    pending.clear();
    awaiting = true;
    in_rcpt = rcpt_reply = quitting = false;
    replies = last_code = accepted = 0;
    last_reply.clear();
    refused.clear();
    error[0] = '\0';
  }

  void OnCommand(std::string_view line) {
    // libcurl closes the connection of a failed transaction, and an expired kept one before
    // opening a new connection, with QUIT: keep the reply that decided the outcome.
    if (util::StartsWithIgnoreCase(line, "QUIT")) {
      quitting = true;
      return;
    }
    awaiting = true;
    in_rcpt = util::StartsWithIgnoreCase(line, "RCPT TO:");
    if (in_rcpt) {
      std::string_view arg = util::TrimView(line.substr(8));
      arg = arg.substr(0, arg.find(' '));  // drop ESMTP parameters
      rcpt = std::string(arg);
    }
  }

  void OnServerBytes(std::string_view bytes) {
    partial.append(bytes);
    for (size_t nl = partial.find('\n'); nl != std::string::npos; nl = partial.find('\n')) {
      std::string line = partial.substr(0, nl);
      partial.erase(0, nl + 1);
      if (line.ends_with('\r')) line.pop_back();
      OnReplyLine(line);
    }
  }

  // "250-first", "250 last" (RFC 5321 §4.2.1); only the last line completes a reply.
  void OnReplyLine(std::string_view line) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (line.size() < 3 || !std::all_of(line.begin(), line.begin() + 3, digit)) return;
    const int code = std::stoi(std::string(line.substr(0, 3)));
    std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
    if (!pending.empty() && !text.empty()) pending += ' ';
    pending += text;
    if (line.size() > 3 && line[3] == '-') return;
    OnReply(code, std::to_string(code) + (pending.empty() ? "" : " " + pending));
    pending.clear();
  }

  void OnReply(int code, std::string reply) {
    if (std::exchange(quitting, false) && code == 221) return;
    ++replies;
    awaiting = false;
    last_code = code;
    last_reply = std::move(reply);
    rcpt_reply = in_rcpt;
    if (!in_rcpt) return;
    in_rcpt = false;
    if (code >= 200 && code < 300) {
      ++accepted;
    } else {
      refused.push_back({rcpt, code, last_reply});
    }
  }

  std::string RefusedList() const {
    std::vector<std::string> parts;
    for (const Refusal& r : refused) parts.push_back(r.recipient + " " + r.reply);
    return util::Join(parts, ", ");
  }

  SubmitOutcome Classify(CURLcode rc) const;
  void SetFixedOptions(const SmtpSettings& settings);

  static int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
    auto* impl = static_cast<Impl*>(user);
    const std::string_view bytes(data, size);
    if (type == CURLINFO_HEADER_IN) impl->OnServerBytes(bytes);
    if (type == CURLINFO_HEADER_OUT) impl->OnCommand(bytes);
    return 0;
  }

  static size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
    auto* impl = static_cast<Impl*>(user);
    const size_t n = std::min(size * count, impl->body.size() - impl->offset);
    std::memcpy(buffer, impl->body.data() + impl->offset, n);
    impl->offset += n;
    return n;
  }
};

SubmitOutcome SmtpTransport::Impl::Classify(CURLcode rc) const {
  SubmitOutcome out;
  out.smtp_code = last_code;
  if (rc == CURLE_OK) {
    out.kind = Kind::kAccepted;
    out.detail = last_reply;
    if (!refused.empty()) out.detail += "; refused: " + RefusedList();
    return out;
  }
  if (accepted == 0 && !refused.empty() && !awaiting && rcpt_reply) {
    // Every RCPT refused (libcurl then gives up before DATA): retry only if one may pass.
    const bool any_temp =
        std::any_of(refused.begin(), refused.end(), [](const Refusal& r) { return r.code < 500; });
    out.kind = any_temp ? Kind::kTempFail : Kind::kPermFail;
    out.detail = "every recipient refused: " + RefusedList();
    return out;
  }
  if (!awaiting && last_code >= 400 && last_code < 600) {
    // The server's last word ended the transaction.
    out.kind = last_code < 500 ? Kind::kTempFail : Kind::kPermFail;
    out.detail = last_reply;
    return out;
  }
  // No connection, TLS, timeout, reset, or a reply libcurl did not expect.
  out.kind = Kind::kTempFail;
  out.detail = curl_easy_strerror(rc);
  if (error[0] != '\0') out.detail += std::string(": ") + error;
  return out;
}

namespace {

util::Error BadUrl(std::string message) {
  return util::MakeError(util::ErrorCode::kInvalidArgument, "smtp.bad_url",
                         "SMTP URL: " + std::move(message));
}

// RFC 3986 §2.1; false on a broken escape.
bool PercentDecode(std::string_view in, std::string& out) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size() || hex(in[i + 1]) < 0 || hex(in[i + 2]) < 0) return false;
    out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
    i += 2;
  }
  return true;
}

// A decimal in [low, high], or -1.
int ParseInt(std::string_view s, int low, int high) {
  if (s.empty() || s.size() > 9) return -1;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v >= low && v <= high ? v : -1;
}

// "host", "host:port", "[v6]", "[v6]:port".
util::Status ParseHostPort(std::string_view hostport, SmtpSettings& s) {
  std::string_view port;
  if (hostport.starts_with('[')) {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return BadUrl("unclosed '[' in the host");
    s.host = std::string(hostport.substr(1, close - 1));
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return BadUrl("junk after ']'");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const size_t colon = hostport.find(':');
    s.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (s.host.empty() || s.host.find_first_of(" \t/\\") != std::string::npos) {
    return BadUrl("missing or invalid host");
  }
  if (!port.empty() && (s.port = ParseInt(port, 1, 65535)) < 0) return BadUrl("invalid port");
  return util::OkStatus();
}

util::Status ParseParameter(std::string_view param, SmtpSettings& s) {
  const size_t eq = param.find('=');
  const std::string name(param.substr(0, eq));
  std::string value;
  if (eq == std::string_view::npos || !PercentDecode(param.substr(eq + 1), value)) {
    return BadUrl("parameter '" + name + "' needs a value");
  }
  if (name == "starttls" && value == "required") {
    if (s.tls == SmtpSettings::Tls::kTls) return BadUrl("starttls with smtps://");
    s.tls = SmtpSettings::Tls::kStartTls;
  } else if (name == "timeout") {
    if ((s.timeout_seconds = ParseInt(value, 1, 3600)) < 0) return BadUrl("timeout: 1..3600");
  } else if (name == "helo" && !value.empty()) {
    s.helo_name = value;
  } else if (name == "verify" && (value == "no" || value == "yes")) {
    s.verify_peer = value == "yes";
  } else if (name == "ca_file" && !value.empty()) {
    s.ca_file = value;
  } else {
    return BadUrl("unknown parameter or value '" + name + "'");
  }
  return util::OkStatus();
}

}  // namespace

util::Result<SmtpSettings> SmtpSettings::ParseSmtpUrl(std::string_view url) {
  SmtpSettings s;
  std::string_view rest;
  if (util::StartsWithIgnoreCase(url, "smtp://")) {
    rest = url.substr(7);
    s.port = 25;
  } else if (util::StartsWithIgnoreCase(url, "smtps://")) {
    rest = url.substr(8);
    s.tls = Tls::kTls;
    s.port = 465;
  } else {
    return BadUrl("scheme must be smtp:// or smtps://");
  }
  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  // The password may hold a raw '@' or '/': the host starts after the last '@'.
  const size_t at = rest.rfind('@');
  std::string_view authority = at == std::string_view::npos ? rest : rest.substr(at + 1);
  if (authority.find('/') != std::string_view::npos) return BadUrl("no path allowed (helo=)");
  RD_RETURN_IF_ERROR(ParseHostPort(authority, s));
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (!PercentDecode(userinfo.substr(0, colon), s.username) || s.username.empty()) {
      return BadUrl("invalid user name");
    }
    if (colon != std::string_view::npos && !PercentDecode(userinfo.substr(colon + 1), s.password)) {
      return BadUrl("invalid percent escape in the password");
    }
  }
  for (const std::string& param : util::Split(query, '&')) {
    if (!param.empty()) RD_RETURN_IF_ERROR(ParseParameter(param, s));
  }
  return s;
}

// Everything that does not change between messages, set once on the kept handle.
void SmtpTransport::Impl::SetFixedOptions(const SmtpSettings& settings) {
  CURL* c = curl.get();
  const std::string scheme = settings.tls == SmtpSettings::Tls::kTls ? "smtps" : "smtp";
  const bool v6 = settings.host.find(':') != std::string::npos;
  std::string url = scheme + "://" + (v6 ? "[" + settings.host + "]" : settings.host) + ":" +
                    std::to_string(settings.port) + "/";
  if (!settings.helo_name.empty()) {  // libcurl takes the EHLO argument from the URL path
    char* helo = curl_easy_escape(c, settings.helo_name.c_str(), 0);
    if (helo != nullptr) url += helo;
    curl_free(helo);
  }
  const long timeout = std::max(1, settings.timeout_seconds);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, kRcptAllowFails, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, OnRead);
  curl_easy_setopt(c, CURLOPT_READDATA, this);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // feeds OnDebug; nothing is printed
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, OnDebug);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, this);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout);
  curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // a stalled upload
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout);
  curl_easy_setopt(
      c, CURLOPT_USE_SSL,
      static_cast<long>(settings.tls == SmtpSettings::Tls::kStartTls ? CURLUSESSL_ALL
                                                                     : CURLUSESSL_NONE));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, settings.verify_peer ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, settings.verify_peer ? 2L : 0L);
  if (!settings.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings.ca_file.c_str());
  if (!settings.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings.password.c_str());
  }
}

SmtpTransport::SmtpTransport(SmtpSettings settings)
    : settings_(std::move(settings)), impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->curl.reset(curl_easy_init());
  if (impl_->curl) impl_->SetFixedOptions(settings_);
  if (!settings_.username.empty() && settings_.tls == SmtpSettings::Tls::kNone &&
      !IsLoopback(settings_.host)) {
    spdlog::warn("smtp: AUTH as {} to {} without TLS: the password crosses the network in clear",
                 settings_.username, settings_.host);
  }
}

SmtpTransport::~SmtpTransport() = default;

services::SubmitOutcome SmtpTransport::Submit(const std::string& envelope_from,
                                              const std::vector<std::string>& recipients,
                                              std::string_view raw) {
  CURL* curl = impl_->curl.get();
  if (curl == nullptr) return {Kind::kTempFail, 0, "smtp: curl_easy_init failed"};
  if (recipients.empty()) return {Kind::kPermFail, 0, "smtp.no_recipients"};
  if (HasControl(envelope_from) || std::any_of(recipients.begin(), recipients.end(), HasControl)) {
    return {Kind::kPermFail, 0, "smtp.bad_address: CR, LF or NUL in an envelope address"};
  }
  const std::string crlf = ToCrlf(raw);
  const std::string_view data = crlf.empty() ? raw : std::string_view(crlf);
  std::unique_ptr<curl_slist, CurlDeleter> rcpts;
  for (const std::string& r : recipients) {
    curl_slist* next = curl_slist_append(rcpts.get(), Bracketed(r).c_str());
    if (next == nullptr) return {Kind::kTempFail, 0, "smtp: out of memory"};
    (void)rcpts.release();  // now owned by `next`
    rcpts.reset(next);
  }
  const std::string from = envelope_from.empty() ? "<>" : Bracketed(envelope_from);
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts.get());
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));

  // A kept connection the server dropped while idle (and libcurl did not notice) fails on
  // the first read or write, before any reply: nothing was accepted on it, so one more try
  // on a fresh connection cannot send the message twice. (A refused or timed-out connect
  // also reports no new connection; it is not retried.)
  curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 0L);
  impl_->Reset(data);
  CURLcode rc = curl_easy_perform(curl);
  long connects = 0;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
  const bool dead = rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING;
  if (dead && connects == 0 && impl_->replies == 0) {
    spdlog::debug("smtp: kept connection to {} was dead ({}), reconnecting", settings_.host,
                  curl_easy_strerror(rc));
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    impl_->Reset(data);
    rc = curl_easy_perform(curl);
  }
  SubmitOutcome outcome = impl_->Classify(rc);
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, nullptr);  // the list dies with this call
  spdlog::debug("smtp: {}:{} {} recipient(s): {}", settings_.host, settings_.port,
                recipients.size(), outcome.detail);
  return outcome;
}

}  // namespace replydesk::channels
