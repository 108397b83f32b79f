// MimeParser on whole messages: body choice, attachments, forwarded mail,
// TNEF, routing headers, limits and repairs.
#include "mail/mime_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "test_util.h"

namespace replydesk::mail {
namespace {

bool HasFlag(const ParsedMessage& m, const std::string& flag) {
  return std::find(m.flags.begin(), m.flags.end(), flag) != m.flags.end();
}

ParsedMessage Parse(const std::string& raw, ParseLimits limits = {}) {
  return MimeParser(limits).Parse(raw);
}

const char kHead[] = "From: a@example.com\nTo: b@example.com\nSubject: s\nMIME-Version: 1.0\n";

TEST(MimeParser, PlainMessageHeaders) {
  ParsedMessage m = Parse(
      "From: \"Anna\" <anna@example.de>\nTo: x@example.com, Team: y@example.com;\n"
      "Cc: z@example.com\nReply-To: r@example.de\nSubject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=\n"
      "Date: Tue, 24 Nov 2026 08:55:25 +0000\nMessage-ID: <m1@example.de>\n"
      "In-Reply-To: <p1@example.com>\nReferences: <p0@example.com> <p1@example.com>\n"
      "Delivered-To: support@replydesk.example\nX-Original-To: help@replydesk.example\n"
      "Delivered-To: inbox@replydesk.example\n\nHello\n");
  ASSERT_EQ(m.from.size(), 1u);
  EXPECT_EQ(m.from[0].name, "Anna");
  ASSERT_EQ(m.to.size(), 2u);
  EXPECT_EQ(m.to[1].address, "y@example.com");
  EXPECT_EQ(m.cc[0].address, "z@example.com");
  EXPECT_EQ(m.reply_to[0].address, "r@example.de");
  EXPECT_EQ(m.subject, "Grüße");
  EXPECT_EQ(m.date, 1795510525);
  EXPECT_EQ(m.message_id, "m1@example.de");
  EXPECT_EQ(m.in_reply_to, std::vector<std::string>{"p1@example.com"});
  EXPECT_EQ(m.references, (std::vector<std::string>{"p0@example.com", "p1@example.com"}));
  EXPECT_EQ(m.delivered_to,
            (std::vector<std::string>{"support@replydesk.example", "inbox@replydesk.example"}));
  EXPECT_EQ(m.x_original_to, std::vector<std::string>{"help@replydesk.example"});
  EXPECT_EQ(m.text, "Hello");
  EXPECT_TRUE(m.flags.empty());
}

TEST(MimeParser, KoiAndCp1251UnlabelledHeaders) {
  std::string raw =
      "From: " + testing::Encode("Иван Петров", "KOI8-R") +
      " <ivan@example.ru>\nSubject: " + testing::Encode("Счёт на оплату", "WINDOWS-1251") +
      "\n\nbody\n";
  ParsedMessage m = Parse(raw);
  EXPECT_EQ(m.from[0].name, "Иван Петров");
  EXPECT_EQ(m.subject, "Счёт на оплату");
  EXPECT_TRUE(HasFlag(m, "repair.charset_guessed"));
}

TEST(MimeParser, RomanianIso88592BodyWithCedilla) {
  std::string raw =
      std::string(kHead) +
      "Content-Type: text/plain; charset=iso-8859-2\n"
      "Content-Transfer-Encoding: quoted-printable\n\nMul=FEumesc, =AAtefan =BAi =DEara\n";
  EXPECT_EQ(Parse(raw).text, "Mulţumesc, Ştefan şi Ţara");
}

TEST(MimeParser, FormatFlowedBody) {
  std::string raw = std::string(kHead) +
                    "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\n"
                    "Привет, как де \nла?\n> quoted  \n> line\n";
  EXPECT_EQ(Parse(raw).text, "Привет, как дела?\n> quoted line");
  raw = std::string(kHead) + "Content-Type: text/plain; format=flowed\n\nsoft \nbreak\n";
  EXPECT_EQ(Parse(raw).text, "soft break");
}

TEST(MimeParser, HtmlOnlyMailIsRendered) {
  std::string raw = std::string(kHead) +
                    "Content-Type: text/html; charset=utf-8\n\n"
                    "<html><head><style>x{}</style></head><body><p>Hello&nbsp;there</p>"
                    "<ul><li>one</li></ul></body></html>\n";
  ParsedMessage m = Parse(raw);
  EXPECT_EQ(m.text, "Hello\u00a0there\n\n- one");
  EXPECT_NE(m.html.find("<p>Hello&nbsp;there</p>"), std::string::npos);
}

TEST(MimeParser, AlternativePrefersPlainAndKeepsHtml) {
  std::string raw = std::string(kHead) +
                    "Content-Type: multipart/alternative; boundary=b\n\n--b\n"
                    "Content-Type: text/plain\n\nplain text\n--b\nContent-Type: text/html\n\n"
                    "<p>html text</p>\n--b--\n";
  ParsedMessage m = Parse(raw);
  EXPECT_EQ(m.text, "plain text");
  EXPECT_EQ(m.html, "<p>html text</p>");
  EXPECT_TRUE(m.attachments.empty());
}

TEST(MimeParser, MixedTextPartsAreConcatenated) {
  std::string raw = std::string(kHead) +
                    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                    "Content-Type: text/plain\n\nfirst\n--b\nContent-Type: image/png\n"
                    "Content-Disposition: inline\nContent-Transfer-Encoding: base64\n\naGk=\n"
                    "--b\nContent-Type: text/plain\n\nsecond\n--b--\n";
  ParsedMessage m = Parse(raw);
  EXPECT_EQ(m.text, "first\n\nsecond");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].data, "hi");
  EXPECT_EQ(m.attachments[0].size, 2u);
  EXPECT_TRUE(m.attachments[0].inline_part);
}

