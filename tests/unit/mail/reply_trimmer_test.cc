// Quote and signature trimming (mail/reply_trimmer.h): one test per client
// style, the Cyrillic and Romanian forms, signatures and the edge cases.
#include "mail/reply_trimmer.h"

#include <gtest/gtest.h>

#include <string>

namespace replydesk::mail {
namespace {

// Expects `text` to split into `visible`, `signature` and a quote that
// starts with `quoted_start` ("" = no quote).
void ExpectTrim(const std::string& text, const std::string& visible, const std::string& signature,
                const std::string& quoted_start) {
  TrimmedReply r = TrimReply(text);
  EXPECT_EQ(r.visible_text, visible) << text;
  EXPECT_EQ(r.signature, signature) << text;
  if (quoted_start.empty()) {
    EXPECT_EQ(r.quoted, "") << text;
  } else {
    EXPECT_TRUE(r.quoted.starts_with(quoted_start)) << "quoted: " << r.quoted;
  }
}

TEST(ReplyTrimmer, GmailAttribution) {
  ExpectTrim(
      "Thanks, that fixed it.\n\nOn Mon, May 12, 2025 at 10:15 AM Support <s@x.example> "
      "wrote:\n\n> Please restart the app.\n",
      "Thanks, that fixed it.", "", "On Mon, May 12");
}

TEST(ReplyTrimmer, GmailAttributionWrappedOverTwoLines) {
  ExpectTrim(
      "Works now.\n\nOn Mon, Aug 26, 2019 at 4:37 PM The Hiring Engine <\n"
      "a-really-long-address@example.com> wrote:\n\n> Test\n",
      "Works now.", "", "On Mon, Aug 26");
  ExpectTrim(
      "Merci.\n\nLe lun. 15 nov. 2021 à 19:42, John <john@acme.example>\na écrit :\n\n"
      "Etiam non sagittis orci.\n",
      "Merci.", "", "Le lun. 15 nov.");
}

TEST(ReplyTrimmer, AttributionWrappedOverThreeLines) {
  ExpectTrim(
      "I get proper rendering as well.\n\nOn Dec 16, 2011, at 12:47 PM, Corey Donohoe\n"
      "<reply@reply.github.com>\nwrote:\n\n> Was this caching related?\n",
      "I get proper rendering as well.", "", "On Dec 16, 2011");
}

TEST(ReplyTrimmer, OutlookOriginalMessage) {
  ExpectTrim(
      "Paid, please close.\n\n-----Original Message-----\nFrom: Support "
      "<s@x.example>\nSent: Monday, May 12, 2025 10:15 AM\nTo: Olga <o@y.example>\n"
      "Subject: RE: Invoice 1177\n\nOlga, here is invoice 1177.\n",
      "Paid, please close.", "", "-----Original Message-----");
}

TEST(ReplyTrimmer, OutlookHeaderBlockUnderUnderscoreLine) {
  ExpectTrim(
      "Got it, thanks.\n\n________________________________\nFrom: Support "
      "<s@x.example>\nSent: Monday, May 12, 2025 10:15 AM\nTo: Andrei\nSubject: RE: "
      "Invoice\n\nHere is the invoice.\n",
      "Got it, thanks.", "", "________________________________\nFrom: Support");
}

TEST(ReplyTrimmer, OutlookBoldFieldNames) {
  ExpectTrim(
      "Outlook with a reply\n\n ------------------------------\n\n*From:* Team "
      "[mailto:noreply@example.com]\n*Sent:* Thursday, February 09, 2012 1:36 PM\n"
      "*To:* jow@example.com\n*Subject:* Updated!\n\nDear user,\n",
      "Outlook with a reply", "", " ------------------------------");
}

TEST(ReplyTrimmer, OutlookRussianWithoutSeparator) {
  ExpectTrim(
      "Спасибо, всё работает.\n\nОт: Служба поддержки [mailto:support@shop.example]\n"
      "Отправлено: вторник, 13 мая 2025 г. 9:02\nКому: Пётр <petr@mail.example>\n"
      "Тема: Re: Не входит в личный кабинет\n\nПётр, попробуйте сбросить пароль.\n",
      "Спасибо, всё работает.", "", "От: Служба поддержки");
}

TEST(ReplyTrimmer, OutlookBulgarian) {
  ExpectTrim(
      "Благодаря, проблемът е решен.\n\nОт: Обслужване на клиенти "
      "<support@shop.example>\nИзпратено: понеделник, 12 май 2025 г. 10:15\nДо: Георги "
      "<georgi@mail.example>\nОтносно: RE: Фърмуер\n\nГеорги, изтеглете новия фърмуер.\n",
      "Благодаря, проблемът е решен.", "", "От: Обслужване");
}

TEST(ReplyTrimmer, OutlookRomanian) {
  ExpectTrim(
      "Am primit factura, mulțumesc.\n\n________________________________\nDe la: "
      "Serviciul clienți <support@shop.example>\nTrimis: luni, 12 mai 2025 10:15\nCătre: "
      "Andrei\nSubiect: RE: Factura lipsă\n\nVă retrimitem factura.\n",
      "Am primit factura, mulțumesc.", "", "________________________________");
  ExpectTrim(
      "Mulţumesc.\n\nDe: Serviciul clienţi <support@shop.example>\nTrimis: luni, 12 "
      "mai 2025 10:15\nCĂTRE: Andrei\nSUBIECT: RE: Factura\n\nFactura.\n",
      "Mulţumesc.", "", "De: Serviciul");
}

TEST(ReplyTrimmer, OutlookFrenchWithSpaceBeforeColon) {
  ExpectTrim(
      "Bonjour,\nC'est réglé.\n\nDe : Company <mailto:q@company.example>\nEnvoyé le "
      ":jeudi 15 décembre 2016 09:35\nÀ : someone@example.fr\nObjet :Question\n\nTexte.\n",
      "Bonjour,\nC'est réglé.", "", "De : Company");
}

TEST(ReplyTrimmer, AppleMailQuotedAttribution) {
  ExpectTrim(
      "Fine by me.\n\n> On 12 May 2025, at 10:15, Support <s@x.example> wrote:\n>\n> "
      "Shall we ship tomorrow?\n",
      "Fine by me.", "", "> On 12 May 2025");
}

TEST(ReplyTrimmer, ThunderbirdRussianWithSignatureAbove) {
  ExpectTrim(
      "Повторно отправляю скриншот ошибки.\n\n--\nАлексей\n\n12.05.2025 10:15, Служба "
      "поддержки пишет:\n> Не видим вложения.\n",
      "Повторно отправляю скриншот ошибки.", "--\nАлексей", "12.05.2025 10:15");
}

TEST(ReplyTrimmer, RussianBulgarianRomanianAttributions) {
  ExpectTrim("Да.\n\n12 мая 2025 г., в 10:15, Ирина <irina@example.ru> написал(а):\n> Верно?\n",
             "Да.", "", "12 мая 2025");
  ExpectTrim("Да.\n\nНа пн, 12.05.2025 г. в 10:15 Мария <m@example.bg> написа:\n\n> Вярно ли?\n",
             "Да.", "", "На пн");
  ExpectTrim("Da.\n\nÎn lun., 12 mai 2025 la 10:15, Ioana <i@example.ro> a scris:\n\n> Corect?\n",
             "Da.", "", "În lun.");
}

TEST(ReplyTrimmer, VerblessAttributionOfGmailAndYandexInRussian) {
  ExpectTrim(
      "Добрый день!\n\nпн, 12 мая 2025 г. в 10:15, Служба поддержки "
      "<support@shop.example>:\n\n> Здравствуйте!\n",
      "Добрый день!", "", "пн, 12 мая");
  ExpectTrim(
      "Да, адрес верный.\n\n12.05.2025, 10:15, \"Служба поддержки\" "
      "<support@shop.example>:\n> Подтвердите адрес.\n",
      "Да, адрес верный.", "", "12.05.2025, 10:15");
}

TEST(ReplyTrimmer, OriginalMessageSeparatorsInRussianBulgarianRomanian) {
  ExpectTrim("Оплачено.\n\n-------- Исходное сообщение --------\nТема: Счёт\n", "Оплачено.", "",
             "-------- Исходное сообщение");
  ExpectTrim("Платено.\n\n-------- Оригинално съобщение --------\nОтносно: Фактура\n", "Платено.",
             "", "-------- Оригинално съобщение");
  ExpectTrim("Plătit.\n\n-----Mesaj original-----\nDe la: Serviciul clienți\n", "Plătit.", "",
             "-----Mesaj original-----");
}

TEST(ReplyTrimmer, OtherLanguages) {
  ExpectTrim("Oui.\n\nLe 29 avr. 2025 à 11:11, Chris <c@x.example> a écrit :\n\n> Alors ?\n",
             "Oui.", "", "Le 29 avr.");
  ExpectTrim("Ja.\n\nAm 13.12.2017 21:11 schrieb John Doe <j@x.example>:\n\nHallo!\n", "Ja.", "",
             "Am 13.12.2017");
  ExpectTrim("Sí.\n\nEl 12 may 2025, a las 10:15, Ana <ana@x.example> escribió:\n\n> ¿Vale?\n",
             "Sí.", "", "El 12 may");
  ExpectTrim("Ja.\n\nOp 12 december 2016 19:05 schreef Jan <\njan@x.example>:\n\n> Klopt?\n", "Ja.",
             "", "Op 12 december");
  ExpectTrim("Ok.\n\n---- On Wed, 24 Feb 2021 14:02:50 +0530 john@x.example wrote ----\n\nJava\n",
             "Ok.", "", "---- On Wed");
  ExpectTrim("好的。\n\n在2017年8月2日，Sylvie 写道：\n\n你好\n", "好的。", "", "在2017年");
  ExpectTrim("Ok.\n\ntir. 18. apr. 2017 kl. 13:09 skrev Test <test@example.com\n>:\n\n> Takk.\n",
             "Ok.", "", "tir. 18. apr.");
}

TEST(ReplyTrimmer, QuoteWithoutAttribution) {
  ExpectTrim("My answer.\n\n> the question\n> more\n", "My answer.", "", "> the question");
}

TEST(ReplyTrimmer, SignatureDelimiters) {
  ExpectTrim("Hello\n\n-- \nrick\n", "Hello", "-- \nrick", "");
  ExpectTrim("Hello\n\n--\nrick\n+1 555 0100\n", "Hello", "--\nrick\n+1 555 0100", "");
  ExpectTrim("And here is a fix -- this is not a signature.\n\nkthxbai\n",
             "And here is a fix -- this is not a signature.\n\nkthxbai", "", "");
}

TEST(ReplyTrimmer, MobileFooters) {
  ExpectTrim("Here is another email\n\nSent from my iPhone\n", "Here is another email",
             "Sent from my iPhone", "");
  ExpectTrim(
      "Хорошо, жду курьера завтра.\n\nОтправлено с iPhone\n\n> 12 мая 2025 г., в 10:15, "
      "Служба <s@x.ru> написал(а):\n>\n> Курьер приедет завтра.\n",
      "Хорошо, жду курьера завтра.", "Отправлено с iPhone", "> 12 мая");
  ExpectTrim("Кога ще ми върнете парите?\n\nИзпратено от моя iPhone\n",
             "Кога ще ми върнете парите?", "Изпратено от моя iPhone", "");
  ExpectTrim("Vă rog să anulaţi comanda.\n\nTrimis de pe iPhone-ul meu\n",
             "Vă rog să anulaţi comanda.", "Trimis de pe iPhone-ul meu", "");
}

TEST(ReplyTrimmer, SentenceStartingLikeAFooterStays) {
  ExpectTrim("Here is another email\n\nSent from my desk, is much easier then my mobile phone.\n",
             "Here is another email\n\nSent from my desk, is much easier then my mobile phone.", "",
             "");
}

TEST(ReplyTrimmer, LineStartingLikeAFooterWithAColonStays) {
  ExpectTrim("Status:\nSent from the warehouse: 3 boxes\nPlease confirm.\n",
             "Status:\nSent from the warehouse: 3 boxes\nPlease confirm.", "", "");
}

TEST(ReplyTrimmer, MobileFooterThenUnquotedOriginal) {
  ExpectTrim(
      "Yes.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n___________\nFrom: A "
      "<a@x.example>\nSent: today\n\nQuestion?\n",
      "Yes.", "Get Outlook for iOS<https://aka.ms/o0ukef>", "___________");
}

TEST(ReplyTrimmer, FooterUnderTheQuoteBelongsToHistory) {
  // Mail.ru's mobile app appends its footer below the quoted message.
  ExpectTrim(
      "Пришёл не тот размер.\n\n\nПонедельник, 12 мая 2025, 10:15 +03:00 от Служба "
      "<support@shop.example>:\n>Чем можем помочь?\n\n--\nОтправлено из мобильной Почты "
      "Mail.ru\n",
      "Пришёл не тот размер.", "", "Понедельник");
}

TEST(ReplyTrimmer, SignOffWithoutDelimiterStaysVisible) {
  ExpectTrim(
      "Коллеги, счёт оплачен.\n\nС уважением,\nОльга\n\n-----Исходное сообщение-----\n"
      "От: Служба <s@x.ru>\nОтправлено: 12 мая 2025 г. 10:15\n",
      "Коллеги, счёт оплачен.\n\nС уважением,\nОльга", "", "-----Исходное");
}

TEST(ReplyTrimmer, UnderscoreSeparatorAloneIsASignature) {
  ExpectTrim(
      "Question?\n\n-Abhishek\n\n\n_______________________________________________\n"
      "riak-users mailing list\nriak-users@lists.example.com\n",
      "Question?\n\n-Abhishek",
      "_______________________________________________\nriak-users mailing list\n"
      "riak-users@lists.example.com",
      "");
}

TEST(ReplyTrimmer, NoQuoteKeepsEverything) {
  ExpectTrim("Just a question:\nwhere is my order?\n", "Just a question:\nwhere is my order?", "",
             "");
}

TEST(ReplyTrimmer, OnlyQuoteKeepsTheOriginal) {
  std::string text = "On Mon, May 12, 2025 at 10:15 Support <s@x.example> wrote:\n> Hello\n";
  ExpectTrim(text, "On Mon, May 12, 2025 at 10:15 Support <s@x.example> wrote:\n> Hello", "", "");
  ExpectTrim("-- \nrick\n", "-- \nrick", "", "");
}

// Decision (reply_trimmer.h): an inline reply keeps everything up to the
// sender's last own line, quoted questions included, so the answers keep
// their context; only what follows goes to `quoted`.
TEST(ReplyTrimmer, InlineRepliesKeepEverythingUpToTheLastOwnText) {
  std::string text =
      "On Dec 15, 2024, at 2:00 PM, Jane <jane@x.example> wrote:\n> Option A?\n\nA is great.\n\n"
      "> Option B?\n\nB has drawbacks.\n\n> Option C?\n> -- \n> Jane\n";
  ExpectTrim(text,
             "On Dec 15, 2024, at 2:00 PM, Jane <jane@x.example> wrote:\n> Option A?\n\nA is "
             "great.\n\n> Option B?\n\nB has drawbacks.",
             "", "> Option C?");
  ExpectTrim("> q1\n\nanswer 1\n\n> q2\n\nanswer 2\n\n--\nJane\n",
             "> q1\n\nanswer 1\n\n> q2\n\nanswer 2", "--\nJane", "");
}

TEST(ReplyTrimmer, HardWrappedQuoteTailIsQuote) {
  ExpectTrim(
      "New text.\n\nOn Mon, May 12, 2025, X <x@y.example> wrote:\n> Lorem ipsum dolor sit "
      "amet, consectetur adipiscing elit. Nullam pharetra d\nignissim odio?\n>\n> more\n",
      "New text.", "", "On Mon");
}

TEST(ReplyTrimmer, ProseIsNotAnAttribution) {
  ExpectTrim("Here is what the manual wrote:\nrestart twice.\n",
             "Here is what the manual wrote:\nrestart twice.", "", "");
  ExpectTrim(
      "Здравствуйте!\n\nВ письме от 12 мая вы написали: «ответим за 2 часа». Прошло два "
      "дня.\n\n--\nСергей\n",
      "Здравствуйте!\n\nВ письме от 12 мая вы написали: «ответим за 2 часа». Прошло два "
      "дня.",
      "--\nСергей", "");
  ExpectTrim("Вот что он мне 12 мая написал:\nзаказ отправлен.\n",
             "Вот что он мне 12 мая написал:\nзаказ отправлен.", "", "");
  ExpectTrim("On your remote host you can run:\n\n  telnet 127.0.0.1 52698\n",
             "On your remote host you can run:\n\n  telnet 127.0.0.1 52698", "", "");
}

TEST(ReplyTrimmer, ForwardedMessageStaysVisible) {
  std::string text =
      "See below.\n\n---------- Forwarded message ---------\nFrom: John <john@x.example>\nDate: "
      "Mon, Dec 15, 2024 at 3:00 PM\nSubject: Update\nTo: Team <team@x.example>\n\nContent.\n";
  ExpectTrim(text, text.substr(0, text.size() - 1), "", "");
}

TEST(ReplyTrimmer, CrlfAndBlankEdges) {
  ExpectTrim("\r\n\r\nHello\r\n\r\nOn Mon, May 12, 2025, X <x@y.example> wrote:\r\n> hi\r\n",
             "Hello", "", "On Mon");
  ExpectTrim("", "", "", "");
  ExpectTrim(" \n\t\n", "", "", "");
}

TEST(ReplyTrimmer, HugeQuoteLineAndInvalidUtf8) {
  std::string text = "Hi\n" + std::string(1 << 20, '>') + "\n";
  ExpectTrim(text, "Hi", "", ">>>>");
  TrimmedReply r = TrimReply("caf\xC3\n\xFF\xFE wrote:\n> x\n");
  EXPECT_FALSE(r.visible_text.empty());
}

}  // namespace
}  // namespace replydesk::mail
