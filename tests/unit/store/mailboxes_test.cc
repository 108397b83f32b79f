// Mailbox accounts: round trip (encrypted password bytes kept exactly), unique
// names, claiming due mailboxes (one claimer each, also concurrently),
// progress and poll outcomes, POP3 UIDLs, removal, the inbound default
// channel, and migrations recorded out of order (a gap filled later).
#include <mutex>
#include <set>
#include <thread>

#include "store/pg_connection.h"
#include "store/sqlite_connection.h"
#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using domain::MailboxAccount;

constexpr UnixSeconds kNow = 1795510800;

class MailboxesTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || !store_) return;
    RD_ASSERT_OK(Run([&](Tx& tx) -> Status {
      domain::Channel c;
      c.address = "support@ours.example";
      RD_ASSIGN_OR_RETURN(channel_, tx.CreateChannel(c));
      return Status();
    }));
  }

  Status Run(const std::function<Status(Tx&)>& fn) { return store_->Transact(fn); }

  MailboxAccount Account(const std::string& name, UnixSeconds next_poll_at = kNow) {
    MailboxAccount m;
    m.name = name;
    m.channel_id = channel_.id;
    m.protocol = domain::MailProtocol::kImap;
    m.host = "imap.example.com";
    m.port = 993;
    m.tls = domain::MailboxTls::kTls;
    m.user = "support";
    m.password_encrypted = std::string("\0\x01\xff secret\0", 11);
    m.folder = "INBOX";
    m.poll_interval_seconds = 120;
    m.after_import = domain::AfterImport::kMove;
    m.move_to = "Imported";
    m.next_poll_at = next_poll_at;
    m.created_at = kNow - 10;
    return m;
  }

  MailboxAccount Create(const MailboxAccount& m) {
    MailboxAccount out;
    Status st = Run([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(out, tx.CreateMailbox(m));
      return Status();
    });
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    return out;
  }

  MailboxAccount Get(Id id) {
    MailboxAccount out;
    RD_EXPECT_OK(Run([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(out, tx.GetMailbox(id));
      return Status();
    }));
    return out;
  }

  static std::optional<MailboxAccount> Claim(Store& store, UnixSeconds now) {
    std::optional<MailboxAccount> out;
    Status st = store.Transact([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(out, tx.ClaimDueMailbox(now, 600));
      return Status();
    });
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    return out;
  }

  std::vector<std::string> Uidls(Id id) {
    std::vector<std::string> out;
    RD_EXPECT_OK(Run([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(out, tx.ListMailboxUidls(id));
      return Status();
    }));
    return out;
  }

  domain::Channel channel_;
};

TEST_P(MailboxesTest, RoundTripKeepsEveryField) {
  MailboxAccount created = Create(Account("support-imap"));
  ASSERT_GT(created.id, 0);
  std::optional<MailboxAccount> found;
  RD_ASSERT_OK(Run([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(found, tx.FindMailboxByName("support-imap"));
    return Status();
  }));
  ASSERT_TRUE(found.has_value());
  const MailboxAccount& m = *found;
  EXPECT_EQ(m.id, created.id);
  EXPECT_EQ(m.channel_id, channel_.id);
  EXPECT_EQ(m.protocol, domain::MailProtocol::kImap);
  EXPECT_EQ(m.host, "imap.example.com");
  EXPECT_EQ(m.port, 993);
  EXPECT_EQ(m.tls, domain::MailboxTls::kTls);
  EXPECT_EQ(m.user, "support");
  EXPECT_EQ(m.password_encrypted, std::string("\0\x01\xff secret\0", 11));
  EXPECT_EQ(m.folder, "INBOX");
  EXPECT_EQ(m.poll_interval_seconds, 120);
  EXPECT_EQ(m.after_import, domain::AfterImport::kMove);
  EXPECT_EQ(m.move_to, "Imported");
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.uid_validity, 0);
  EXPECT_EQ(m.last_uid, 0);
  EXPECT_FALSE(m.last_success_at.has_value());
  EXPECT_EQ(m.last_error, "");
  EXPECT_FALSE(m.last_error_at.has_value());
  EXPECT_EQ(m.imported_count, 0);
  EXPECT_EQ(m.failures, 0);
  EXPECT_EQ(m.next_poll_at, kNow);
  EXPECT_EQ(m.created_at, kNow - 10);
}