TEST(MimeParser, Rfc2231AndEncodedWordFilenames) {
  std::string raw = std::string(kHead) +
                    "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
                    "see files\n--b\nContent-Type: application/pdf\n"
                    "Content-Disposition: attachment; filename*0*=utf-8''%D0%A1%D1%87%D1%91%D1%82;"
                    "\n filename*1=\" 4471.pdf\"\n\nPDF\n--b\nContent-Type: application/msword;"
                    " name=\"=?koi8-r?B?896j1C5kb2M=?=\"\nContent-Disposition: attachment;"
                    " filename=\"=?koi8-r?B?896j1C5kb2M=?=\"\n\nDOC\n"
                    "--b\nContent-Type: text/plain\nContent-Disposition: attachment;"
                    " filename=" +
                    testing::Encode("заказ.txt", "KOI8-R") + "\n\nTXT\n--b--\n";
  ParsedMessage m = Parse(raw);
  EXPECT_EQ(m.text, "see files");
  ASSERT_EQ(m.attachments.size(), 3u);
  EXPECT_EQ(m.attachments[0].filename, "Счёт 4471.pdf");
  EXPECT_EQ(m.attachments[0].content_type, "application/pdf");
  EXPECT_EQ(m.attachments[1].filename, "Счёт.doc");
  EXPECT_EQ(m.attachments[2].filename, "заказ.txt");
}

TEST(MimeParser, RelatedInlineImageWithContentId) {
  std::string raw = std::string(kHead) +
                    "Content-Type: multipart/related; boundary=r\n\n--r\n"
                    "Content-Type: text/html\n\n<p>see <img src=\"cid:i1@x\"></p>\n--r\n"
                    "Content-Type: image/gif\nContent-ID: <i1@x>\nContent-Transfer-Encoding: base64"
                    "\n\nR0lG\n--r--\n";
  ParsedMessage m = Parse(raw);
  EXPECT_EQ(m.text, "see");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].content_id, "i1@x");
  EXPECT_TRUE(m.attachments[0].inline_part);
}

TEST(MimeParser, ForwardedMessageIsAnAttachment) {
  std::string inner =
      "From: c@example.com\nSubject: =?utf-8?Q?Original_=C3=A9?=\n\nforwarded body\n";
  std::string raw = std::string(kHead) +
                    "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
                    "FYI\n--b\nContent-Type: message/rfc822\n\n" +
                    inner + "--b--\n";
  ParsedMessage m = Parse(raw);
  EXPECT_EQ(m.text, "FYI");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].filename, "Original é.eml");
  EXPECT_EQ(m.attachments[0].content_type, "message/rfc822");
  EXPECT_NE(m.attachments[0].data.find("forwarded body"), std::string::npos);
  EXPECT_NE(m.attachments[0].data.find("From: c@example.com"), std::string::npos);
}

TEST(MimeParser, NestedForwardedMessages) {
  std::string raw =
      "From: a@x.y\nSubject: outer\nContent-Type: message/rfc822\n\n"
      "From: b@x.y\nSubject: middle\nContent-Type: message/rfc822\n\n"
      "From: c@x.y\nSubject: inner\n\ninner text\n";
  ParsedMessage m = Parse(raw);
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].filename, "middle.eml");
  EXPECT_NE(m.attachments[0].data.find("inner text"), std::string::npos);
}

TEST(MimeParser, TnefIsKeptAsIs) {
  std::string raw = std::string(kHead) +
                    "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
                    "body\n--b\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n"
                    "Content-Transfer-Encoding: base64\n\neJ8+IgAAAQ==\n--b--\n";
  ParsedMessage m = Parse(raw);
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].filename, "winmail.dat");
  EXPECT_EQ(m.attachments[0].content_type, "application/ms-tnef");
  EXPECT_EQ(m.attachments[0].data, std::string("\x78\x9f\x3e\x22\x00\x00\x01", 7));
}

