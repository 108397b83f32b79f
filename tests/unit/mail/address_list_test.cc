// Address headers: display names, groups, encoded words in quoted strings.
#include "mail/address_list.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace replydesk::mail {
namespace {

std::vector<Mailbox> Parse(const std::string& raw) {
  bool repaired = false;
  return DecodeAddressList(raw, &repaired);
}

TEST(AddressList, NamesAndBareAddresses) {
  auto list = Parse("\"Doe, John\" <john@example.com>, jane@example.org, Bob <bob@x.y>");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "Doe, John");
  EXPECT_EQ(list[0].address, "john@example.com");
  EXPECT_EQ(list[1].name, "");
  EXPECT_EQ(list[1].address, "jane@example.org");
  EXPECT_EQ(list[2].name, "Bob");
}

TEST(AddressList, GroupsAreFlattened) {
  auto list = Parse("Team: a@example.com, \"B\" <b@example.com>;, c@example.com, Empty:;");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].address, "a@example.com");
  EXPECT_EQ(list[1].name, "B");
  EXPECT_EQ(list[2].address, "c@example.com");
}

TEST(AddressList, EncodedWordsInNames) {
  auto list = Parse("=?utf-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.ru>");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "Иван Петров");
  // Inside a quoted string (forbidden by RFC 2047 §5, sent by Outlook anyway).
  list = Parse("\"=?iso-8859-2?Q?=AAtefan_=DEurcanu?=\" <stefan@example.ro>");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "Ştefan Ţurcanu");
  EXPECT_EQ(list[0].address, "stefan@example.ro");
  // Decoded text holding a comma and quotes stays one name.
  list = Parse("=?utf-8?Q?Doe=2C_=22JD=22_John?= <jd@example.com>, x@example.com");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "Doe, \"JD\" John");
}

TEST(AddressList, UnlabelledEightBitName) {
  bool repaired = false;
  auto list =
      DecodeAddressList(testing::Encode("Иван Петров", "KOI8-R") + " <ivan@example.ru>", &repaired);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "Иван Петров");
  EXPECT_TRUE(repaired);
}

TEST(AddressList, JunkDoesNotCrash) {
  EXPECT_TRUE(Parse("").empty());
  Parse("<<<@@@>>>,,,;;;:::\"unterminated");
  Parse("(comment (nested) <a@b>");
  auto list = Parse("Whomever");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "Whomever");
  EXPECT_EQ(list[0].address, "");
}

}  // namespace
}  // namespace replydesk::mail
