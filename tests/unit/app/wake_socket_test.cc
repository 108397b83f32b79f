// The wake socket between `serve` and the lean `ingest` (app/wake_socket.h).
#include "app/wake_socket.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace replydesk::app {
namespace {

namespace fs = std::filesystem;

class WakeSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wake-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    db_ = (dir_ / "replydesk.db").string();
    std::ofstream(db_) << "";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string db_;
};

TEST_F(WakeSocketTest, NameIsThePathsNotTheSpelling) {
  auto name = WakeSocketName(db_);
  ASSERT_TRUE(name.has_value());
  EXPECT_LT(name->size(), 100u);  // fits sun_path whatever the path length
  auto via_dots = WakeSocketName((dir_ / "." / "replydesk.db").string());
  EXPECT_EQ(via_dots, name);
  std::ofstream((dir_ / "other.db").string()) << "";
  EXPECT_NE(WakeSocketName((dir_ / "other.db").string()), name);
  EXPECT_FALSE(WakeSocketName((dir_ / "missing.db").string()).has_value());
  EXPECT_FALSE(WakeSocketName("postgresql://127.0.0.1/replydesk").has_value());
}

TEST_F(WakeSocketTest, NobodyBoundMeansNoServe) {
  EXPECT_EQ(ConnectWake(*WakeSocketName(db_)), -1);
}

TEST_F(WakeSocketTest, ADatagramWakesTheListenerAndTheNameIsFreedWithIt) {
  const std::string name = *WakeSocketName(db_);
  std::atomic<int> wakes{0};
  {
    auto listener = WakeListener::Start(name, [&] { ++wakes; });
    ASSERT_TRUE(listener->bound());
    // A second serve on the same database cannot take the name.
    auto second = WakeListener::Start(name, [] {});
    EXPECT_FALSE(second->bound());

    int fd = ConnectWake(name);
    ASSERT_GE(fd, 0);
    SendWakeAndClose(fd);
    for (int i = 0; i < 200 && wakes == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(wakes.load(), 1);
  }
  // Listener gone (as when serve exits or is killed): no one to connect to.
  EXPECT_EQ(ConnectWake(name), -1);
  auto again = WakeListener::Start(name, [] {});
  EXPECT_TRUE(again->bound());
}

TEST_F(WakeSocketTest, ASecondServeTakesTheNameOverWhenTheFirstGoes) {
  const std::string name = *WakeSocketName(db_);
  std::atomic<int> first_wakes{0}, second_wakes{0};
  auto first = WakeListener::Start(name, [&] { ++first_wakes; });
  ASSERT_TRUE(first->bound());
  auto second = WakeListener::Start(
      name, [&] { ++second_wakes; }, /*retry_ms=*/50);
  EXPECT_FALSE(second->bound());
  first.reset();  // the old serve exits
  for (int i = 0; i < 300 && !second->bound(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(second->bound());
  int fd = ConnectWake(name);
  ASSERT_GE(fd, 0);
  SendWakeAndClose(fd);
  for (int i = 0; i < 200 && second_wakes == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(second_wakes.load(), 1);
  EXPECT_EQ(first_wakes.load(), 0);
}

}  // namespace
}  // namespace replydesk::app
