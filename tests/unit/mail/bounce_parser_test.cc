// Bounce recognition on real DSNs (../shared/corpora/mime-ruby-mail) and
// hand-written fixtures of the non-standard forms (fixtures/bounces/).
#include "mail/bounce_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mail/mime_parser.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

const std::string kFixtures = REPLYDESK_SOURCE_DIR "/tests/unit/mail/fixtures/bounces/";
const std::string kCorpora = REPLYDESK_SOURCE_DIR "/../shared/corpora/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Expected {
  std::string kind;
  bool permanent = true;
  std::vector<std::string> ids;  // leading original ids expected, in order
  std::vector<BounceRecipient> recipients;
};

void ExpectReport(const std::string& raw, const Expected& want, const std::string& name) {
  SCOPED_TRACE(name);
  ASSERT_FALSE(raw.empty());
  BounceReport got = ParseBounce(raw);
  EXPECT_TRUE(got.is_bounce);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.permanent, want.permanent);
  ASSERT_GE(got.original_message_ids.size(), want.ids.size())
      << util::Join(got.original_message_ids, " ");
  for (size_t i = 0; i < want.ids.size(); ++i) EXPECT_EQ(got.original_message_ids[i], want.ids[i]);
  ASSERT_EQ(got.recipients.size(), want.recipients.size());
  for (size_t i = 0; i < want.recipients.size(); ++i) {
    const BounceRecipient& g = got.recipients[i];
    const BounceRecipient& w = want.recipients[i];
    EXPECT_EQ(g.address, w.address) << i;
    EXPECT_EQ(g.action, w.action) << i;
    EXPECT_EQ(g.status, w.status) << i;
    // The diagnostic must hold the remote server's words (a fragment given).
    EXPECT_NE(g.diagnostic.find(w.diagnostic), std::string::npos) << i << ": " << g.diagnostic;
  }
  // The caller only asks ParseBounce about automatic mail: every bounce must
  // be auto_submitted for MimeParser too, so it never gets an answer.
  EXPECT_TRUE(MimeParser().Parse(raw).auto_submitted);
}

void ExpectNotBounce(const std::string& raw, const std::string& name) {
  SCOPED_TRACE(name);
  BounceReport got = ParseBounce(raw);
  EXPECT_FALSE(got.is_bounce);
  EXPECT_EQ(got.kind, "");
}

// ------------------------------------------------------------------ RFC 3464

TEST(BounceParser, RubyMailPostfixDsnWithFiveRecipients) {
  std::string raw =
      ReadFile(kCorpora + "mime-ruby-mail/multipart_report_emails/multi_address_bounce1.eml");
  if (raw.empty()) GTEST_SKIP() << "corpus not present";
  Expected want{"dsn", true, {"118707422.15521266992174819.JavaMail.root@lvmail01"}, {}};
  for (const char* a : {"bbbbvhvbbvkjbhfbvbvjhb@gmail.com", "bscdbcjhasbcjhbdscbhbsdhcbj@gmail.com",
                        "egyfefsdvsfvvhjsd@gmail.com", "kfhejkfbsjkjsbhds@gmail.com",
                        "qfvhgsvhgsduiohncdhcvhsdfvsfygusd@gmail.com"}) {
    want.recipients.push_back({a, "failed", "5.1.1", "550-5.1.1 The email account that you tried"});
  }
  ExpectReport(raw, want, "multi_address_bounce1");
  ExpectReport(
      ReadFile(kCorpora + "mime-ruby-mail/multipart_report_emails/multi_address_bounce2.eml"), want,
      "multi_address_bounce2");
}

TEST(BounceParser, RubyMailSendmailReports) {
  std::string dir = kCorpora + "mime-ruby-mail/multipart_report_emails/";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "corpus not present";
  ExpectReport(ReadFile(dir + "report_422.eml"),
               {"dsn",
                false,
                {"15655788.13.1200472642578.JavaMail.Administrator@mail.ttttt.com.au"},
                {{"fraser@oooooooo.com.au", "delayed", "4.2.2",
                  "452 4.2.2 <fraser@oooooooo.com.au>... Mailbox full"}}},
               "report_422");
  ExpectReport(ReadFile(dir + "report_530.eml"),
               {"dsn",
                true,
                {"200712232303.lBNN3jDq002941@mail12.rrrr.com.au"},
                {{"edwin@zzzzzzz.com", "failed", "5.3.0",
                  "553 5.3.0 <edwin@zzzzzzz.com>... Unknown E-Mail Address"}}},
               "report_530");
  // The first message/delivery-status part is free text: only the second counts.
  ExpectReport(ReadFile(dir + "multipart_report_multiple_status.eml"),
               {"dsn",
                true,
                {"4c2a146147ac8_61ff157c4ec1652df@s.h.c.mail"},
                {{"u@ci.com", "failed", "5.3.0", ""}}},
               "multipart_report_multiple_status");
  ExpectReport(
      ReadFile(kCorpora +
               "mime-ruby-mail/mime_emails/raw_email_with_mimepart_without_content_type.eml"),
      {"dsn",
       false,
       {"89d7557c0610181510r6fa5ebd8n66a7deec71ade118@mail.gmail.com"},
       {{"larose.julie@courrier.uqam.ca", "delayed", "4.5.0", ""}}},
      "raw_email_with_mimepart_without_content_type");
}

