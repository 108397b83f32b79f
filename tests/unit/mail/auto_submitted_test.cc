// Loop safety (RFC 3834): which messages never get an automatic answer.
#include "mail/auto_submitted.h"

#include <gtest/gtest.h>

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
}

TEST(AutoSubmitted, RuleOnHeaderFields) {
  EXPECT_TRUE(IsAutoSubmitted({{"auto-submitted", "Auto-Replied"}}, "text/plain", {}));
  EXPECT_FALSE(IsAutoSubmitted({{"Auto-Submitted", " no (human)"}}, "text/plain", {}));
  EXPECT_TRUE(IsAutoSubmitted({}, "multipart/report", {}));
  EXPECT_TRUE(IsAutoSubmitted({}, "text/plain", {{"", "postmaster@example.org"}}));
}

}  // namespace
}  // namespace replydesk::mail
