// MailboxPoller against an in-memory server (fake_remote_mailbox.h), on
// SQLite and PostgreSQL: nothing is disposed before its accept commit; a crash
// at each step (simulated by the step hook) loses nothing and duplicates
// nothing; UIDVALIDITY resets rescan without duplicates; POP3 UIDLs and
// delete-after-import; failures back off and are visible; large imports go in
// slices; the mailbox's channel routes mail addressed elsewhere.
#include "services/mailbox_poller.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fake_remote_mailbox.h"
#include "services/inbound_worker.h"
#include "services/mailbox_service.h"
#include "services_test_env.h"
#include "util/sha256.h"

namespace replydesk::services {
namespace {

using domain::MailboxAccount;
using fake::FakeFactory;
using fake::FakeServer;

struct SimulatedCrash {
  std::string point;
};

class MailboxPollerTest : public ServicesTest {
 protected:
  void SetUp() override {
    ServicesTest::SetUp();
    if (IsSkipped()) return;
    key_ = std::make_unique<util::SecretBox>(*util::SecretBox::FromKey(std::string(32, 'k')));
    for (const char* address : {"support@ours.example", "sales@ours.example"}) {
      Read<domain::Channel>([&](store::Tx& tx) {
        domain::Channel c;
        c.address = address;
        return tx.CreateChannel(c);
      });
    }
  }

  MailboxAccount AddAccount(domain::MailProtocol protocol = domain::MailProtocol::kImap,
                            std::optional<domain::AfterImport> after = std::nullopt,
                            const std::string& channel = "support@ours.example") {
    MailboxService service(store(), clock_, key_.get());
    NewMailbox m;
    m.name = "box";
    m.channel_address = channel;
    m.protocol = protocol;
    m.host = "127.0.0.1";
    m.tls = domain::MailboxTls::kNone;
    m.user = "support";
    m.password = "secret";
    m.poll_interval_seconds = 60;
    m.after_import = after;
    auto added = service.Add(m);
    EXPECT_TRUE(added.ok()) << added.error().ToString();
    return Account();
  }

  MailboxAccount Account() {
    return Read<MailboxAccount>([](store::Tx& tx) -> util::Result<MailboxAccount> {
      RD_ASSIGN_OR_RETURN(auto found, tx.FindMailboxByName("box"));
      if (!found) return util::MakeError(util::ErrorCode::kNotFound, "test");
      return *found;
    });
  }

  std::unique_ptr<MailboxPoller> Poller() {
    auto poller = std::make_unique<MailboxPoller>(store(), factory_, key_.get(), clock_, settings_);
    if (inline_) {  // as `mailbox fetch` runs it: processing on a second connection
      if (!committer_store_) {
        auto opened = store::Store::Open(db_->Options());
        EXPECT_TRUE(opened.ok());
        committer_store_ = std::move(*opened);
        preparer_ = std::make_unique<InboundWorker>(store(), clock_, settings_, "fetch");
        committer_ = std::make_unique<InboundWorker>(*committer_store_, clock_, settings_, "fetch");
        committer_service_ = std::make_unique<InboundService>(*committer_store_, clock_, settings_);
      }
      poller->ProcessInline(preparer_.get(), committer_service_.get(), committer_.get(),
                            committer_store_.get());
    }
    return poller;
  }

  int64_t Jobs() {
    return Read<int64_t>([](store::Tx& tx) { return tx.CountJobs(""); });
  }

  void CrashAtEveryStepThenCheck();

  util::Result<PollResult> Poll(PollOptions options = {}) {
    return Poller()->PollOnce(Account(), options);
  }

  // Polls with a hook that "crashes" at the n-th time `point` is reached.
  void PollAndCrashAt(const std::string& point, int nth, PollOptions options = {}) {
    auto poller = Poller();
    int hits = 0;
    poller->set_step_hook([&](std::string_view step) {
      if (step == point && ++hits == nth) throw SimulatedCrash{point};
    });
    MailboxAccount account = Account();
    EXPECT_THROW((void)poller->PollOnce(account, options), SimulatedCrash) << point;
  }

  std::vector<domain::Inbound> AllInbound() {
    return Read<std::vector<domain::Inbound>>([](store::Tx& tx) {
      store::InboundFilter f;
      f.limit = 100000;
      return tx.ListInbound(f);
    });
  }