TEST(MimeParser, DeepNestingHitsTheLimit) {
  std::string raw = "From: a@x.y\nSubject: deep\n";
  const int kDepth = 60;
  for (int i = 0; i < kDepth; ++i) {
    raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
           std::to_string(i) + "\n";
  }
  raw += "Content-Type: text/plain\n\ndeepest\n";
  for (int i = kDepth - 1; i >= 0; --i) raw += "--b" + std::to_string(i) + "--\n";
  ParseLimits limits;
  limits.max_depth = 10;
  ParsedMessage m = Parse(raw, limits);
  EXPECT_TRUE(HasFlag(m, "limit.nesting_depth"));
  EXPECT_EQ(m.subject, "deep");
  limits.max_depth = 100;
  EXPECT_EQ(Parse(raw, limits).text, "deepest");
}

TEST(MimeParser, ManyPartsHitTheLimit) {
  std::string raw = std::string(kHead) + "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 50; ++i) {
    raw += "--b\nContent-Type: application/octet-stream; name=f" + std::to_string(i) + "\n\nx\n";
  }
  raw += "--b--\n";
  ParseLimits limits;
  limits.max_parts = 11;  // the multipart itself and 10 files
  ParsedMessage m = Parse(raw, limits);
  EXPECT_EQ(m.attachments.size(), 10u);
  EXPECT_TRUE(HasFlag(m, "limit.part_count"));
}

TEST(MimeParser, SizeLimits) {
  ParseLimits limits;
  limits.max_text_bytes = 10;
  ParsedMessage m = Parse(std::string(kHead) + "\nПривет, мир и все\n", limits);
  EXPECT_EQ(m.text, "Приве");  // 10 bytes: cut on a character boundary
  EXPECT_TRUE(HasFlag(m, "limit.text_bytes"));

  limits = {};
  limits.max_decoded_bytes = 8;
  m = Parse(std::string(kHead) +
                "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                "Content-Type: application/pdf\n\n0123456789\n--b--\n",
            limits);
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].size, 10u);
  EXPECT_TRUE(m.attachments[0].data.empty());
  EXPECT_TRUE(HasFlag(m, "limit.decoded_bytes"));

  limits = {};
  limits.max_header_bytes = 200;
  std::string raw = "From: a@x.y\nSubject: kept\n";
  for (int i = 0; i < 20; ++i) raw += "X-Junk: " + std::string(40, 'j') + "\n";
  raw += "\nbody survives\n";
  m = Parse(raw, limits);
  EXPECT_EQ(m.subject, "kept");
  EXPECT_EQ(m.text, "body survives");
  EXPECT_TRUE(HasFlag(m, "limit.header_bytes"));
}

TEST(MimeParser, MissingBoundaryIsRepaired) {
  ParsedMessage m = Parse(std::string(kHead) +
                          "Content-Type: multipart/mixed\n\tboundary=\"zz\"\n\n"
                          "--zz\nContent-Type: text/plain\n\nrecovered\n--zz--\n");
  EXPECT_EQ(m.text, "recovered");
  EXPECT_TRUE(HasFlag(m, "repair.missing_boundary"));
  m = Parse(std::string(kHead) + "Content-Type: multipart/mixed; boundary=nope\n\njust text\n");
  EXPECT_EQ(m.text, "just text");
  EXPECT_TRUE(HasFlag(m, "repair.missing_boundary"));
}

TEST(MimeParser, MislabelledBodyCharset) {
  std::string raw = std::string(kHead) + "Content-Type: text/plain\n\n" +
                    testing::Encode("Добрый день! Спасибо за быстрый ответ.", "KOI8-R") + "\n";
  ParsedMessage m = Parse(raw);
  EXPECT_EQ(m.text, "Добрый день! Спасибо за быстрый ответ.");
  EXPECT_TRUE(HasFlag(m, "repair.charset_guessed"));
}

TEST(MimeParser, ParsesConcurrently) {
  const MimeParser parser;
  std::string raw = "From: " + testing::Encode("Иван Петров", "KOI8-R") +
                    " <ivan@example.ru>\nContent-Type: text/html\n\n<p>Привет</p>\n";
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        ParsedMessage m = parser.Parse(raw);
        ok[t] += m.from.size() == 1 && m.from[0].name == "Иван Петров" && m.text == "Привет";
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok, std::vector<int>(4, 50));
}

TEST(MimeParser, GarbageNeverCrashes) {
  MimeParser parser;
  for (const std::string& raw :
       {std::string(), std::string("\0\0\0", 3), std::string("no headers at all"),
        std::string("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n"),
        std::string("Subject: =?utf-8?B?====?=\nDate: 99 Foo 99999 99:99:99\n\n\xff\xfe"),
        std::string(100000, '\n'), std::string("Content-Type: message/rfc822\n\n")}) {
    ParsedMessage m = parser.Parse(raw);
    EXPECT_LE(m.text.size(), raw.size() + 16);
  }
}

}  // namespace
}  // namespace replydesk::mail
