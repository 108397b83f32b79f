#include "mail/header_scan.h"

#include <gtest/gtest.h>

namespace replydesk::mail {
namespace {

TEST(HeaderScanTest, FindsMessageIdAndFrom) {
  auto s = ScanHeaders(
      "Received: from x\n by y\nFrom: =?utf-8?B?0JjQstCw0L0=?=\n <Ivan@Example.ru>\n"
      "Message-ID:\n <abc@host>\nSubject: hi\n\nMessage-ID: <body@x>\n");
  EXPECT_EQ(s.message_id, "abc@host");
  EXPECT_EQ(s.from_address, "Ivan@Example.ru");
}

TEST(HeaderScanTest, HandlesCrlfBareAddressAndMissingFields) {
  auto s = ScanHeaders("From: a@b.c (Alice)\r\nMessage-Id: no-brackets@x junk\r\n\r\nbody");
  EXPECT_EQ(s.from_address, "a@b.c");
  EXPECT_EQ(s.message_id, "no-brackets@x");
  auto none = ScanHeaders("Subject: x\n\nFrom: a@b.c\n");
  EXPECT_EQ(none.message_id, "");
  EXPECT_EQ(none.from_address, "");
  EXPECT_EQ(ScanHeaders("").message_id, "");
  EXPECT_EQ(ScanHeaders("garbage without colon\nFrom: <x@y>\n").from_address, "x@y");
}

}  // namespace
}  // namespace replydesk::mail