  void Deliver(int n, const std::string& to = "support@ours.example") {
    for (int i = 0; i < n; ++i) {
      const int k = delivered_++;
      server_.Deliver(Mail("<m" + std::to_string(k) + "@example.com>",
                           "c" + std::to_string(k) + "@example.com", "Case " + std::to_string(k),
                           "Body " + std::to_string(k), "")
                          .replace(0, 0, "Delivered-To: " + to + "\n"));
    }
  }

  // Every delivered message is stored exactly once.
  void ExpectEachMessageOnce() {
    auto rows = AllInbound();
    std::set<std::string> ids;
    for (const auto& r : rows) ids.insert(r.message_id);
    EXPECT_EQ(rows.size(), static_cast<size_t>(delivered_));
    EXPECT_EQ(ids.size(), static_cast<size_t>(delivered_));
  }

  bool inline_ = false;  // ProcessInline
  std::unique_ptr<store::Store> committer_store_;
  std::unique_ptr<InboundWorker> preparer_, committer_;
  std::unique_ptr<InboundService> committer_service_;
  FakeServer server_;
  FakeFactory factory_{server_};
  IngestSettings settings_;
  std::unique_ptr<util::SecretBox> key_;
  int delivered_ = 0;
};

TEST_P(MailboxPollerTest, ImportsEveryMessageAndDisposesOnlyCommittedOnes) {
  AddAccount();
  Deliver(120);
  // At each Dispose, every message disposed must already be in the store.
  server_.on_dispose = [&](const std::vector<RemoteMessageRef>& refs) {
    std::set<std::string> stored;
    for (const auto& row : AllInbound()) stored.insert(row.raw_sha256);
    for (const auto& ref : refs) {
      const auto& m = server_.messages[ref.uid_number - 1];
      EXPECT_TRUE(stored.count(util::Sha256Hex(m.raw))) << "disposed before commit: " << ref.uid;
    }
  };
  auto r = Poll();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->listed, 120);
  EXPECT_EQ(r->imported, 120);
  EXPECT_EQ(r->duplicates, 0);
  EXPECT_EQ(r->remaining, 0);
  EXPECT_EQ(server_.Seen(), 120);
  ExpectEachMessageOnce();
  for (const auto& row : AllInbound()) EXPECT_EQ(row.source, "imap");
  MailboxAccount a = Account();
  EXPECT_EQ(a.uid_validity, 1000);
  EXPECT_EQ(a.last_uid, 120);
  EXPECT_EQ(a.imported_count, 120);
  EXPECT_EQ(a.backlog, 0);
  EXPECT_EQ(a.failures, 0);
  EXPECT_EQ(a.last_success_at, clock_.Now());
  EXPECT_EQ(a.next_poll_at, clock_.Now() + 60);
  // Batches of 50: accept, then dispose, three times.
  std::vector<std::string> disposes;
  for (const auto& l : server_.log) {
    if (l.rfind("dispose", 0) == 0) disposes.push_back(l);
  }
  EXPECT_EQ(disposes.size(), 3u);
  EXPECT_EQ(server_.log.back(), "close");
}

TEST_P(MailboxPollerTest, NextPollFetchesOnlyNewMail) {
  AddAccount();
  Deliver(5);
  ASSERT_TRUE(Poll().ok());
  Deliver(2);
  server_.log.clear();
  auto r = Poll();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->listed, 2);
  EXPECT_EQ(r->imported, 2);
  EXPECT_EQ(server_.Fetches(), 2);
  EXPECT_EQ(Account().imported_count, 7);
  ExpectEachMessageOnce();
}

// A crash at each step of a batch, in the second batch: the next poll repeats
// only idempotent work and ends with every message once, all disposed.
TEST_P(MailboxPollerTest, CrashAtEveryStepLosesNothingAndDuplicatesNothing) {
  CrashAtEveryStepThenCheck();
}

// The same with processing in the accepting transaction (`mailbox fetch`):
// batch 2 commits while batch 3 is fetched, and is disposed only after.
TEST_P(MailboxPollerTest, CrashAtEveryStepWithInlineProcessingLosesNothing) {
  inline_ = true;
  CrashAtEveryStepThenCheck();
  for (const auto& row : AllInbound()) {
    EXPECT_EQ(row.state, domain::InboundState::kProcessed) << row.id;
  }
  EXPECT_EQ(Jobs(), 0);
}