TEST_P(MailboxesTest, NamesAreUniqueAndListedInOrder) {
  Create(Account("b-box"));
  Create(Account("a-box"));
  Status st = Run([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN([[maybe_unused]] auto m, tx.CreateMailbox(Account("a-box")));
    return Status();
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, util::ErrorCode::kAlreadyExists);
  std::vector<MailboxAccount> all;
  RD_ASSERT_OK(Run([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(all, tx.ListMailboxes());
    return Status();
  }));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "a-box");
  EXPECT_EQ(all[1].name, "b-box");
}

TEST_P(MailboxesTest, ClaimTakesTheSoonestDueAndLeasesIt) {
  MailboxAccount later = Create(Account("later", kNow - 5));
  MailboxAccount sooner = Create(Account("sooner", kNow - 50));
  Create(Account("future", kNow + 1000));
  std::optional<MailboxAccount> first = Claim(*store_, kNow);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id, sooner.id);
  EXPECT_EQ(first->next_poll_at, kNow + 600);
  std::optional<MailboxAccount> second = Claim(*store_, kNow);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->id, later.id);
  EXPECT_FALSE(Claim(*store_, kNow).has_value()) << "leased and future mailboxes are not due";
  // A poller that died holding one: due again when the lease ends.
  std::optional<MailboxAccount> again = Claim(*store_, kNow + 600);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->id == sooner.id || again->id == later.id) << again->name;
}

TEST_P(MailboxesTest, TwoPollersNeverClaimTheSameMailbox) {
  const int kMailboxes = 8;
  for (int i = 0; i < kMailboxes; ++i) Create(Account("box" + std::to_string(i), kNow - i));
  auto other = db_->Open();
  RD_ASSERT_OK(other);
  std::mutex mu;
  std::vector<Id> claimed;
  auto poller = [&](Store* store) {
    while (auto m = Claim(*store, kNow)) {
      std::lock_guard<std::mutex> lock(mu);
      claimed.push_back(m->id);
    }
  };
  std::thread a(poller, store_.get());
  std::thread b(poller, other->get());
  a.join();
  b.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kMailboxes));
  EXPECT_EQ(std::set<Id>(claimed.begin(), claimed.end()).size(), static_cast<size_t>(kMailboxes));
}

TEST_P(MailboxesTest, AdvanceAndFinishRecordProgressAndOutcome) {
  MailboxAccount m = Create(Account("box"));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.AdvanceMailbox(m.id, 777, 50, 50, 950); }));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.AdvanceMailbox(m.id, 777, 100, 48, 900); }));
  MailboxAccount got = Get(m.id);
  EXPECT_EQ(got.uid_validity, 777);
  EXPECT_EQ(got.last_uid, 100);
  EXPECT_EQ(got.imported_count, 98);
  EXPECT_EQ(got.backlog, 900);

  RD_ASSERT_OK(Run([&](Tx& tx) {
    return tx.FinishMailboxPoll(m.id, kNow, std::string("cannot connect"), kNow + 240);
  }));
  RD_ASSERT_OK(Run([&](Tx& tx) {
    return tx.FinishMailboxPoll(m.id, kNow + 240, std::string("login failed"), kNow + 720);
  }));
  got = Get(m.id);
  EXPECT_EQ(got.failures, 2);
  EXPECT_EQ(got.last_error, "login failed");
  EXPECT_EQ(got.last_error_at, kNow + 240);
  EXPECT_EQ(got.next_poll_at, kNow + 720);
  EXPECT_FALSE(got.last_success_at.has_value());

  RD_ASSERT_OK(Run(
      [&](Tx& tx) { return tx.FinishMailboxPoll(m.id, kNow + 720, std::nullopt, kNow + 840); }));
  got = Get(m.id);
  EXPECT_EQ(got.failures, 0);
  EXPECT_EQ(got.last_success_at, kNow + 720);
  EXPECT_EQ(got.last_error, "login failed") << "the last error stays visible, with its time";
  EXPECT_EQ(got.next_poll_at, kNow + 840);
}

