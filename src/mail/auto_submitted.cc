// Loop-safety rule: see auto_submitted.h.
#include "mail/auto_submitted.h"

#include "util/strings.h"

namespace replydesk::mail {
namespace {

// The first token of a header value, lower case: "auto-replied; owner=x" -> "auto-replied".
std::string Keyword(std::string_view value) {
  std::string_view v = util::TrimView(value);
  v = v.substr(0, v.find_first_of("; \t("));
  return util::AsciiLower(v);
}

}  // namespace

bool IsDaemonAddress(std::string_view address) {
  std::string local = util::AsciiLower(util::TrimView(address.substr(0, address.rfind('@'))));
  static constexpr std::string_view kDaemons[] = {"mailer-daemon", "mailer_daemon", "mailerdaemon",
                                                  "mail-daemon", "postmaster"};
  for (std::string_view daemon : kDaemons) {
    if (local == daemon) return true;
  }
  // Exchange's fixed system mailbox name, the same in every organisation.
  return local == "microsoftexchange329e71ec88ae4615bbc36ab6ce41109e";
}

// RFC 3834 §2: any Auto-Submitted value other than "no" marks automatic mail.
// RFC 3834 §3.1.8 and common practice: Precedence bulk/list/junk (and the
// Microsoft "auto_reply"), List-Id / List-Unsubscribe (RFC 2369, RFC 2919).
// X-Autoreply / X-Autorespond are set by vacation programs (Exim, qmail).
// X-Auto-Response-Suppress is NOT a marker: Outlook puts it on ordinary
// mail as a *request* that others suppress their auto-replies.
// Bounces and receipts: multipart/report (RFC 3464 DSN, RFC 8098 MDN), a
// mailer-daemon or postmaster sender, or an empty Return-Path "<>"
// (RFC 5321 §4.5.5: the null reverse-path of notifications), or Exim's
// X-Failed-Recipients (its bounces keep a daemon From, but relays rewrite it).
bool IsAutoSubmitted(const std::vector<HeaderField>& headers, std::string_view content_type,
                     const std::vector<Mailbox>& from) {
  for (const HeaderField& h : headers) {
    const std::string& n = h.name;
    std::string keyword = Keyword(h.value);
    if (util::EqualsIgnoreCase(n, "Auto-Submitted") && !keyword.empty() && keyword != "no") {
      return true;
    }
    if (util::EqualsIgnoreCase(n, "Precedence") &&
        (keyword == "bulk" || keyword == "list" || keyword == "junk" || keyword == "auto_reply" ||
         keyword == "auto-reply")) {
      return true;
    }
    if (util::EqualsIgnoreCase(n, "List-Id") || util::EqualsIgnoreCase(n, "List-Unsubscribe")) {
      return true;
    }
    if ((util::EqualsIgnoreCase(n, "X-Autoreply") || util::EqualsIgnoreCase(n, "X-Autorespond")) &&
        keyword != "no") {
      return true;
    }
    if (util::EqualsIgnoreCase(n, "Return-Path") && util::TrimView(h.value) == "<>") return true;
    if (util::EqualsIgnoreCase(n, "X-Failed-Recipients")) return true;
  }
  if (content_type == "multipart/report") return true;
  for (const Mailbox& m : from) {
    if (IsDaemonAddress(m.address)) return true;
  }
  return false;
}

}  // namespace replydesk::mail