// Every other message of the MIME corpora is not a bounce.
TEST(BounceParser, NoFalsePositivesInCorpora) {
  if (!std::filesystem::exists(kCorpora)) GTEST_SKIP() << "corpora not present";
  int bounces = 0, total = 0;
  for (const char* corpus : {"mime-ruby-mail", "mime-stalwart"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(kCorpora + corpus)) {
      if (entry.path().extension() != ".eml") continue;
      ++total;
      std::string name = entry.path().filename().string();
      BounceReport report = ParseBounce(ReadFile(entry.path().string()));
      bool expected = entry.path().parent_path().filename() == "multipart_report_emails" ||
                      name == "raw_email_with_mimepart_without_content_type.eml";
      EXPECT_EQ(report.is_bounce, expected) << entry.path();
      bounces += report.is_bounce;
    }
  }
  EXPECT_EQ(bounces, 6);
  EXPECT_GT(total, 200);
}

// ------------------------------------------------------- non-standard forms

TEST(BounceParser, Qmail) {
  ExpectReport(ReadFile(kFixtures + "qmail.eml"),
               {"qmail",
                true,
                {"q7xkc3vmw2hdfq4t6yzrj5ab2e.1795770840@help.example.com"},
                {{"ivan.petrov@example.bg", "failed", "5.1.1",
                  "Sorry, no mailbox here by that name. (#5.1.1)"},
                 {"maria@example.bg", "failed", "5.7.1", "Remote host said: 550 5.7.1"}}},
               "qmail");
}

TEST(BounceParser, Exim) {
  ExpectReport(ReadFile(kFixtures + "exim.eml"),
               {"exim",
                true,
                {"r2fz7kq3n6wpbx5cy4hd2mtl7a.1795773720@help.example.com"},
                {{"stefan@example.ro", "failed", "5.1.1",
                  "550 5.1.1 <stefan@example.ro>: Recipient address rejected: User unknown"}}},
               "exim");
  // A delay warning has no copy of the message: the id comes from References.
  ExpectReport(ReadFile(kFixtures + "exim_delay.eml"),
               {"exim",
                false,
                {"w8ghx4tk2mzq7cvbn3rd5pyl6e.1795773720@help.example.com"},
                {{"elena@example.ro", "delayed", "4.7.1", "451 4.7.1 Greylisted"}}},
               "exim_delay");
}

TEST(BounceParser, PostfixPlain) {
  ExpectReport(ReadFile(kFixtures + "postfix_plain.eml"),
               {"postfix",
                true,
                {"m4kq8z2xw7cvb3nt5hr6jyd2pa.1795770003@help.example.com"},
                {{"georgi@example.bg", "failed", "5.1.1",
                  "said: 550 5.1.1 <georgi@example.bg>: Recipient address rejected"}}},
               "postfix_plain");
  ExpectReport(ReadFile(kFixtures + "postfix_delay.eml"),
               {"postfix",
                false,
                {"k2vq5x8mz3hn7tcr4bw6yjd9pf.1795770597@help.example.com"},
                {{"dimitar@slow.example.bg", "delayed", "", "Connection timed out"}}},
               "postfix_delay");
}

TEST(BounceParser, Exchange) {
  ExpectReport(ReadFile(kFixtures + "exchange_2010.eml"),
               {"exchange",
                true,
                {"p3nx7wq2k8zmc4vtb6hd5ryl9a.1795775400@help.example.com"},
                {{"maria.ionescu@corp.example.com", "failed", "5.1.1",
                  "#550 5.1.1 RESOLVER.ADR.RecipNotFound"}}},
               "exchange_2010");
  ExpectReport(ReadFile(kFixtures + "exchange_2003.eml"),
               {"exchange",
                true,
                {"z9rk3nq7x2vbm5tc8hw4pyd6la.1795776000@help.example.com"},
                {{"andrei.popescu@legacy.example.com", "failed", "5.1.1", "#5.1.1>"}}},
               "exchange_2003");
}

TEST(BounceParser, GmailPlainNotices) {
  ExpectReport(ReadFile(kFixtures + "gmail_failure.eml"),
               {"gmail",
                true,
                {"t5bw2mz8q4kx7nc3vh6ryd9pla.1795781100@help.example.com"},
                {{"ivan.petrov.typo@gmail.com", "failed", "5.1.1",
                  "The email account that you tried to reach does not exist"}}},
               "gmail_failure");
  ExpectReport(
      ReadFile(kFixtures + "gmail_delay.eml"),
      {"gmail",
       false,
       {"c8dn3kz5w2qx7mb4vt6hry9pla.1795782000@help.example.com"},
       {{"olga@slow.example.ru", "delayed", "", "did not accept our requests to connect"}}},
      "gmail_delay");
}

