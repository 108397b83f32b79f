#include "domain/subject.h"

#include <gtest/gtest.h>

#include "domain/address.h"

namespace replydesk::domain {
namespace {

TEST(SubjectTest, StripsReplyPrefixesInOurLanguages) {
  TicketTag tag;
  const std::string base = NormalizeSubject("Printer broken", tag);
  EXPECT_EQ(base, "printer broken");
  for (const char* s : {"Re: Printer broken", "RE: RE: printer  broken", "Fwd: Re: Printer broken",
                        "AW: Printer broken", "Re[2]: Printer broken", "FW: Printer broken",
                        "Re: Printer broken [#T-100001]", "re : Printer broken"}) {
    EXPECT_EQ(NormalizeSubject(s, tag), base) << s;
  }
  EXPECT_EQ(NormalizeSubject("Отв: Не печатает ПРИНТЕР", tag), "не печатает принтер");
  EXPECT_EQ(NormalizeSubject("Отг: Принтерът", tag), "принтерът");
  EXPECT_EQ(NormalizeSubject("RE: Ответ: Пересл: Счёт", tag), "счёт");
  EXPECT_EQ(NormalizeSubject("Re: Imprimanta NU funcționează", tag), "imprimanta nu funcționează");
}

TEST(SubjectTest, KeepsWordsThatOnlyLookLikePrefixes) {
  TicketTag tag;
  EXPECT_EQ(NormalizeSubject("Report: March", tag), "report: march");
  EXPECT_EQ(NormalizeSubject("Re:", tag), "");  // nothing left: no fallback match
  EXPECT_FALSE(HasReplyPrefix("Refund please"));
  EXPECT_TRUE(HasReplyPrefix("Re: Refund please"));
}

TEST(SubjectTest, LowerCasesCyrillicAndRomanian) {
  EXPECT_EQ(LowerUtf8("ЁЖИК Ștefan ŢARĂ"), "ёжик ștefan ţară");
}

TEST(AddressTest, Normalizes) {
  EXPECT_EQ(NormalizeAddress(" <John.Doe@Example.COM> "), "john.doe@example.com");
  EXPECT_EQ(NormalizeAddress("mailto:a@b.c"), "a@b.c");
  EXPECT_EQ(NormalizeAddress("no-at-sign"), "");
  EXPECT_EQ(NormalizeAddress("@b.c"), "");
  EXPECT_EQ(NormalizeAddress("a b@c.d"), "");
  EXPECT_EQ(AddressDomain("a@b.c"), "b.c");
}

}  // namespace
}  // namespace replydesk::domain

namespace replydesk::domain {
namespace {
// LowerUtf8 used to read a stray lead byte and the next ASCII letter as one
// Cyrillic character ("\xD0" "A" became "ё"); bytes that are not UTF-8 now stay as they are.
TEST(SubjectTest, LowerUtf8KeepsInvalidBytes) {
  EXPECT_EQ(LowerUtf8("\xD0"
                      "ABC Жук"),
            "\xD0"
            "abc жук");
}
}  // namespace
}  // namespace replydesk::domain
