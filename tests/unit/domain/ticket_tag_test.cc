#include "domain/ticket_tag.h"

#include <gtest/gtest.h>

namespace replydesk::domain {
namespace {

TEST(TicketTagTest, FormatsAndFinds) {
  TicketTag tag;
  EXPECT_EQ(tag.Format(104233), "[#T-104233]");
  EXPECT_EQ(tag.Find("Re: Printer [#T-104233] broken"), 104233);
  EXPECT_EQ(tag.Find("AW: [#t-7]"), 7);
  EXPECT_EQ(tag.Find("[# T-42 ]"), 42);
  EXPECT_EQ(tag.Find("[T-42]"), 42);
  EXPECT_EQ(tag.Find("Order #T-42"), std::nullopt);
  EXPECT_EQ(tag.Find("[#T-]"), std::nullopt);
  EXPECT_EQ(tag.Find("[#X-42] [#T-43]"), 43);
}

TEST(TicketTagTest, CustomPrefix) {
  TicketTag tag("ACME#");
  EXPECT_EQ(tag.Format(5), "[#ACME#5]");
  EXPECT_EQ(tag.Find("Re: [#ACME#5]"), 5);
  EXPECT_EQ(tag.Find("Re: [#T-5]"), std::nullopt);
}

TEST(TicketTagTest, AddToDoesNotRepeat) {
  TicketTag tag;
  EXPECT_EQ(tag.AddTo("Printer", 9), "Printer [#T-9]");
  EXPECT_EQ(tag.AddTo("Re: Printer [#T-9]", 9), "Re: Printer [#T-9]");
  EXPECT_EQ(tag.AddTo("", 9), "[#T-9]");
}

TEST(TicketTagTest, StripRemovesEveryTag) {
  TicketTag tag;
  EXPECT_EQ(tag.Strip("Re: [#T-1] Printer [#T-2]  jam"), "Re: Printer jam");
}

}  // namespace
}  // namespace replydesk::domain
