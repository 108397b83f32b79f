// Line classifiers of the reply trimmer (mail/reply_trimmer_patterns.h):
// case folding across scripts and the localized Outlook header fields.
#include "mail/reply_trimmer_patterns.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>
#include <vector>

namespace replydesk::mail::reply_trim {
namespace {

TEST(ReplyTrimPatterns, FoldCaseCoversCyrillicAndRomanianCedillas) {
  EXPECT_EQ(FoldCase("ОТПРАВЛЕНО Ё"), "отправлено ё");
  EXPECT_EQ(FoldCase("ŞŢşţȘȚ Către"), "șțșțșț către");
  EXPECT_EQ(FoldCase("ÀÉ Wrote"), "àé wrote");
  EXPECT_EQ(FoldCase("bad \xFF"), "bad \xFF");
}

TEST(ReplyTrimPatterns, HeaderFields) {
  EXPECT_EQ(HeaderFieldOf("*From:* Team"), HeaderField::kFrom);
  EXPECT_EQ(HeaderFieldOf("De la: Serviciul"), HeaderField::kFrom);
  EXPECT_EQ(HeaderFieldOf("От: Служба"), HeaderField::kFrom);
  EXPECT_EQ(HeaderFieldOf("Envoyé le :jeudi"), HeaderField::kOther);
  EXPECT_EQ(HeaderFieldOf("Изпратено: понеделник"), HeaderField::kOther);
  EXPECT_EQ(HeaderFieldOf("From my experience, no."), HeaderField::kNone);
}

TEST(ReplyTrimPatterns, MobileFootersAndDelimiters) {
  EXPECT_TRUE(IsMobileFooter("Sent from my Verizon Wireless BlackBerry"));
  EXPECT_TRUE(IsMobileFooter("Von meinem iPhone gesendet"));
  EXPECT_TRUE(IsMobileFooter("ОТПРАВЛЕНО С IPHONE"));
  EXPECT_FALSE(IsMobileFooter("Sent from my desk, is much easier then my mobile phone."));
  EXPECT_TRUE(IsSignatureDelimiter("-- "));
  EXPECT_TRUE(IsSignatureDelimiter("________________________________"));
  EXPECT_FALSE(IsSignatureDelimiter("-----"));
  EXPECT_FALSE(IsSignatureDelimiter("a -- b"));
}

TEST(ReplyTrimPatterns, AttributionBeginFindsWrappedLines) {
  std::vector<std::string_view> lines = {"Text.", "", "On Dec 16, 2011, at 12:47 PM, Corey",
                                         "<reply@reply.github.com>", "wrote:"};
  EXPECT_EQ(AttributionBegin(lines, 4, false), 2u);
  EXPECT_EQ(AttributionBegin(lines, 0, false), std::nullopt);
  std::vector<std::string_view> prose = {"Here is what the manual wrote:"};
  EXPECT_EQ(AttributionBegin(prose, 0, false), std::nullopt);
  EXPECT_EQ(AttributionBegin(prose, 0, true), 0u);  // "John Smith wrote:" above a quote
}

TEST(ReplyTrimPatterns, OriginalMessageAndForwardLines) {
  EXPECT_TRUE(IsOriginalMessageLine("-----Original Message-----", false));
  EXPECT_TRUE(IsOriginalMessageLine("-------- Исходное сообщение --------", false));
  EXPECT_TRUE(IsOriginalMessageLine("Mesaj original", true));
  EXPECT_FALSE(IsOriginalMessageLine("Mesaj original", false));
  EXPECT_TRUE(IsForwardLine("---------- Forwarded message ---------"));
  EXPECT_TRUE(IsForwardLine("Begin forwarded message:"));
}

}  // namespace
}  // namespace replydesk::mail::reply_trim