TEST_P(MailboxPollerTest, InlineProcessingMakesTicketsAndDisposesOnlyCommittedOnes) {
  inline_ = true;
  AddAccount();
  Deliver(120);
  std::vector<size_t> stored_at_dispose;
  server_.on_dispose = [&](const std::vector<RemoteMessageRef>& refs) {
    std::set<std::string> stored;
    for (const auto& row : AllInbound()) {
      // Committed with its processing: never a row still queued.
      EXPECT_EQ(row.state, domain::InboundState::kProcessed) << row.id;
      stored.insert(row.raw_sha256);
    }
    for (const auto& ref : refs) {
      const auto& m = server_.messages[ref.uid_number - 1];
      EXPECT_TRUE(stored.count(util::Sha256Hex(m.raw))) << "disposed before commit: " << ref.uid;
    }
    stored_at_dispose.push_back(stored.size());
  };
  auto r = Poll();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->imported, 120);
  EXPECT_EQ(server_.Seen(), 120);
  ExpectEachMessageOnce();
  store::TicketFilter all;
  all.limit = 1000;
  EXPECT_EQ(
      Read<std::vector<domain::Ticket>>([&](store::Tx& tx) { return tx.ListTickets(all); }).size(),
      120u);
  EXPECT_EQ(Jobs(), 0);
  EXPECT_EQ(Account().last_uid, 120);
  // Three batches of 50, 50 and 20; a batch is disposed after its own commit.
  ASSERT_EQ(stored_at_dispose.size(), 3u);
  EXPECT_EQ(stored_at_dispose[0], 50u);
  EXPECT_EQ(stored_at_dispose[1], 100u);
  EXPECT_EQ(stored_at_dispose[2], 120u);
  EXPECT_EQ(server_.log.back(), "close");
}

void MailboxPollerTest::CrashAtEveryStepThenCheck() {
  for (const char* point :
       {"mailbox.after_accept", "mailbox.after_dispose", "mailbox.after_progress"}) {
    SCOPED_TRACE(point);
    server_ = FakeServer();
    Read<int>([&](store::Tx& tx) -> util::Result<int> {
      auto found = tx.FindMailboxByName("box");
      if (found.ok() && *found) RD_RETURN_IF_ERROR(tx.DeleteMailbox((*found)->id));
      return 0;
    });
    AddAccount();
    const int before = delivered_;
    Deliver(120);
    PollAndCrashAt(point, 2);
    auto r = Poll();
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    // Batch 2 is repeated (as duplicates) unless its progress was committed.
    const bool progressed = std::string(point) == "mailbox.after_progress";
    EXPECT_EQ(r->duplicates, progressed ? 0 : 50);
    EXPECT_EQ(r->imported, 20);
    EXPECT_EQ(server_.Seen(), 120);
    EXPECT_EQ(Account().last_uid, 120);
    // The counter moves with the progress commit: a batch whose progress was
    // lost is repeated as duplicates, which are not counted (documented).
    EXPECT_EQ(Account().imported_count, progressed ? 120 : 70);
    EXPECT_EQ(AllInbound().size(), static_cast<size_t>(delivered_));
    EXPECT_EQ(delivered_ - before, 120);
  }
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollerTest, FailedFetchKeepsTheCommittedBatchesAndResumes) {
  AddAccount();
  Deliver(80);
  server_.fail_fetch_at = 60;  // in the second batch
  auto failed = Poll();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().detail, "mailbox.connect");
  MailboxAccount a = Account();
  EXPECT_EQ(a.last_uid, 50);
  EXPECT_EQ(a.imported_count, 50);
  EXPECT_EQ(a.failures, 1);
  EXPECT_EQ(a.last_error, "cannot connect: connection reset by peer");
  EXPECT_EQ(a.last_error_at, clock_.Now());
  EXPECT_EQ(server_.Seen(), 50);
  auto r = Poll();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->imported, 30);
  EXPECT_EQ(server_.Seen(), 80);
  EXPECT_EQ(Account().failures, 0);
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollerTest, UidValidityChangeRescansWithoutDuplicates) {
  AddAccount();
  Deliver(10);
  ASSERT_TRUE(Poll().ok());
  server_.ResetUidValidity();
  Deliver(2);
  auto r = Poll();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->uid_validity_changed);
  EXPECT_EQ(r->listed, 12);
  EXPECT_EQ(r->duplicates, 10);
  EXPECT_EQ(r->imported, 2);
  MailboxAccount a = Account();
  EXPECT_EQ(a.uid_validity, 1001);
  EXPECT_EQ(a.last_uid, 12);
  EXPECT_EQ(a.imported_count, 12);
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollerTest, UidValidityChangeOnAnEmptyFolderIsRecorded) {
  AddAccount();
  Deliver(3);
  ASSERT_TRUE(Poll().ok());
  server_.messages.clear();
  server_.ResetUidValidity();
  ASSERT_TRUE(Poll().ok());
  EXPECT_EQ(Account().uid_validity, 1001);
  EXPECT_EQ(Account().last_uid, 0);
}

