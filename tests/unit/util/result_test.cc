#include "util/result.h"

#include <gtest/gtest.h>

namespace replydesk::util {
namespace {

Result<int> Half(int x) {
  if (x % 2) return MakeError(ErrorCode::kInvalidArgument, "test.odd", "odd number");
  return x / 2;
}

Result<int> Quarter(int x) {
  RD_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(ResultTest, PropagatesErrorsAndValues) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "test.odd");
  EXPECT_EQ(r.error().ToString(), "invalid_argument: test.odd: odd number");
}

TEST(ResultTest, StatusDefaultsToOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  Status e = MakeError(ErrorCode::kUnavailable, "store.busy");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace replydesk::util
