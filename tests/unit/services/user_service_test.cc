#include "services/user_service.h"

#include <gtest/gtest.h>

#include "services_test_env.h"

namespace replydesk::services {
namespace {

class UserServiceTest : public ServicesTest {};

TEST_P(UserServiceTest, CreateVerifyAndReset) {
  UserService users(store(), clock_);
  auto created = users.Create("Agent@Example.com", "Ana Agent", domain::Role::kAgent);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(created->user.email, "agent@example.com");
  EXPECT_EQ(created->password.size(), 20u);
  EXPECT_EQ(created->user.password_hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(users.Verify("agent@example.com", created->password).ok());
  auto wrong = users.Verify("agent@example.com", "not-the-password");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().detail, "user.bad_login");
  EXPECT_FALSE(users.Verify("nobody@example.com", created->password).ok());
  auto again = users.Create("agent@example.com", "", domain::Role::kAgent);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, util::ErrorCode::kAlreadyExists);
  auto reset = users.ResetPassword("agent@example.com");
  ASSERT_TRUE(reset.ok());
  EXPECT_FALSE(users.Verify("agent@example.com", created->password).ok());
  EXPECT_TRUE(users.Verify("agent@example.com", *reset).ok());
}

TEST_P(UserServiceTest, EnsureAdminShowsThePasswordOnlyOnce) {
  UserService users(store(), clock_);
  auto first = users.EnsureAdmin("admin@localhost");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->password.empty());
  EXPECT_EQ(first->user.role, domain::Role::kAdmin);
  auto second = users.EnsureAdmin("admin@localhost");
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->password.empty());
  EXPECT_EQ(second->user.id, first->user.id);
  EXPECT_TRUE(users.Verify("admin@localhost", first->password).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, UserServiceTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::services