TEST_P(MailboxPollerTest, MoveAfterImport) {
  MailboxService service(store(), clock_, key_.get());
  NewMailbox m;
  m.name = "box";
  m.channel_address = "support@ours.example";
  m.host = "localhost";
  m.tls = domain::MailboxTls::kNone;
  m.user = "u";
  m.password = "secret";
  m.after_import = domain::AfterImport::kMove;
  m.move_to = "Archive";
  ASSERT_TRUE(service.Add(m).ok());
  Deliver(3);
  ASSERT_TRUE(Poll().ok());
  EXPECT_EQ(factory_.last_config.move_to, "Archive");
  EXPECT_TRUE(server_.messages.empty());
  EXPECT_EQ(server_.moved.size(), 3u);
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollerTest, Pop3TracksUidlsAndKeepsMessages) {
  AddAccount(domain::MailProtocol::kPop3);
  EXPECT_EQ(Account().after_import, domain::AfterImport::kKeep);
  Deliver(4);
  ASSERT_TRUE(Poll().ok());
  Deliver(1);
  server_.log.clear();
  auto r = Poll();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->listed, 1);
  EXPECT_EQ(server_.Fetches(), 1);
  EXPECT_EQ(server_.messages.size(), 5u);
  for (const auto& row : AllInbound()) EXPECT_EQ(row.source, "pop3");
  // A message removed on the server by someone else: its UIDL is forgotten.
  server_.messages.erase(server_.messages.begin());
  ASSERT_TRUE(Poll().ok());
  const domain::Id id = Account().id;
  auto uidls =
      Read<std::vector<std::string>>([&](store::Tx& tx) { return tx.ListMailboxUidls(id); });
  EXPECT_EQ(uidls.size(), 4u);
  EXPECT_EQ(std::count(uidls.begin(), uidls.end(), "uidl-1"), 0);
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollerTest, Pop3DeleteAfterImportEmptiesTheServer) {
  AddAccount(domain::MailProtocol::kPop3, domain::AfterImport::kDelete);
  Deliver(60);
  auto r = Poll();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->imported, 60);
  EXPECT_TRUE(server_.messages.empty());
  ExpectEachMessageOnce();
  ASSERT_TRUE(Poll().ok());
  const domain::Id id = Account().id;
  auto uidls =
      Read<std::vector<std::string>>([&](store::Tx& tx) { return tx.ListMailboxUidls(id); });
  EXPECT_TRUE(uidls.empty()) << "UIDLs of deleted messages are forgotten";
}

// Killed before QUIT: the server forgets the DELEs; the next poll deletes
// again without fetching.
TEST_P(MailboxPollerTest, Pop3CrashBeforeQuitDeletesAgainWithoutFetching) {
  AddAccount(domain::MailProtocol::kPop3, domain::AfterImport::kDelete);
  Deliver(5);
  PollAndCrashAt("mailbox.after_progress", 1);
  EXPECT_EQ(server_.messages.size(), 5u);
  server_.log.clear();
  auto r = Poll();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->listed, 0);
  EXPECT_EQ(server_.Fetches(), 0);
  EXPECT_TRUE(server_.messages.empty());
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollerTest, WrongPasswordBacksOffAndIsVisible) {
  AddAccount();
  Deliver(1);
  server_.password = "changed";
  const util::UnixSeconds t0 = clock_.Now();
  auto r = Poll();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, util::ErrorCode::kPermissionDenied);
  MailboxAccount a = Account();
  EXPECT_EQ(a.failures, 1);
  EXPECT_EQ(a.last_error,
            "login failed (wrong user or password?): "
            "[AUTHENTICATIONFAILED] Authentication failed.");
  EXPECT_EQ(a.next_poll_at, t0 + 120);
  clock_.Advance(120);
  ASSERT_FALSE(Poll().ok());
  EXPECT_EQ(Account().failures, 2);
  EXPECT_EQ(Account().next_poll_at, t0 + 120 + 240);
  // Not due before the backoff ends.
  auto poller = Poller();
  auto none = poller->PollNextDue({});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  clock_.Advance(240);
  server_.password = "secret";
  auto due = poller->PollNextDue({});
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(*due);
  a = Account();
  EXPECT_EQ(a.failures, 0);
  EXPECT_EQ(a.last_success_at, clock_.Now());
  EXPECT_EQ(a.imported_count, 1);
}