TEST(BounceParser, OtherDaemonNoticeWithInlineOriginal) {
  ExpectReport(ReadFile(kFixtures + "heuristic_ru.eml"),
               {"heuristic",
                true,
                {"h4mz8q2kx7nc5vb3tw6ryd9pla.1795782540@help.example.com"},
                {{"olga.smirnova@example.ru", "failed", "5.2.2", "Mailbox is full"}}},
               "heuristic_ru");
}

TEST(BounceParser, BulgarianAndRomanianNotices) {
  ExpectReport(
      "Return-Path: <>\nFrom: postmaster@mail.example.bg\nTo: support@help.example.com\n"
      "Subject: =?UTF-8?B?0KHRitC+0LHRidC10L3QuNC10YLQviDQvdC1INC1INC00L7RgdGC0LDQstC10L3Qvg==?=\n"
      "Content-Type: text/plain; charset=utf-8\n\n"
      "Съобщението не е доставено до следния получател:\n\n"
      "  petar@example.bg  550 5.1.1 Няма такъв потребител\n\n"
      "----- Оригинално съобщение -----\n"
      "From: support@help.example.com\nTo: petar@example.bg\n"
      "Message-ID: <bg.1@help.example.com>\n\nЗдравейте!\n",
      {"heuristic",
       true,
       {"bg.1@help.example.com"},
       {{"petar@example.bg", "failed", "5.1.1", "Няма такъв"}}},
      "bulgarian");
  ExpectReport(
      "From: MAILER-DAEMON@mail.example.ro\nTo: support@help.example.com\n"
      "Subject: Mesaj nelivrat\n\n"
      "Mesajul dumneavoastra nu a putut fi livrat catre:\n\n"
      "  ioana@example.ro (cutie postala plina, 452 4.2.2)\n\n"
      "Se va reincerca livrarea. Mesajul original:\n"
      "Message-ID: <ro.1@help.example.com>\n",
      {"heuristic",
       false,
       {"ro.1@help.example.com"},
       {{"ioana@example.ro", "delayed", "4.2.2", "cutie postala plina"}}},
      "romanian delay");
}

// ------------------------------------------------------------- not bounces

TEST(BounceParser, HumanMentioningUndeliverableIsNot) {
  ExpectNotBounce(ReadFile(kFixtures + "not_bounce_human.eml"), "human");
}

TEST(BounceParser, ReadReceiptAndSuccessReportAreNot) {
  ExpectNotBounce(ReadFile(kFixtures + "not_bounce_read_receipt.eml"), "mdn");
  ExpectNotBounce(ReadFile(kFixtures + "dsn_success.eml"), "success dsn");
}

TEST(BounceParser, DaemonSenderAloneIsNot) {
  ExpectNotBounce(
      "From: postmaster@example.com\nTo: support@help.example.com\nSubject: Quota\n\n"
      "Your mailbox is using 91% of its quota.\n",
      "quota notice");
  ExpectNotBounce(
      "From: Ann <ann@example.com>\nSubject: Delivery Status Notification (Failure)\n\n"
      "Delivery to the following recipient failed permanently:\n\n    x@example.com\n",
      "forged text from a person");
  ExpectNotBounce("", "empty");
  ExpectNotBounce("garbage without headers", "garbage");
}

TEST(BounceParser, MultipartReportFromAnyoneIsADsn) {
  std::string raw =
      "From: Mail System <mail@relay.example.net>\n"
      "To: support@help.example.com\n"
      "Subject: Returned mail\n"
      "In-Reply-To: <fallback.1@help.example.com>\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\nFailed.\n"
      "--b\nContent-Type: message/global-delivery-status\n\n"
      "Reporting-MTA: dns; relay.example.net\n\n"
      "Final-Recipient: utf-8; иван@пример.бг\nAction: failed\nStatus: 5.1.1 (unknown)\n"
      "Diagnostic-Code: smtp; 550 5.1.1 no such user\n"
      "--b--\n";
  ExpectReport(raw,
               {"dsn",
                true,
                {"fallback.1@help.example.com"},
                {{"иван@пример.бг", "failed", "5.1.1", "550 5.1.1 no such user"}}},
               "global dsn");
}

TEST(BounceParser, HostileInputIsBounded) {
  std::string raw =
      "From: MAILER-DAEMON@mx.example.net\nSubject: failure notice\n\n"
      "Hi. This is the qmail-send program at mx.example.net.\n\n";
  for (int i = 0; i < 20000; ++i) raw += "<u" + std::to_string(i) + "@example.com>: no\n";
  BounceReport report = ParseBounce(raw);
  EXPECT_TRUE(report.is_bounce);
  EXPECT_EQ(report.recipients.size(), 200u);

  std::string nested =
      "From: MAILER-DAEMON@mx.example.net\nContent-Type: multipart/mixed; boundary=b0\n\n";
  for (int i = 0; i < 200; ++i) {
    nested += "--b" + std::to_string(i) + "\nContent-Type: multipart/mixed; boundary=b" +
              std::to_string(i + 1) + "\n\n";
  }
  EXPECT_FALSE(ParseBounce(nested).is_bounce);
}

}  // namespace
}  // namespace replydesk::mail
