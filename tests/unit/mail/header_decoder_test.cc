// RFC 2047 decoding, including the broken forms real mail has.
#include "mail/header_decoder.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace replydesk::mail {
namespace {

using testing::Encode;

TEST(HeaderDecoder, PlainAndFolded) {
  EXPECT_EQ(DecodeHeaderText("  Hello\r\n world ").text, "Hello world");
  EXPECT_EQ(DecodeHeaderText("a\n\tb").text, "a b");
}

TEST(HeaderDecoder, EncodedWords) {
  EXPECT_EQ(DecodeHeaderText("=?utf-8?B?0J/RgNC40LLQtdGC?=").text, "Привет");
  EXPECT_EQ(DecodeHeaderText("=?ISO-8859-1?Q?Fr=F6sche_und_Hasen?=").text, "Frösche und Hasen");
  EXPECT_EQ(DecodeHeaderText("Re: =?koi8-r?B?8NLJ18XU?= all").text, "Re: Привет all");
}

TEST(HeaderDecoder, SpaceBetweenEncodedWordsIsDropped) {
  EXPECT_EQ(DecodeHeaderText("=?utf-8?Q?a?= =?utf-8?Q?b?=").text, "ab");
  EXPECT_EQ(DecodeHeaderText("=?utf-8?Q?a?=\r\n =?iso-8859-1?Q?b?=").text, "ab");
}

TEST(HeaderDecoder, MissingSpacesAroundEncodedWords) {
  EXPECT_EQ(DecodeHeaderText("Re:=?utf-8?Q?caf=C3=A9?=ok").text, "Re:caféok");
}

TEST(HeaderDecoder, MultibyteSplitAcrossWords) {
  // "Привет" in UTF-8 cut inside the "и" (D0 B8) between two words.
  EXPECT_EQ(DecodeHeaderText("=?UTF-8?Q?=D0=9F=D1=80=D0?= =?UTF-8?Q?=B8=D0=B2=D0=B5=D1=82?=").text,
            "Привет");
  // Base64 cut off a 4-character boundary.
  EXPECT_EQ(DecodeHeaderText("=?utf-8?B?0J/RgNC4?= =?utf-8?B?0LLQtdGC?=").text, "Привет");
  EXPECT_EQ(DecodeHeaderText("=?utf-8?B?0J/RgN?= =?utf-8?B?C40LLQtdGC?=").text, "Привет");
}

TEST(HeaderDecoder, WrongOrUnknownCharsetLabel) {
  std::string cp1251 = Encode("Счёт на оплату", "WINDOWS-1251");
  std::string q;
  for (unsigned char c : cp1251) {
    char buf[4];
    snprintf(buf, sizeof(buf), "=%02X", c);
    q += c == ' ' ? std::string("_") : std::string(buf);
  }
  DecodedText unknown = DecodeHeaderText("=?x-unknown?Q?" + q + "?=");
  EXPECT_EQ(unknown.text, "Счёт на оплату");
  EXPECT_TRUE(unknown.repaired);
  DecodedText utf8_label = DecodeHeaderText("=?utf-8?Q?" + q + "?=");
  EXPECT_EQ(utf8_label.text, "Счёт на оплату");
  EXPECT_EQ(DecodeHeaderText("=?utf8?Q?caf=C3=A9?=").text, "café");
  EXPECT_EQ(DecodeHeaderText("=?UTF-8*en?Q?hi?=").text, "hi");  // RFC 2231 language suffix
}

TEST(HeaderDecoder, UnlabelledEightBitCyrillic) {
  DecodedText koi = DecodeHeaderText(Encode("Счёт на оплату по заказу", "KOI8-R"));
  EXPECT_EQ(koi.text, "Счёт на оплату по заказу");
  EXPECT_TRUE(koi.repaired);
  EXPECT_EQ(DecodeHeaderText(Encode("Счёт на оплату по заказу", "WINDOWS-1251")).text,
            "Счёт на оплату по заказу");
  EXPECT_EQ(DecodeHeaderText(Encode("Въпрос за поръчка", "WINDOWS-1251")).text,
            "Въпрос за поръчка");
}

TEST(HeaderDecoder, UnlabelledEightBitRomanian) {
  EXPECT_EQ(DecodeHeaderText(Encode("Întrebare despre coşul şi taxe", "ISO-8859-2")).text,
            "Întrebare despre coşul şi taxe");
}

TEST(HeaderDecoder, MalformedWordsStayText) {
  EXPECT_EQ(DecodeHeaderText("=?utf-8?X?abc?=").text, "=?utf-8?X?abc?=");
  EXPECT_EQ(DecodeHeaderText("=?utf-8?Q?no end").text, "=?utf-8?Q?no end");
  EXPECT_EQ(DecodeHeaderText("=??Q?x?=").text, "=??Q?x?=");
}

}  // namespace
}  // namespace replydesk::mail