TEST_P(MailboxPollerTest, ConnectionRefusedIsDescribed) {
  AddAccount();
  server_.open_error =
      util::MakeError(util::ErrorCode::kUnavailable, "mailbox.connect", "Connection refused");
  ASSERT_FALSE(Poll().ok());
  EXPECT_EQ(Account().last_error, "cannot connect: Connection refused");
}

TEST_P(MailboxPollerTest, AnotherServerKeyCannotDecrypt) {
  AddAccount();
  key_ = std::make_unique<util::SecretBox>(*util::SecretBox::FromKey(std::string(32, 'x')));
  auto r = Poll();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Account().last_error, "cannot decrypt mailbox password: server key changed?");
  EXPECT_TRUE(server_.log.empty()) << "nothing sent to the server";
}

TEST_P(MailboxPollerTest, LargeImportGoesInSlicesWithProgress) {
  AddAccount();
  Deliver(120);
  PollOptions options;
  options.max_messages = 50;
  std::vector<PollProgress> seen;
  options.progress = [&](const PollProgress& p) { seen.push_back(p); };
  auto r = Poll(options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->imported, 50);
  EXPECT_EQ(r->remaining, 70);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].done, 50);
  EXPECT_EQ(seen[0].total, 50);
  MailboxAccount a = Account();
  EXPECT_EQ(a.backlog, 70);
  EXPECT_EQ(a.next_poll_at, clock_.Now()) << "due again at once";
  ASSERT_TRUE(Poll(options).ok());
  ASSERT_TRUE(Poll(options).ok());
  EXPECT_EQ(Account().backlog, 0);
  EXPECT_EQ(Account().next_poll_at, clock_.Now() + 60);
  ExpectEachMessageOnce();
}

TEST_P(MailboxPollerTest, OversizedMessageIsLeftOnTheServerAndSkipped) {
  settings_.max_message_bytes = 400;
  AddAccount();
  Deliver(1);
  server_.Deliver(std::string(1000, 'x'));
  Deliver(1);
  auto r = Poll();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->refused, 1);
  EXPECT_EQ(r->imported, 2);
  EXPECT_EQ(server_.Seen(), 2);
  EXPECT_FALSE(server_.messages[1].seen);
  EXPECT_EQ(Account().last_uid, 3);
  EXPECT_EQ(AllInbound().size(), 2u);
}

TEST_P(MailboxPollerTest, MailboxChannelRoutesMailNotAddressedToAChannel) {
  AddAccount(domain::MailProtocol::kImap, std::nullopt, "sales@ours.example");
  Deliver(1, "someone@elsewhere.example");  // forwarded: no address of ours
  Deliver(1, "support@ours.example");       // an address wins over the mailbox
  server_.messages[0].raw =
      "From: a@example.com\nTo: x@elsewhere.example\nSubject: A\n"
      "Message-ID: <a@x>\n\nhi\n";
  server_.messages[1].raw =
      "From: b@example.com\nTo: support@ours.example\nSubject: B\n"
      "Message-ID: <b@x>\n\nhi\n";
  ASSERT_TRUE(Poll().ok());
  InboundWorker worker(store(), clock_, settings_, "test");
  ASSERT_TRUE(worker.Drain().ok());
  auto channels =
      Read<std::vector<domain::Channel>>([](store::Tx& tx) { return tx.ListChannels(); });
  std::map<domain::Id, std::string> address;
  for (const auto& c : channels) address[c.id] = c.address;
  std::map<std::string, std::string> by_subject;
  for (const auto& t : Tickets()) by_subject[t.subject] = address[t.channel_id.value_or(0)];
  EXPECT_EQ(by_subject["A"], "sales@ours.example");
  EXPECT_EQ(by_subject["B"], "support@ours.example");
}

INSTANTIATE_TEST_SUITE_P(Backends, MailboxPollerTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::services
