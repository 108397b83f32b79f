// Charset conversion and the KOI8-R / windows-1251 guess, on real words.
#include "mail/charset.h"

#include <gtest/gtest.h>

#include "mail/charset_guess.h"
#include "test_util.h"

namespace replydesk::mail {
namespace {

using testing::Encode;

const char* kRussian[] = {
    "Привет",
    "Счёт на оплату",
    "Здравствуйте, как дела?",
    "Прошу выставить счёт на оплату по заказу",
    "СРОЧНО: доставка не пришла",
    "Добрый день! Спасибо за быстрый ответ.",
};

TEST(CharsetGuess, TellsKoi8rFromWindows1251OnRussianWords) {
  for (const char* word : kRussian) {
    EXPECT_EQ(GuessEightBitCharset(Encode(word, "KOI8-R")), "koi8-r") << word;
    EXPECT_EQ(GuessEightBitCharset(Encode(word, "WINDOWS-1251")), "windows-1251") << word;
  }
}

TEST(CharsetGuess, BulgarianInBothCharsets) {
  for (const char* text :
       {"Здравейте, благодаря за поръчката", "Въпрос за фактура", "Кога ще получа пратката?"}) {
    EXPECT_EQ(GuessEightBitCharset(Encode(text, "WINDOWS-1251")), "windows-1251") << text;
    EXPECT_EQ(GuessEightBitCharset(Encode(text, "KOI8-R")), "koi8-r") << text;
  }
}

TEST(CharsetGuess, Iso88595AndCp866) {
  EXPECT_EQ(GuessEightBitCharset(Encode("Здравствуйте, как дела?", "ISO-8859-5")), "iso-8859-5");
  EXPECT_EQ(GuessEightBitCharset(Encode("Здравствуйте, как дела?", "CP866")), "cp866");
}

TEST(CharsetGuess, CentralEuropean) {
  // Romanian with cedilla letters and Czech: 8-bit letters inside ASCII words.
  EXPECT_EQ(GuessEightBitCharset(Encode("Mulţumesc pentru coşul de cumpărături", "ISO-8859-2")),
            "iso-8859-2");
  EXPECT_EQ(GuessEightBitCharset(Encode("Děkuji za objednávku, „příští týden“", "CP1250")),
            "windows-1250");
}

TEST(CharsetGuess, AccentsInsideLatinWordsAreNotCyrillic) {
  // Latin-1 Portuguese "Formação": two 8-bit bytes inside an ASCII word.
  EXPECT_EQ(GuessEightBitCharset("Forma\xE7\xE3o FrenetikPolis"), "iso-8859-2");
}

TEST(CharsetGuess, AsciiAndUtf8) {
  EXPECT_EQ(GuessEightBitCharset("hello"), "us-ascii");
  EXPECT_EQ(GuessEightBitCharset("привет"), "utf-8");
}

TEST(CharsetGuess, WrongReadingScoresLower) {
  // KOI8-R "Привет" read as windows-1251 is "рТЙЧЕФ".
  EXPECT_GT(CyrillicScore("Привет"), CyrillicScore("рТЙЧЕФ"));
}

TEST(ToUtf8, UnlabelledKoi8rIsGuessed) {
  Utf8Text t = ToUtf8(Encode("Счёт на оплату", "KOI8-R"), "");
  EXPECT_EQ(t.text, "Счёт на оплату");
  EXPECT_TRUE(t.guessed);
}

TEST(ToUtf8, DeclaredCharsetIsUsed) {
  Utf8Text t = ToUtf8(Encode("Въпрос за поръчка", "WINDOWS-1251"), "windows-1251");
  EXPECT_EQ(t.text, "Въпрос за поръчка");
  EXPECT_FALSE(t.guessed);
  EXPECT_EQ(ToUtf8(Encode("Şi ţară", "ISO-8859-2"), "iso-8859-2").text, "Şi ţară");
  EXPECT_EQ(ToUtf8(Encode("Și țară", "ISO-8859-16"), "iso-8859-16").text, "Și țară");
}

TEST(ToUtf8, MislabelledKoi8rAsWindows1251IsFixed) {
  Utf8Text t = ToUtf8(Encode("Прошу выставить счёт на оплату по заказу", "KOI8-R"), "windows-1251");
  EXPECT_EQ(t.text, "Прошу выставить счёт на оплату по заказу");
  EXPECT_TRUE(t.guessed);
}

TEST(ToUtf8, Utf8LabelledLatin1AndUnknownLabel) {
  EXPECT_EQ(ToUtf8("Fr\xF6sche", "utf-8").text, "Frösche");
  Utf8Text unknown = ToUtf8(Encode("Привет, как дела?", "WINDOWS-1251"), "x-no-such-charset");
  EXPECT_EQ(unknown.text, "Привет, как дела?");
  EXPECT_TRUE(unknown.guessed);
  EXPECT_EQ(ToUtf8("Grüße", "iso-8859-1").text, "Grüße");  // UTF-8 under a Latin-1 label
}

TEST(Utf8, SanitizeReplacesInvalidSequences) {
  EXPECT_TRUE(IsValidUtf8("añb"));
  EXPECT_FALSE(IsValidUtf8("a\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("ok ñ"), "ok ñ");
}

}  // namespace
}  // namespace replydesk::mail
