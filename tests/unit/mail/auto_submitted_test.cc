// Loop safety (RFC 3834): which messages never get an automatic answer.
#include "mail/auto_submitted.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mail/mime_parser.h"

namespace replydesk::mail {
namespace {

bool Auto(const std::string& headers, const std::string& from = "From: Ann <ann@example.com>\n") {
  return MimeParser().Parse(from + headers + "Subject: x\n\nbody\n").auto_submitted;
}

TEST(AutoSubmitted, HumanMailIsNot) {
  EXPECT_FALSE(Auto(""));
  EXPECT_FALSE(Auto("Auto-Submitted: no\n"));
  EXPECT_FALSE(Auto("Precedence: first-class\n"));
  // A request to others, not a marker: Outlook sets it on ordinary mail.
  EXPECT_FALSE(Auto("X-Auto-Response-Suppress: All\n"));
  EXPECT_FALSE(Auto("Return-Path: <ann@example.com>\n"));
}

TEST(AutoSubmitted, MarkersAndBulk) {
  EXPECT_TRUE(Auto("Auto-Submitted: auto-replied\n"));
  EXPECT_TRUE(Auto("Auto-Submitted: auto-generated; owner-email=x@y\n"));
  EXPECT_TRUE(Auto("Precedence: bulk\n"));
  EXPECT_TRUE(Auto("Precedence: list\n"));
  EXPECT_TRUE(Auto("Precedence: junk\n"));
  EXPECT_TRUE(Auto("Precedence: auto_reply\n"));
  EXPECT_TRUE(Auto("List-Id: <news.example.com>\n"));
  EXPECT_TRUE(Auto("List-Unsubscribe: <mailto:u@example.com>\n"));
  EXPECT_TRUE(Auto("X-Autoreply: yes\n"));
  EXPECT_TRUE(Auto("X-Autorespond: Out of office\n"));
}

TEST(AutoSubmitted, BouncesAndReports) {
  EXPECT_TRUE(Auto("", "From: MAILER-DAEMON@mx.example.com\n"));
  EXPECT_TRUE(Auto("", "From: Mail System <postmaster@example.com>\n"));
  EXPECT_TRUE(Auto("Return-Path: <>\n"));
  EXPECT_TRUE(Auto("Content-Type: multipart/report; report-type=delivery-status; boundary=b\n"));
  EXPECT_TRUE(Auto("", "From: Mail Delivery System <Mailer_Daemon@mx.example.org>\n"));
  EXPECT_TRUE(Auto("", "From: mail-daemon@mx.example.org\n"));
  // Exchange NDRs read from a mailbox (IMAP polling) carry no Return-Path <>.
  EXPECT_TRUE(Auto("",
                   "From: Microsoft Outlook "
                   "<MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.example>\n"));
  // Exim: a relay may rewrite From, X-Failed-Recipients stays.
  EXPECT_TRUE(Auto("X-Failed-Recipients: stefan@example.ro\n"));
  EXPECT_FALSE(Auto("", "From: Daemon Tools <mailer-daemon-fan@example.com>\n"));
}

// Every bounce fixture (tests/unit/mail/fixtures/bounces) is automatic mail;
// bounce_parser_test checks the same for the corpus DSNs.
TEST(AutoSubmitted, BounceFixtures) {
  const std::string dir = REPLYDESK_SOURCE_DIR "/tests/unit/mail/fixtures/bounces/";
  for (const char* name : {"qmail.eml", "exim.eml", "exim_delay.eml", "postfix_plain.eml",
                           "postfix_delay.eml", "exchange_2010.eml", "exchange_2003.eml",
                           "gmail_failure.eml", "gmail_delay.eml", "heuristic_ru.eml"}) {
    std::ifstream in(dir + name, std::ios::binary);
    std::stringstream raw;
    raw << in.rdbuf();
    ASSERT_FALSE(raw.str().empty()) << name;
    EXPECT_TRUE(MimeParser().Parse(raw.str()).auto_submitted) << name;
  }
}

TEST(AutoSubmitted, RuleOnHeaderFields) {
  EXPECT_TRUE(IsAutoSubmitted({{"auto-submitted", "Auto-Replied"}}, "text/plain", {}));
  EXPECT_FALSE(IsAutoSubmitted({{"Auto-Submitted", " no (human)"}}, "text/plain", {}));
  EXPECT_TRUE(IsAutoSubmitted({}, "multipart/report", {}));
  EXPECT_TRUE(IsAutoSubmitted({}, "text/plain", {{"", "postmaster@example.org"}}));
}

TEST(AutoSubmitted, DaemonAddresses) {
  EXPECT_TRUE(IsDaemonAddress("MAILER-DAEMON@mx.example.com"));
  EXPECT_TRUE(IsDaemonAddress("mailer-daemon"));
  EXPECT_TRUE(IsDaemonAddress("Postmaster@example.com"));
  EXPECT_TRUE(IsDaemonAddress("MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.example"));
  EXPECT_FALSE(IsDaemonAddress("postmaster.jones@example.com"));
  EXPECT_FALSE(IsDaemonAddress("ann@postmaster.example.com"));
  EXPECT_FALSE(IsDaemonAddress(""));
}

}  // namespace
}  // namespace replydesk::mail
