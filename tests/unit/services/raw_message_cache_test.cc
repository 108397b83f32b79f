// RawMessageCache: taken once, bounded by bytes, safe across threads.
#include "services/raw_message_cache.h"

#include <gtest/gtest.h>

#include <thread>

namespace replydesk::services {
namespace {

TEST(RawMessageCacheTest, EntryIsTakenOnce) {
  RawMessageCache cache(100);
  EXPECT_TRUE(cache.Put("aa", "hello"));
  EXPECT_EQ(cache.bytes(), 5u);
  EXPECT_EQ(cache.Take("aa"), "hello");
  EXPECT_EQ(cache.Take("aa"), std::nullopt);
  EXPECT_EQ(cache.Take("bb"), std::nullopt);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(RawMessageCacheTest, KeepsNothingOverTheBudget) {
  RawMessageCache cache(10);
  EXPECT_TRUE(cache.Put("a", "123456"));
  EXPECT_FALSE(cache.Put("b", "12345"));  // 11 > 10
  EXPECT_TRUE(cache.Put("c", "1234"));    // exactly 10
  EXPECT_EQ(cache.bytes(), 10u);
  EXPECT_EQ(cache.Take("b"), std::nullopt);
  ASSERT_TRUE(cache.Take("a").has_value());
  EXPECT_TRUE(cache.Put("b", "12345"));  // room again
  EXPECT_EQ(cache.bytes(), 9u);
}

TEST(RawMessageCacheTest, KeyHeldTwiceKeepsTheFirst) {
  RawMessageCache cache(100);
  EXPECT_TRUE(cache.Put("a", "first"));
  EXPECT_FALSE(cache.Put("a", "second"));
  EXPECT_EQ(cache.bytes(), 5u);
  EXPECT_EQ(cache.Take("a"), "first");
}

TEST(RawMessageCacheTest, ProducerAndConsumerThreads) {
  RawMessageCache cache(1 << 20);
  constexpr int kCount = 2000;
  std::thread producer([&] {
    for (int i = 0; i < kCount; ++i) cache.Put(std::to_string(i), std::string(10, 'x'));
  });
  int taken = 0;
  for (int i = 0; i < kCount; ++i) {
    while (!cache.Take(std::to_string(i))) std::this_thread::yield();
    ++taken;
  }
  producer.join();
  EXPECT_EQ(taken, kCount);
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace replydesk::services
