// MailboxService: validation (TLS none only on loopback, POP3 limits, unknown
// channel, duplicate names), passwords encrypted and never listed, remove,
// and the connection test.
#include "services/mailbox_service.h"

#include <gtest/gtest.h>

#include "fake_remote_mailbox.h"
#include "services_test_env.h"

namespace replydesk::services {
namespace {

using domain::AfterImport;
using domain::MailboxTls;
using domain::MailProtocol;

class MailboxServiceTest : public ServicesTest {
 protected:
  void SetUp() override {
    ServicesTest::SetUp();
    if (IsSkipped()) return;
    key_ = std::make_unique<util::SecretBox>(*util::SecretBox::FromKey(std::string(32, 'k')));
    service_ = std::make_unique<MailboxService>(store(), clock_, key_.get(), &factory_);
    Read<domain::Channel>([&](store::Tx& tx) {
      domain::Channel c;
      c.address = "support@ours.example";
      return tx.CreateChannel(c);
    });
  }

  static NewMailbox Valid() {
    NewMailbox m;
    m.name = "support-imap";
    m.channel_address = "Support@Ours.Example";
    m.host = "imap.example.com";
    m.user = "support";
    m.password = "s3cret";
    return m;
  }

  std::string Refusal(const NewMailbox& m) {
    auto r = service_->Add(m);
    return r.ok() ? "accepted" : r.error().detail;
  }

  fake::FakeServer server_;
  fake::FakeFactory factory_{server_};
  std::unique_ptr<util::SecretBox> key_;
  std::unique_ptr<MailboxService> service_;
};

TEST_P(MailboxServiceTest, AddEncryptsThePasswordAndListNeverShowsIt) {
  auto added = service_->Add(Valid());
  ASSERT_TRUE(added.ok()) << added.error().ToString();
  EXPECT_TRUE(added->password_encrypted.empty());
  EXPECT_EQ(added->after_import, AfterImport::kMarkSeen);
  EXPECT_EQ(added->next_poll_at, clock_.Now()) << "first poll at once";
  auto stored = Read<std::optional<domain::MailboxAccount>>(
      [](store::Tx& tx) { return tx.FindMailboxByName("support-imap"); });
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->password_encrypted.find("s3cret"), std::string::npos);
  EXPECT_EQ(*key_->Open(stored->password_encrypted), "s3cret");
  auto list = service_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].password_encrypted.empty());
  EXPECT_TRUE(service_->Get("support-imap")->password_encrypted.empty());
}

TEST_P(MailboxServiceTest, ValidationRefusals) {
  NewMailbox m = Valid();
  m.tls = MailboxTls::kNone;
  EXPECT_EQ(Refusal(m), "mailbox.tls_required");
  for (const char* host : {"127.0.0.1", "localhost", "::1"}) {
    m = Valid();
    m.name = std::string("local-") + (host[0] == ':' ? "v6" : host);
    m.host = host;
    m.tls = MailboxTls::kNone;
    EXPECT_EQ(Refusal(m), "accepted") << host;
  }
  m = Valid();
  m.protocol = MailProtocol::kPop3;
  m.after_import = AfterImport::kMove;
  m.move_to = "Archive";
  EXPECT_EQ(Refusal(m), "mailbox.invalid");
  m.after_import = AfterImport::kMarkSeen;
  EXPECT_EQ(Refusal(m), "mailbox.invalid");
  m = Valid();
  m.after_import = AfterImport::kMove;
  EXPECT_EQ(Refusal(m), "mailbox.invalid") << "move without a folder";
  m = Valid();
  m.name = "bad name";
  EXPECT_EQ(Refusal(m), "mailbox.invalid");
  m = Valid();
  m.password = "";
  EXPECT_EQ(Refusal(m), "mailbox.invalid");
  m = Valid();
  m.poll_interval_seconds = 0;
  EXPECT_EQ(Refusal(m), "mailbox.invalid");
  m = Valid();
  m.channel_address = "nobody@ours.example";
  EXPECT_EQ(Refusal(m), "mailbox.no_channel");
  EXPECT_EQ(Refusal(Valid()), "accepted");
  EXPECT_EQ(Refusal(Valid()), "mailbox.exists");
}

TEST_P(MailboxServiceTest, Pop3DefaultsToKeep) {
  NewMailbox m = Valid();
  m.protocol = MailProtocol::kPop3;
  auto added = service_->Add(m);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->after_import, AfterImport::kKeep);
  EXPECT_EQ(added->folder, "INBOX");
}

TEST_P(MailboxServiceTest, RemoveForgetsTheAccount) {
  ASSERT_TRUE(service_->Add(Valid()).ok());
  ASSERT_TRUE(service_->Remove("support-imap").ok());
  EXPECT_TRUE(service_->List()->empty());
  auto again = service_->Remove("support-imap");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().detail, "mailbox.not_found");
}

TEST_P(MailboxServiceTest, TestConnectsListsAndChangesNothing) {
  ASSERT_TRUE(service_->Add(Valid()).ok());
  server_.password = "s3cret";
  server_.Deliver("Subject: a\n\nx\n");
  server_.Deliver("Subject: b\n\ny\n");
  auto r = service_->Test("support-imap");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->new_messages, 2);
  EXPECT_EQ(r->uid_validity, 1000u);
  EXPECT_EQ(server_.Seen(), 0);
  EXPECT_EQ(server_.Fetches(), 0);
  EXPECT_EQ(factory_.last_config.host, "imap.example.com");
  EXPECT_EQ(factory_.last_config.password, "s3cret");
  server_.password = "other";
  auto denied = service_->Test("support-imap");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().detail, "mailbox.auth");
}

TEST_P(MailboxServiceTest, NoServerKeyNoAdd) {
  MailboxService keyless(store(), clock_, nullptr);
  auto r = keyless.Add(Valid());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "mailbox.no_key");
}

INSTANTIATE_TEST_SUITE_P(Backends, MailboxServiceTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::services
