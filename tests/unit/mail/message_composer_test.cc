// Outgoing composition: compose -> parse with our own MimeParser -> every
// field equal; the wire form is CRLF-only with no line over 998 octets.
#include "mail/message_composer.h"

#include <gtest/gtest.h>

#include <set>

#include "mail/charset.h"
#include "mail/mime_parser.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

OutgoingMessage Sample() {
  OutgoingMessage m;
  m.from = {"Служба поддержки Replydesk", "support@example.com"};
  m.to = {{"Ștefan Țăranu", "stefan@example.ro"}, {"Иван Петров, \"Ваня\"", "ivan@example.bg"}};
  m.cc = {{"Мария Георгиева", "maria@example.bg"}, {"", "cc@example.com"}};
  m.reply_to = Mailbox{"Отдел продаж", "reply+T-104233@example.com"};
  m.subject = "Re: [#T-104233] Пратката не е пристигнала — ș ț ă î â";
  m.message_id = MakeMessageId("example.com");
  m.in_reply_to = "orig.1@mail.example.bg";
  m.references = {"first@example.bg", "orig.1@mail.example.bg"};
  m.date = 1795000000;
  m.text = "Здравейте, Иван!\n\nБлагодарим ви за търпението.\nMulțumim, Ștefan.\n";
  return m;
}

ParsedMessage Roundtrip(const OutgoingMessage& m, std::string* raw_out = nullptr) {
  auto raw = ComposeMessage(m);
  EXPECT_TRUE(raw.ok()) << raw.error().ToString();
  if (!raw.ok()) return {};
  if (raw_out != nullptr) *raw_out = *raw;
  return MimeParser().Parse(*raw);
}

void ExpectMailboxes(const std::vector<Mailbox>& got, const std::vector<Mailbox>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].name, want[i].name) << i;
    EXPECT_EQ(got[i].address, want[i].address) << i;
  }
}

