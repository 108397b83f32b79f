#include "util/durable_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "util/sha256.h"

namespace replydesk::util {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/replydesk-test-XXXXXX";
  return mkdtemp(tmpl);
}

TEST(DurableFileTest, WritesCreatesFoldersAndKeepsExisting) {
  std::string dir = TempDir() + "/a/b";
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(WriteFileDurably(dir, "x", "hello").ok());
  EXPECT_EQ(*ReadFile(dir + "/x"), "hello");
  // Content-addressed names: an existing file is never rewritten.
  ASSERT_TRUE(WriteFileDurably(dir, "x", "other").ok());
  EXPECT_EQ(*ReadFile(dir + "/x"), "hello");
  // No temp files left behind.
  int entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1);
  std::filesystem::remove_all(dir);
}

TEST(DurableFileTest, MissingFileIsNotFound) {
  auto r = ReadFile("/nonexistent/replydesk/file");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST(Sha256Test, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace replydesk::util
