// The shared UTF-8 decoder and encoder: round trips, and every kind of
// malformed input advances one byte as kUtf8Invalid.
#include "util/utf8.h"

#include <gtest/gtest.h>

namespace replydesk::util {
namespace {

std::vector<char32_t> DecodeAll(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) out.push_back(DecodeUtf8(s, i));
  return out;
}

TEST(Utf8Test, RoundTripsAcrossAllLengths) {
  for (char32_t cp : {U'A', U'ă', U'ș', U'Ж', U'€', U'😀', char32_t{0x10FFFF}}) {
    std::string s;
    AppendUtf8(s, cp);
    EXPECT_EQ(DecodeAll(s), std::vector<char32_t>{cp});
  }
  EXPECT_EQ(DecodeAll("Жd"), (std::vector<char32_t>{U'Ж', U'd'}));
}

TEST(Utf8Test, MalformedInputIsInvalidOneByteAtATime) {
  // A lead byte before ASCII (the bug LowerUtf8 had: "\xD0A" read as "Ё").
  EXPECT_EQ(DecodeAll("\xD0"
                      "A"),
            (std::vector<char32_t>{kUtf8Invalid, U'A'}));
  EXPECT_EQ(DecodeAll("\xC0\xAF"),
            (std::vector<char32_t>{kUtf8Invalid, kUtf8Invalid}));  // overlong
  EXPECT_EQ(DecodeAll("\xED\xA0\x80").front(), kUtf8Invalid);      // surrogate
  EXPECT_EQ(DecodeAll("\xF4\x90\x80\x80").front(), kUtf8Invalid);  // > U+10FFFF
  EXPECT_EQ(DecodeAll("\xE2\x82"),
            (std::vector<char32_t>{kUtf8Invalid, kUtf8Invalid}));  // truncated
  EXPECT_EQ(DecodeAll("\x80").front(), kUtf8Invalid);
}

}  // namespace
}  // namespace replydesk::util