std::string WithoutTrailingNewlines(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// Every line ends in CRLF, none is over `max` octets (excluding CRLF).
void ExpectWireForm(const std::string& raw, size_t max = 998) {
  ASSERT_FALSE(raw.empty());
  ASSERT_TRUE(raw.ends_with("\r\n"));
  size_t start = 0;
  int line_number = 1;
  while (start < raw.size()) {
    size_t lf = raw.find('\n', start);
    ASSERT_NE(lf, std::string::npos);
    ASSERT_GT(lf, start) << "bare LF at line " << line_number;
    ASSERT_EQ(raw[lf - 1], '\r') << "bare LF at line " << line_number;
    std::string_view line(raw.data() + start, lf - 1 - start);
    EXPECT_EQ(line.find('\r'), std::string_view::npos) << "bare CR at line " << line_number;
    EXPECT_LE(line.size(), max) << "line " << line_number << ": " << line.substr(0, 80);
    start = lf + 1;
    ++line_number;
  }
}

std::string HeaderBlock(const std::string& raw) { return raw.substr(0, raw.find("\r\n\r\n")); }

TEST(MessageComposer, EveryFieldSurvivesOurParser) {
  OutgoingMessage m = Sample();
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  ExpectMailboxes(p.from, {m.from});
  ExpectMailboxes(p.to, m.to);
  ExpectMailboxes(p.cc, m.cc);
  ExpectMailboxes(p.reply_to, {*m.reply_to});
  EXPECT_EQ(p.subject, m.subject);
  EXPECT_EQ(p.date, m.date);
  EXPECT_EQ(p.message_id, m.message_id);
  EXPECT_EQ(p.in_reply_to, std::vector<std::string>{m.in_reply_to});
  EXPECT_EQ(p.references, m.references);
  EXPECT_EQ(p.text, WithoutTrailingNewlines(m.text));
  EXPECT_EQ(p.html, "");
  EXPECT_TRUE(p.attachments.empty());
  EXPECT_FALSE(p.auto_submitted);
  EXPECT_TRUE(p.flags.empty()) << util::Join(p.flags, ",");
  ExpectWireForm(raw, 78);

  std::string headers = HeaderBlock(raw);
  EXPECT_NE(headers.find("\r\nMIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(headers.find("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"), std::string::npos);
  EXPECT_NE(headers.find("Message-Id: <" + m.message_id + ">"), std::string::npos);
  EXPECT_NE(headers.find("In-Reply-To: <orig.1@mail.example.bg>"), std::string::npos);
  EXPECT_NE(headers.find("References: <first@example.bg> <orig.1@mail.example.bg>"),
            std::string::npos);
  EXPECT_NE(headers.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_EQ(headers.find("multipart"), std::string::npos);
  EXPECT_EQ(headers.find("Auto-Submitted"), std::string::npos);
  // RFC 2047 in UTF-8, never a legacy charset GMime might find "best".
  for (const char* legacy : {"koi8", "KOI8", "1251", "8859", "1250"}) {
    EXPECT_EQ(raw.find(legacy), std::string::npos) << legacy;
  }
  EXPECT_FALSE(HasEightBit(raw));
}

TEST(MessageComposer, AsciiStaysReadable) {
  OutgoingMessage m;
  m.from = {"Help Desk", "help@example.com"};
  m.to = {{"", "ann@example.com"}};
  m.subject = "Your request";
  m.message_id = "abc.1@example.com";
  m.date = 1795000000;
  m.text = "Hello Ann,\r\nthanks.\r\n";
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  EXPECT_NE(raw.find("From: Help Desk <help@example.com>\r\n"), std::string::npos);
  EXPECT_NE(raw.find("Subject: Your request\r\n"), std::string::npos);
  EXPECT_NE(raw.find("\r\n\r\nHello Ann,\r\nthanks.\r\n"), std::string::npos);
  EXPECT_EQ(p.text, "Hello Ann,\nthanks.");
  ExpectWireForm(raw, 78);
}

TEST(MessageComposer, LongSubjectsAreFolded) {
  OutgoingMessage m = Sample();
  m.subject =
      "Re: [#T-104233] Заявка о доставке: посылка так и не пришла, пожалуйста, проверьте "
      "статус заказа номер 12345 и сообщите, когда её ждать — Mulțumim, Ștefan Țăranu";
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  EXPECT_EQ(p.subject, m.subject);
  ExpectWireForm(raw, 78);
  std::string headers = HeaderBlock(raw);
  size_t subject = headers.find("Subject: ");
  ASSERT_NE(subject, std::string::npos);
  EXPECT_EQ(headers[headers.find("\r\n", subject) + 2], ' ') << "Subject not folded";

  m.subject = "Re: " + std::string(60, 'a') + " and some more plain ASCII words to fold, too " +
              "because the line is long";
  p = Roundtrip(m, &raw);
  EXPECT_EQ(p.subject, m.subject);
  ExpectWireForm(raw, 78);
}

TEST(MessageComposer, UnbreakableTextStaysUnder998) {
  OutgoingMessage m = Sample();
  m.subject = std::string(1500, 'S');
  m.text = std::string(3000, 'x') + "\n" + std::string(2000, 'y');
  m.extra_headers = {{"X-Long", std::string(1200, 'h')}};
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  ExpectWireForm(raw);
  EXPECT_EQ(p.subject, m.subject);
  EXPECT_EQ(p.text, m.text);
  // Plain ASCII over 78 characters a line goes quoted-printable.
  EXPECT_NE(raw.find("Content-Transfer-Encoding: quoted-printable"), std::string::npos);
}

TEST(MessageComposer, HtmlAlternative) {
  OutgoingMessage m = Sample();
  m.html = "<html><body><p>Здравейте, <b>Иван</b>!</p>\n<p>Mulțumim, Ștefan.</p></body></html>";
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  EXPECT_NE(HeaderBlock(raw).find("Content-Type: multipart/alternative"), std::string::npos);
  EXPECT_EQ(p.text, WithoutTrailingNewlines(m.text));
  EXPECT_EQ(p.html, m.html);
  EXPECT_TRUE(p.attachments.empty());
  size_t plain = raw.find("Content-Type: text/plain; charset=utf-8");
  size_t html = raw.find("Content-Type: text/html; charset=utf-8");
  ASSERT_NE(plain, std::string::npos);
  ASSERT_NE(html, std::string::npos);
  EXPECT_LT(plain, html) << "RFC 2046 §5.1.4: the preferred (richest) form comes last";
  ExpectWireForm(raw, 78);
}

TEST(MessageComposer, AttachmentsAreByteIdentical) {
  OutgoingMessage m = Sample();
  m.html = "<p>См. прикачения файл</p>";
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  std::string big;
  unsigned state = 12345;
  for (int i = 0; i < 200000; ++i) {
    state = state * 1103515245u + 12345u;
    big += static_cast<char>(state >> 24);
  }
  m.attachments = {
      {"Фактура №17 — ноември.pdf", "application/pdf", all_bytes},
      {"Счёт-фактура (копия).bin", "", big},
      {"contract_semnat_ștampilă_țară.txt", "text/plain", "line one\nline two\r\nno end"},
      {"", "image/png", std::string("\x89PNG\r\n\x1a\n", 8)},
  };
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  EXPECT_NE(HeaderBlock(raw).find("Content-Type: multipart/mixed"), std::string::npos);
  EXPECT_EQ(p.text, WithoutTrailingNewlines(m.text));
  EXPECT_EQ(p.html, m.html);
  ASSERT_EQ(p.attachments.size(), m.attachments.size());
  for (size_t i = 0; i < m.attachments.size(); ++i) {
    EXPECT_EQ(p.attachments[i].filename, m.attachments[i].filename) << i;
    EXPECT_TRUE(p.attachments[i].data == m.attachments[i].data) << i;
    EXPECT_FALSE(p.attachments[i].inline_part) << i;
  }
  EXPECT_EQ(p.attachments[0].content_type, "application/pdf");
  EXPECT_EQ(p.attachments[1].content_type, "application/octet-stream");
  EXPECT_EQ(p.attachments[2].content_type, "text/plain");
  EXPECT_EQ(p.attachments[3].content_type, "image/png");
  // RFC 2231 in UTF-8 for the file name, continued when long.
  EXPECT_NE(raw.find("filename*0*=UTF-8''%D0%A4%D0%B0%D0%BA"), std::string::npos);
  EXPECT_NE(raw.find("filename*=UTF-8''contract_semnat_%C8%99tamp"), std::string::npos);
  ExpectWireForm(raw, 78);
}

TEST(MessageComposer, AutoSubmittedAndExtraHeaders) {
  OutgoingMessage m = Sample();
  m.auto_submitted = "auto-replied";
  m.extra_headers = {
      {"X-Replydesk-Ticket", "104233"}, {"Precedence", "bulk"}, {"X-Note", "Бележка"}};
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  EXPECT_TRUE(p.auto_submitted);
  std::string headers = HeaderBlock(raw);
  EXPECT_NE(headers.find("\r\nAuto-Submitted: auto-replied\r\n"), std::string::npos);
  EXPECT_NE(headers.find("\r\nX-Replydesk-Ticket: 104233\r\n"), std::string::npos);
  EXPECT_NE(headers.find("\r\nPrecedence: bulk\r\n"), std::string::npos);
  EXPECT_NE(headers.find("\r\nX-Note: =?UTF-8?"), std::string::npos);
}

TEST(MessageComposer, HeaderInjectionIsImpossible) {
  OutgoingMessage m = Sample();
  m.subject = "Hello\r\nBcc: victim@example.com";
  m.from.name = "Eve\nX-Evil: 1";
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  EXPECT_EQ(raw.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(raw.find("\r\nX-Evil:"), std::string::npos);
  EXPECT_EQ(p.subject, "Hello  Bcc: victim@example.com");
  ExpectWireForm(raw);

  OutgoingMessage bad = Sample();
  bad.extra_headers = {{"X-Ok", "a\r\nBcc: victim@example.com"}};
  EXPECT_FALSE(ComposeMessage(bad).ok());
  bad.extra_headers = {{"Content-Type", "text/html"}};
  EXPECT_FALSE(ComposeMessage(bad).ok());
  bad.extra_headers = {{"Bad Name", "x"}};
  EXPECT_FALSE(ComposeMessage(bad).ok());
}

TEST(MessageComposer, InvalidUtf8IsReplaced) {
  OutgoingMessage m = Sample();
  m.subject =
      "Fa\xe7"
      "ade";
  m.from.name = "Jos\xe9";
  m.text = "Bad \xff\xfe bytes\n";
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  EXPECT_EQ(p.subject, "Fa\uFFFDade");
  EXPECT_EQ(p.from[0].name, "Jos\uFFFD");
  EXPECT_EQ(p.text, "Bad \uFFFD\uFFFD bytes");
  EXPECT_TRUE(p.flags.empty()) << util::Join(p.flags, ",");
}

TEST(MessageComposer, RejectsMissingEssentials) {
  auto expect_bad = [](OutgoingMessage m) {
    auto r = ComposeMessage(m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, util::ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().detail, "mail.bad_outgoing");
  };
  OutgoingMessage m = Sample();
  m.from.address = "";
  expect_bad(m);
  m = Sample();
  m.to.clear();
  expect_bad(m);
  m = Sample();
  m.message_id = "";
  expect_bad(m);
  m = Sample();
  m.message_id = "<already@bracketed>";
  expect_bad(m);
  m = Sample();
  m.to.push_back({"x", "not an address"});
  expect_bad(m);
  m = Sample();
  m.references.push_back("two words@x");
  expect_bad(m);
}

TEST(MessageComposer, ManyReferencesFoldBetweenIds) {
  OutgoingMessage m = Sample();
  m.references.clear();
  for (int i = 0; i < 40; ++i) {
    m.references.push_back("CAH+" + std::to_string(i) + "xq9Lk_vQ2mZ@mail.gmail.com");
  }
  std::string raw;
  ParsedMessage p = Roundtrip(m, &raw);
  EXPECT_EQ(p.references, m.references);
  ExpectWireForm(raw);
}

// "<26 base32 characters>.<10 digits>@domain".
bool WellFormedId(const std::string& id, const std::string& domain) {
  if (id.size() != 26 + 1 + 10 + 1 + domain.size() || id[26] != '.' || id[37] != '@') return false;
  for (size_t i = 0; i < 26; ++i) {
    if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '2' && id[i] <= '7'))) return false;
  }
  for (size_t i = 27; i < 37; ++i) {
    if (id[i] < '0' || id[i] > '9') return false;
  }
  return id.ends_with("@" + domain);
}

TEST(MessageComposer, MessageIdsAreRandomAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = MakeMessageId("help.example.com");
    EXPECT_TRUE(WellFormedId(id, "help.example.com")) << id;
    seen.insert(id.substr(0, 26));
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace replydesk::mail
