// Mailbox account rules: enum names round trip, backoff doubling with a cap,
// loopback hosts (the only ones reachable without TLS).
#include "domain/mailbox_account.h"

#include <gtest/gtest.h>

namespace replydesk::domain {
namespace {

TEST(MailboxAccountTest, NamesRoundTrip) {
  for (auto p : {MailProtocol::kImap, MailProtocol::kPop3}) {
    EXPECT_EQ(ParseMailProtocol(MailProtocolName(p)), p);
  }
  for (auto t : {MailboxTls::kTls, MailboxTls::kStartTls, MailboxTls::kNone}) {
    EXPECT_EQ(ParseMailboxTls(MailboxTlsName(t)), t);
  }
  for (auto a :
       {AfterImport::kMarkSeen, AfterImport::kMove, AfterImport::kDelete, AfterImport::kKeep}) {
    EXPECT_EQ(ParseAfterImport(AfterImportName(a)), a);
  }
  EXPECT_FALSE(ParseMailProtocol("smtp").has_value());
  EXPECT_FALSE(ParseMailboxTls("ssl").has_value());
  EXPECT_FALSE(ParseAfterImport("archive").has_value());
}

TEST(MailboxAccountTest, BackoffDoublesUpToAnHour) {
  EXPECT_EQ(BackoffSeconds(60, 0), 60);
  EXPECT_EQ(BackoffSeconds(60, 1), 120);
  EXPECT_EQ(BackoffSeconds(60, 2), 240);
  EXPECT_EQ(BackoffSeconds(60, 5), 1920);
  EXPECT_EQ(BackoffSeconds(60, 6), 3600);
  EXPECT_EQ(BackoffSeconds(60, 1000), 3600);
  EXPECT_EQ(BackoffSeconds(7200, 3), 7200) << "never shorter than the interval";
  EXPECT_EQ(BackoffSeconds(0, 1), 2) << "a zero interval counts as one second";
}

TEST(MailboxAccountTest, LoopbackHosts) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "localhost", "LocalHost", "::1", "[::1]"}) {
    EXPECT_TRUE(IsLoopbackHost(h)) << h;
  }
  for (const char* h :
       {"", "10.0.0.1", "127.0.0.1.evil.example", "127.example.com", "localhost.example.com",
        "128.0.0.1", "127..0.1", "127.0.0.1234", "::2", "mail.example.com"}) {
    EXPECT_FALSE(IsLoopbackHost(h)) << h;
  }
}

}  // namespace
}  // namespace replydesk::domain
