// RFC 3676 format=flowed decoding.
#include "mail/format_flowed.h"

#include <gtest/gtest.h>

namespace replydesk::mail {
namespace {

TEST(FormatFlowed, JoinsSoftBreaks) {
  EXPECT_EQ(DecodeFormatFlowed("Hello \r\nworld.\r\nNext line\r\n", false),
            "Hello world.\nNext line\n");
}

TEST(FormatFlowed, DelSpRemovesTheSpace) {
  EXPECT_EQ(DecodeFormatFlowed("Привет, ка \nк дела?\n", true), "Привет, как дела?\n");
}

TEST(FormatFlowed, SpaceStuffingAndQuotes) {
  EXPECT_EQ(DecodeFormatFlowed(" From here\n>> quoted \n>> text\n> one\n", false),
            "From here\n>> quoted text\n> one\n");
}

TEST(FormatFlowed, SignatureSeparatorIsFixed) {
  EXPECT_EQ(DecodeFormatFlowed("Bye \n-- \nAnna\n", false), "Bye -- \nAnna\n");
  EXPECT_EQ(DecodeFormatFlowed("Bye\n-- \nAnna\n", false), "Bye\n-- \nAnna\n");
}

TEST(FormatFlowed, QuoteDepthChangeEndsParagraph) {
  EXPECT_EQ(DecodeFormatFlowed("> a \nb\n", false), "> a \nb\n");
}

}  // namespace
}  // namespace replydesk::mail
