// Names and rules of mailbox_account.h.
#include "domain/mailbox_account.h"

#include <algorithm>
#include <cctype>

#include "domain/enum_names.h"

namespace replydesk::domain {

const char* MailProtocolName(MailProtocol p) { return p == MailProtocol::kImap ? "imap" : "pop3"; }

std::optional<MailProtocol> ParseMailProtocol(const std::string& s) {
  static const MailProtocol kAll[] = {MailProtocol::kImap, MailProtocol::kPop3};
  return ParseByName(s, kAll, MailProtocolName);
}

const char* MailboxTlsName(MailboxTls t) {
  switch (t) {
    case MailboxTls::kTls:
      return "tls";
    case MailboxTls::kStartTls:
      return "starttls";
    case MailboxTls::kNone:
      return "none";
  }
  return "tls";
}

std::optional<MailboxTls> ParseMailboxTls(const std::string& s) {
  static const MailboxTls kAll[] = {MailboxTls::kTls, MailboxTls::kStartTls, MailboxTls::kNone};
  return ParseByName(s, kAll, MailboxTlsName);
}

const char* AfterImportName(AfterImport a) {
  switch (a) {
    case AfterImport::kMarkSeen:
      return "seen";
    case AfterImport::kMove:
      return "move";
    case AfterImport::kDelete:
      return "delete";
    case AfterImport::kKeep:
      return "keep";
  }
  return "seen";
}

std::optional<AfterImport> ParseAfterImport(const std::string& s) {
  static const AfterImport kAll[] = {AfterImport::kMarkSeen, AfterImport::kMove,
                                     AfterImport::kDelete, AfterImport::kKeep};
  return ParseByName(s, kAll, AfterImportName);
}

int64_t BackoffSeconds(int poll_interval_seconds, int failures) {
  const int64_t interval = std::max(1, poll_interval_seconds);
  if (interval >= kMaxBackoffSeconds) return interval;
  // 2^12 already exceeds an hour for any interval of a second or more.
  const int shift = std::clamp(failures, 0, 12);
  return std::min(interval << shift, kMaxBackoffSeconds);
}

bool IsLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string lower(host);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "localhost" || lower == "::1" || lower == "0:0:0:0:0:0:0:1") return true;
  // 127.0.0.0/8 written as a dotted quad: four numbers, the first 127.
  if (lower.rfind("127.", 0) != 0) return false;
  int dots = 0;
  int digits = 0;
  for (char c : lower) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (std::isdigit(static_cast<unsigned char>(c)) && digits < 3) {
      ++digits;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

}  // namespace replydesk::domain
