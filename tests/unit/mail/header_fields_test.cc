// Message-ID lists and dates.
#include "mail/header_fields.h"

#include <gtest/gtest.h>

namespace replydesk::mail {
namespace {

using Ids = std::vector<std::string>;

TEST(HeaderFields, MessageIds) {
  EXPECT_EQ(ParseMessageId(" <abc@example.com> "), "abc@example.com");
  EXPECT_EQ(ParseMessageId("abc@example.com"), "abc@example.com");  // brackets missing
  EXPECT_EQ(ParseMessageId(""), "");
  EXPECT_EQ(ParseMessageIds("<a@x> <b@y>\r\n <c@z>"), (Ids{"a@x", "b@y", "c@z"}));
  EXPECT_EQ(ParseMessageIds("<a@x> (Your message of Mon) junk \"<b@y>\""), (Ids{"a@x", "b@y"}));
  EXPECT_EQ(ParseMessageIds("<a@x>,<b@y>,<a@x>"), (Ids{"a@x", "b@y"}));
  EXPECT_EQ(ParseMessageIds("a@x b@y"), (Ids{"a@x", "b@y"}));
  EXPECT_EQ(ParseMessageIds("<a@x"), (Ids{"a@x"}));
}

TEST(HeaderFields, Dates) {
  EXPECT_EQ(ParseDate("Tue, 24 Nov 2026 08:55:25 +0000"), 1795510525);
  EXPECT_EQ(ParseDate("Tue, 24 Nov 2026 11:55:25 +0300"), 1795510525);
  EXPECT_EQ(ParseDate("24 Nov 2026 08:55:25 GMT"), 1795510525);
  EXPECT_EQ(ParseDate(""), std::nullopt);
  EXPECT_EQ(ParseDate("not a date"), std::nullopt);
  EXPECT_EQ(FormatIsoDate(1795510525), "2026-11-24T08:55:25Z");
}

}  // namespace
}  // namespace replydesk::mail