TEST_P(MailboxesTest, NewsMakesAMailboxDueButNeverLater) {
  MailboxAccount later = Create(Account("later", kNow + 3600));
  MailboxAccount sooner = Create(Account("sooner", kNow - 10));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.MakeMailboxDue(later.id, kNow); }));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.MakeMailboxDue(sooner.id, kNow); }));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.MakeMailboxDue(later.id + sooner.id + 100, kNow); }));
  EXPECT_EQ(Get(later.id).next_poll_at, kNow);
  EXPECT_EQ(Get(sooner.id).next_poll_at, kNow - 10);  // already due: unchanged
  ASSERT_TRUE(Claim(*store_, kNow).has_value());
  ASSERT_TRUE(Claim(*store_, kNow).has_value());
}

TEST_P(MailboxesTest, UidlsAreAddedOnceRemovedAndGoWithTheMailbox) {
  MailboxAccount m = Create(Account("pop"));
  MailboxAccount other = Create(Account("pop2"));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.AddMailboxUidls(m.id, {"u1", "u2", "u3"}, kNow); }));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.AddMailboxUidls(m.id, {"u2", "u4"}, kNow); }));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.AddMailboxUidls(other.id, {"u1"}, kNow); }));
  EXPECT_EQ(Uidls(m.id), (std::vector<std::string>{"u1", "u2", "u3", "u4"}));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.RemoveMailboxUidls(m.id, {"u1", "u3", "nope"}); }));
  EXPECT_EQ(Uidls(m.id), (std::vector<std::string>{"u2", "u4"}));
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.DeleteMailbox(m.id); }));
  EXPECT_TRUE(Uidls(m.id).empty());
  EXPECT_EQ(Uidls(other.id), (std::vector<std::string>{"u1"}));
  Status st = Run([&](Tx& tx) { return tx.DeleteMailbox(m.id); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, util::ErrorCode::kNotFound);
}

TEST_P(MailboxesTest, InboundKeepsItsDefaultChannel) {
  NewInbound in;
  in.raw_sha256 = std::string(64, 'a');
  in.size = 10;
  in.source = "imap";
  in.received_at = kNow;
  in.default_channel_id = channel_.id;
  NewInbound plain = in;
  plain.raw_sha256 = std::string(64, 'b');
  plain.default_channel_id.reset();
  domain::Inbound a, b;
  RD_ASSERT_OK(Run([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(auto ra, tx.InsertInbound(in));
    RD_ASSIGN_OR_RETURN(auto rb, tx.InsertInbound(plain));
    RD_ASSIGN_OR_RETURN(a, tx.GetInbound(ra.id));
    RD_ASSIGN_OR_RETURN(b, tx.GetInbound(rb.id));
    return Status();
  }));
  EXPECT_EQ(a.default_channel_id, channel_.id);
  EXPECT_FALSE(b.default_channel_id.has_value());
}

// Migrations merged from branches in another order: a database that has 0004
// but not 0003 gets 0003 when it arrives. Simulated by forgetting 0002.
TEST_P(MailboxesTest, AMigrationMissingBelowTheNewestIsApplied) {
  store_.reset();
  const std::string url = db_->Options().url;
  std::unique_ptr<SqlConnection> conn;
  if (GetParam() == Backend::kSqlite) {
    auto c = SqliteConnection::Open(url, 5000);
    RD_ASSERT_OK(c);
    conn = std::move(*c);
  } else {
    auto c = PgConnection::Open(url);
    RD_ASSERT_OK(c);
    conn = std::move(*c);
  }
  RD_ASSERT_OK(conn->ExecScript(std::string("DROP TABLE users") +
                                (GetParam() == Backend::kPostgres ? " CASCADE" : "") +
                                "; DELETE FROM schema_migrations WHERE version = 2"));
  conn.reset();
  auto reopened = db_->Open();
  RD_ASSERT_OK(reopened);
  reopened->reset();
  // 0002 ran again: its table is back (later migrations' columns on it are
  // not, which is why real migrations never depend on such a replay).
  if (GetParam() == Backend::kSqlite) {
    auto c = SqliteConnection::Open(url, 5000);
    RD_ASSERT_OK(c);
    conn = std::move(*c);
  } else {
    auto c = PgConnection::Open(url);
    RD_ASSERT_OK(c);
    conn = std::move(*c);
  }
  RD_ASSERT_OK(conn->ExecScript("SELECT email, password_hash FROM users"));
}

RD_STORE_TEST_SUITE(MailboxesTest);

}  // namespace
}  // namespace replydesk::store::testing
