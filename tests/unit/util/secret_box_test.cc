// SecretBox: round trip, a fresh nonce per seal, wrong key and altered data
// refused, key files (created 0600 once, raw or hex, bad sizes refused).
#include "util/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "util/durable_file.h"

namespace replydesk::util {
namespace {

class SecretBoxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rd-secret-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& path, const std::string& data) {
    std::ofstream(path, std::ios::binary) << data;
  }

  std::string dir_;
};

SecretBox Box(char fill) {
  auto box = SecretBox::FromKey(std::string(SecretBox::kKeyBytes, fill));
  EXPECT_TRUE(box.ok());
  return *box;
}

TEST_F(SecretBoxTest, SealThenOpenGivesThePlaintextBack) {
  SecretBox box = Box('k');
  const std::string secret("p\0ss w\xc3\xb6rd", 11);
  std::string sealed = box.Seal(secret);
  EXPECT_EQ(sealed.size(), secret.size() + SecretBox::kOverheadBytes);
  EXPECT_EQ(sealed.find("ss w"), std::string::npos) << "plaintext visible";
  auto opened = box.Open(sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_EQ(*opened, secret);
  EXPECT_EQ(*box.Open(box.Seal("")), "");
}

TEST_F(SecretBoxTest, EverySealUsesAFreshNonce) {
  SecretBox box = Box('k');
  EXPECT_NE(box.Seal("same"), box.Seal("same"));
}

TEST_F(SecretBoxTest, AnotherKeyOrAlteredDataIsRefused) {
  std::string sealed = Box('a').Seal("secret");
  auto wrong = Box('b').Open(sealed);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(wrong.error().detail, "secret.decrypt");
  sealed.back() ^= 1;
  EXPECT_FALSE(Box('a').Open(sealed).ok());
  auto short_data = Box('a').Open("short");
  ASSERT_FALSE(short_data.ok());
  EXPECT_EQ(short_data.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SecretBoxTest, KeyOfTheWrongSizeIsRefused) {
  auto box = SecretBox::FromKey("too short");
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.error().detail, "secret.bad_key");
}

TEST_F(SecretBoxTest, KeyFileIsCreatedOnceWithMode0600) {
  const std::string path = dir_ + "/var/secret.key";
  auto missing = SecretBox::LoadKeyFile(path, false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().detail, "secret.no_key_file");

  auto created = SecretBox::LoadKeyFile(path, true);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  // Loading again (with or without create) gives the same key.
  std::string sealed = created->Seal("secret");
  auto again = SecretBox::LoadKeyFile(path, true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->Open(sealed), "secret");
  auto loaded = SecretBox::LoadKeyFile(path, false);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded->Open(sealed), "secret");
  // No temp file left behind.
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir_ + "/var")) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(SecretBoxTest, HexKeyFileIsAccepted) {
  const std::string path = dir_ + "/hex.key";
  Write(path, std::string(64, 'a') + "\n");
  auto hex = SecretBox::LoadKeyFile(path, false);
  ASSERT_TRUE(hex.ok()) << hex.error().ToString();
  auto raw = SecretBox::FromKey(std::string(32, '\xaa'));
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*hex->Open(raw->Seal("x")), "x");
}

TEST_F(SecretBoxTest, MalformedKeyFileIsRefused) {
  for (const std::string& content : {std::string(""), std::string(31, 'k'), std::string(64, 'z')}) {
    const std::string path = dir_ + "/bad.key";
    Write(path, content);
    auto box = SecretBox::LoadKeyFile(path, true);
    ASSERT_FALSE(box.ok()) << "content of " << content.size() << " bytes";
    EXPECT_EQ(box.error().detail, "secret.bad_key");
  }
}

}  // namespace
}  // namespace replydesk::util
