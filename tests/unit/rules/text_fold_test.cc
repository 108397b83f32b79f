// Folding for rule matching, and the domain::LowerUtf8 it builds on.
#include "rules/text_fold.h"

#include <gtest/gtest.h>

#include "domain/subject.h"

namespace replydesk::rules {
namespace {

TEST(TextFoldTest, LowerCasesOurScripts) {
  EXPECT_EQ(FoldForMatch("ПРИВЕТ, Мир"), "привет, мир");
  EXPECT_EQ(FoldForMatch("ЗДРАВЕЙТЕ, ЪГЪЛ ЩЕ ЮЖЕН ЯК"), "здравейте, ъгъл ще южен як");
  EXPECT_EQ(FoldForMatch("ЁЛКА Ѐ Ѝ"), "елка ѐ ѝ");  // ё folds to е; Ѐ Ѝ only lower
  EXPECT_EQ(FoldForMatch("ȘTIRI ŢARĂ ÎN ÂNCĂ"), "stiri tara in anca");
  EXPECT_EQ(FoldForMatch("Straße ÄÖÜ ÉÈ"), "straße äöü éè");
  EXPECT_EQ(FoldForMatch(""), "");
}

TEST(TextFoldTest, InvalidBytesStayApart) {
  // domain::LowerUtf8 alone reads 0xD0 'A' as one code point (Ё -> ё) and a
  // lone 0xFF as U+00FF; folding repairs to U+FFFD first.
  EXPECT_EQ(FoldForMatch("\xD0"
                         "A"),
            "\xEF\xBF\xBD"
            "a");
  EXPECT_EQ(FoldForMatch("x\xFFy"), "x\xEF\xBF\xBDy");
  EXPECT_EQ(FoldForMatch("\xE0\x80\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(FoldForMatch("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(FoldForMatch("счё\xD1"), "сче\xEF\xBF\xBD");  // truncated at the end
}

// What the folding relies on; also documents where LowerUtf8 stops.
TEST(TextFoldTest, DomainLowerUtf8) {
  EXPECT_EQ(domain::LowerUtf8("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"),
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя");
  EXPECT_EQ(domain::LowerUtf8("ĂÂÎȘȚŞŢ"), "ăâîșțşţ");
  EXPECT_EQ(domain::LowerUtf8("ЄІЇЎ"), "єіїў");
}

}  // namespace
}  // namespace replydesk::rules
