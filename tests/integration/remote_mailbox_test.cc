// IMAP and POP3 clients (channels/imap_mailbox, pop3_mailbox) against a private
// Dovecot (tests/support/dovecot_instance.h) on 127.0.0.1.
#include <gtest/gtest.h>

#include "dovecot_instance.h"

namespace replydesk {
namespace {

using testing::DovecotInstance;

class DovecotHarnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = DovecotInstance::SkipReason(); !why.empty()) GTEST_SKIP() << why;
    dovecot_ = std::make_unique<DovecotInstance>();
    ASSERT_TRUE(dovecot_->ok()) << dovecot_->error();
  }
  std::unique_ptr<DovecotInstance> dovecot_;
};

TEST_F(DovecotHarnessTest, DeliversCountsAndResets) {
  DovecotInstance& d = *dovecot_;
  ASSERT_EQ(d.DeliverMessage("alice", "INBOX", "Subject: a\r\n\r\nx\r\n"), "");
  ASSERT_EQ(d.CreateFolder("alice", "Archive/2026"), "");
  ASSERT_EQ(d.DeliverMessages("alice", "Archive/2026",
                              {"Subject: b\r\n\r\ny\r\n", "Subject: c\r\n\r\nz\r\n"}),
            "");
  EXPECT_EQ(d.CountMessages("alice", "INBOX"), 1);
  EXPECT_EQ(d.CountMessages("alice", "Archive/2026"), 2);
  EXPECT_EQ(d.CountMessages("alice", "Missing"), -1);
  uint32_t before = d.UidValidity("alice", "INBOX");
  ASSERT_NE(before, 0u);
  EXPECT_EQ(d.ResetUidValidity("alice", "INBOX"), before + 1);
  auto flags = d.ListFlags("alice", "INBOX");
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags.begin()->first, 1u);
  EXPECT_EQ(flags.begin()->second, "");
  ASSERT_EQ(d.Stop(), "");
  ASSERT_EQ(d.Start(), "");
  EXPECT_EQ(d.CountMessages("alice", "INBOX"), 1);
}

}  // namespace
}  // namespace replydesk
