// The inbound pipeline end to end below the CLI: accept, process, thread.
// Runs on SQLite and PostgreSQL (store_test_env).
#include <gtest/gtest.h>

#include <filesystem>

#include "services/inbound_service.h"
#include "services/inbound_worker.h"
#include "services/raw_message_cache.h"
#include "services_test_env.h"

namespace replydesk::services {
namespace {

using domain::InboundState;
using domain::TicketStatus;

class InboundPipelineTest : public ServicesTest {
 protected:
  void SetUp() override {
    ServicesTest::SetUp();
    service_ = std::make_unique<InboundService>(store(), clock_, settings_);
    worker_ = std::make_unique<InboundWorker>(store(), clock_, settings_, "test");
  }

  AcceptResult Deliver(const std::string& raw, std::vector<std::string> rcpt = {},
                       const std::string& source = "test") {
    auto r = service_->Accept({raw, source, "", std::move(rcpt)});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
    return r.ok() ? *r : AcceptResult{};
  }

  BatchResult Process() {
    auto r = worker_->Drain();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
    return r.ok() ? *r : BatchResult{};
  }

  IngestSettings settings_;
  std::unique_ptr<InboundService> service_;
  std::unique_ptr<InboundWorker> worker_;
};

TEST_P(InboundPipelineTest, NewMessageBecomesTicketWithCustomerAndArticle) {
  Deliver(Mail("<m1@x>", "Ivan Petrov <Ivan@Example.ru>", "Printer broken", "It jams."));
  EXPECT_EQ(Process().new_tickets, 1);
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].subject, "Printer broken");
  EXPECT_EQ(tickets[0].number, 100001);
  EXPECT_EQ(tickets[0].status, TicketStatus::kNew);
  auto articles = Articles(tickets[0].id);
  ASSERT_EQ(articles.size(), 1u);
  EXPECT_EQ(articles[0].sender_address, "ivan@example.ru");
  EXPECT_EQ(articles[0].message_id, "m1@x");
  EXPECT_NE(articles[0].body_text.find("It jams."), std::string::npos);
  auto customer = Customer(tickets[0].customer_id);
  EXPECT_EQ(customer.name, "Ivan Petrov");
  ASSERT_EQ(customer.identities.size(), 1u);
  EXPECT_EQ(customer.identities[0].value, "ivan@example.ru");
  auto inbound = Inbound(articles[0].inbound_id.value());
  EXPECT_EQ(inbound.state, InboundState::kProcessed);
  EXPECT_EQ(inbound.ticket_id, tickets[0].id);
}

TEST_P(InboundPipelineTest, RepliesJoinByInReplyToReferencesAndTag) {
  Deliver(Mail("<m1@x>", "a@x.com", "Printer broken", "first"));
  Deliver(Mail("<m2@x>", "a@x.com", "Re: Printer broken", "second", "In-Reply-To: <m1@x>\n"));
  Deliver(Mail("<m3@x>", "b@y.com", "totally different", "third",
               "References: <zzz@nowhere> <m2@x>\n"));
  Process();
  Deliver(Mail("<m4@x>", "c@z.com", "Re: whatever [#T-100001]", "fourth"));
  Process();
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(Articles(tickets[0].id).size(), 4u);
}

TEST_P(InboundPipelineTest, ReplyBeforeParentEndsUpInOneTicket) {
  // The reply arrives first and references a parent we have not seen (a ghost).
  Deliver(Mail("<child@x>", "a@x.com", "Re: Invoice", "reply", "In-Reply-To: <parent@x>\n"));
  Process();
  Deliver(Mail("<parent@x>", "b@x.com", "Invoice", "original"));
  Process();
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(Articles(tickets[0].id).size(), 2u);
}

// Concurrent deliveries can accept a reply just before its own request; in
// one batch the request is processed first all the same, and opens the ticket.
TEST_P(InboundPipelineTest, InOneBatchARequestIsProcessedBeforeItsReplies) {
  Deliver(Mail("<c2@x>", "a@x.com", "Re: Re: Printer", "second reply",
               "In-Reply-To: <c1@x>\nReferences: <p@x> <c1@x>\n"));
  Deliver(Mail("<c1@x>", "a@x.com", "Re: Printer", "first reply", "In-Reply-To: <p@x>\n"));
  Deliver(Mail("<other@x>", "b@x.com", "Unrelated", "hello"));
  Deliver(Mail("<p@x>", "a@x.com", "Printer", "the request"));
  Process();
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 2u);
  for (const auto& t : tickets) {
    auto articles = Articles(t.id);
    if (t.subject == "Unrelated") {
      EXPECT_EQ(articles.size(), 1u);
      continue;
    }
    EXPECT_EQ(t.subject, "Printer");
    ASSERT_EQ(articles.size(), 3u);
    EXPECT_EQ(articles[0].message_id, "p@x");
    EXPECT_EQ(articles[1].message_id, "c1@x");
    EXPECT_EQ(articles[2].message_id, "c2@x");
  }
}

// Across batches: the reply, claimed before its request was, waits for it.
TEST_P(InboundPipelineTest, AReplyAcceptedBeforeItsRequestWaitsForIt) {
  Deliver(Mail("<c1@x>", "a@x.com", "Re: Printer", "reply", "In-Reply-To: <p@x>\n"), {}, "lmtp");
  Deliver(Mail("<p@x>", "a@x.com", "Printer", "the request"), {}, "lmtp");
  auto first = worker_->RunBatch(1);  // claims the reply alone: given back
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->claimed, 1);
  EXPECT_EQ(first->processed, 0);
  EXPECT_EQ(Process().processed, 1);  // the request; the reply is not ready yet
  ASSERT_EQ(Tickets().size(), 1u);
  clock_.Advance(1);
  EXPECT_EQ(Process().processed, 1);
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  auto articles = Articles(tickets[0].id);
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[0].message_id, "p@x");
  EXPECT_EQ(articles[1].message_id, "c1@x");
  EXPECT_EQ(Inbound(1).state, InboundState::kProcessed);
  EXPECT_EQ(Inbound(1).attempts, 1);  // a wait is not a failed attempt

  // A request that stays queued holds its reply back for a minute at most.
  Deliver(Mail("<c9@x>", "z@x.com", "Re: Stuck", "reply", "In-Reply-To: <s9@x>\n"), {}, "pipe");
  clock_.Advance(InboundWorker::kWaitForRequestSeconds + 1);
  Deliver(Mail("<s9@x>", "z@x.com", "Stuck", "the request"), {}, "pipe");
  auto late = worker_->RunBatch(1);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->processed, 1);
  Process();

  // A reply to a message we never get waits its grace period, then goes on.
  const size_t before = Tickets().size();
  Deliver(Mail("<c7@x>", "y@x.com", "Re: Lost", "reply", "In-Reply-To: <lost@x>\n"), {}, "lmtp");
  EXPECT_EQ(Process().processed, 0);
  clock_.Advance(1);
  EXPECT_EQ(Process().processed, 0);
  clock_.Advance(InboundWorker::kGraceSeconds - 1);
  EXPECT_EQ(Process().processed, 1);
  EXPECT_EQ(Tickets().size(), before + 1);
  // Imported mail never waits: the import hands messages over in order.
  Deliver(Mail("<c8@x>", "y@x.com", "Re: Lost 2", "reply", "In-Reply-To: <lost2@x>\n"), {},
          "import");
  EXPECT_EQ(Process().processed, 1);
}

TEST_P(InboundPipelineTest, SubjectFallbackIsConservative) {
  Deliver(Mail("<m1@x>", "a@x.com", "Refund", "first"));
  Process();
  // Same customer, reply prefix, no headers: joins.
  Deliver(Mail("<m2@x>", "a@x.com", "Отв: RE: refund", "second"));
  // Same subject without a reply prefix: a new request.
  Deliver(Mail("<m3@x>", "a@x.com", "Refund", "third"));
  // Another customer with the same reply subject: never hijacks.
  Deliver(Mail("<m4@x>", "other@x.com", "Re: Refund", "fourth"));
  Process();
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 3u);
  size_t two = 0;
  for (const auto& t : tickets) two += Articles(t.id).size() == 2;
  EXPECT_EQ(two, 1u);
  // Outside the window the fallback no longer joins.
  clock_.Advance(int64_t{settings_.fallback_window_days + 1} * 86400);
  Deliver(Mail("<m5@x>", "a@x.com", "Re: Refund", "late"));
  Process();
  EXPECT_EQ(Tickets().size(), 4u);
}

TEST_P(InboundPipelineTest, DuplicatesAreStoredOnce) {
  std::string raw = Mail("<dup@x>", "a@x.com", "Hello", "body");
  EXPECT_FALSE(Deliver(raw).duplicate);
  EXPECT_TRUE(Deliver(raw).duplicate);
  // Same Message-ID and sender, different bytes (another relay's Received line).
  EXPECT_TRUE(Deliver("Received: from relay2\n" + raw).duplicate);
  // Same Message-ID from another sender (a list rewriting From for DMARC) is
  // kept, and joins the ticket of the message it claims to be.
  EXPECT_FALSE(Deliver(Mail("<dup@x>", "b@x.com", "Hello", "body")).duplicate);
  Process();
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(Articles(tickets[0].id).size(), 2u);
}

TEST_P(InboundPipelineTest, TooLargeIsRefused) {
  settings_.max_message_bytes = 100;
  InboundService small(store(), clock_, settings_);
  auto r = small.Accept({Mail("<big@x>", "a@x.com", "Big", std::string(200, 'x')), "test", "", {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "inbound.too_large");
}

TEST_P(InboundPipelineTest, FailedProcessingIsKeptAndRetried) {
  AcceptResult a = Deliver(Mail("<m1@x>", "a@x.com", "Hello", "body"));
  domain::Inbound in = Inbound(a.inbound_id);
  // Lose the raw blob: processing must fail visibly, not drop the message.
  std::string raw = *store().blobs().Get(in.raw_sha256);
  ASSERT_TRUE(RemoveBlob(in.raw_sha256));
  BatchResult r = Process();
  EXPECT_EQ(r.failed, 1);
  in = Inbound(a.inbound_id);
  EXPECT_EQ(in.state, InboundState::kFailed);
  EXPECT_NE(in.error.find("blob.not_found"), std::string::npos) << in.error;
  EXPECT_TRUE(Tickets().empty());
  // The blob comes back (restored from backup); an admin retries.
  ASSERT_TRUE(store().blobs().Put(raw).ok());
  ASSERT_TRUE(service_->Retry(a.inbound_id).ok());
  Process();
  EXPECT_EQ(Inbound(a.inbound_id).state, InboundState::kProcessed);
  EXPECT_EQ(Tickets().size(), 1u);
  EXPECT_FALSE(service_->Retry(a.inbound_id).ok());  // processed: nothing to retry
}

TEST_P(InboundPipelineTest, ChannelChosenByReceivingAddressRoutesToTeam) {
  domain::Id team = 0;
  ASSERT_TRUE(store()
                  .Transact([&](store::Tx& tx) -> util::Status {
                    RD_ASSIGN_OR_RETURN(auto t, tx.CreateTeam("Billing"));
                    team = t.id;
                    domain::Channel c;
                    c.address = "billing@ours.example";
                    c.name = "Billing";
                    c.team_id = team;
                    RD_ASSIGN_OR_RETURN([[maybe_unused]] auto created, tx.CreateChannel(c));
                    return util::OkStatus();
                  })
                  .ok());
  Deliver(Mail("<m1@x>", "a@x.com", "Invoice", "body", "Delivered-To: Billing@Ours.Example\n"));
  Process();
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].team_id, team);
}

TEST_P(InboundPipelineTest, AttachmentsAreStoredAsBlobs) {
  std::string raw =
      "From: a@x.com\nTo: support@ours.example\nSubject: Log\nMessage-ID: <att@x>\n"
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain; charset=utf-8\n\nSee attached.\n"
      "--b\nContent-Type: text/plain; name=\"app.log\"\nContent-Disposition: attachment; "
      "filename=\"app.log\"\nContent-Transfer-Encoding: base64\n\naGVsbG8gbG9n\n--b--\n";
  Deliver(raw);
  Process();
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  auto articles = Articles(tickets[0].id);
  ASSERT_EQ(articles.size(), 1u);
  auto atts = Attachments(articles[0].id);
  ASSERT_EQ(atts.size(), 1u);
  EXPECT_EQ(atts[0].filename, "app.log");
  EXPECT_EQ(atts[0].size, 9);
  EXPECT_EQ(*store().blobs().Get(atts[0].sha256), "hello log");
}

TEST_P(InboundPipelineTest, RawFromCacheGivesTheSameTicketsAsFromTheStore) {
  // Two messages of one thread; the first comes from the cache, the second
  // (not in it: a miss) from the store.
  RawMessageCache cache(1 << 20);
  worker_->UseRawCache(&cache);
  std::string first = Mail("<m1@x>", "Ivan <ivan@x.com>", "Printer broken", "It jams.");
  AcceptResult a = Deliver(first);
  EXPECT_EQ(a.raw_sha256, Inbound(a.inbound_id).raw_sha256);
  ASSERT_TRUE(cache.Put(a.raw_sha256, first));
  // Without its stored blob the message can only have come from the cache.
  ASSERT_TRUE(RemoveBlob(a.raw_sha256));
  Deliver(Mail("<m2@x>", "ivan@x.com", "Re: Printer broken", "Still.", "In-Reply-To: <m1@x>\n"));
  BatchResult r = Process();
  EXPECT_EQ(r.processed, 2);
  EXPECT_EQ(r.failed, 0);
  EXPECT_EQ(cache.size(), 0u);  // taken, not kept
  EXPECT_EQ(cache.bytes(), 0u);
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].subject, "Printer broken");
  auto articles = Articles(tickets[0].id);
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[0].message_id, "m1@x");
  EXPECT_EQ(articles[0].sender_name, "Ivan");
  EXPECT_NE(articles[0].body_text.find("It jams."), std::string::npos);
  EXPECT_NE(articles[1].body_text.find("Still."), std::string::npos);
}

TEST_P(InboundPipelineTest, RawCacheMissReadsTheStore) {
  RawMessageCache cache(1 << 20);
  worker_->UseRawCache(&cache);
  AcceptResult a = Deliver(Mail("<m1@x>", "a@x.com", "Hello", "body"));
  // Not in the cache (a worker that crashed took it, or it did not fit): the
  // job, claimed again after its lease, reads the stored blob.
  ASSERT_TRUE(store()
                  .Transact([&](store::Tx& tx) -> util::Status {
                    RD_ASSIGN_OR_RETURN(auto jobs,
                                        tx.ClaimJobs("crashed", {}, clock_.Now(), 1, 10));
                    EXPECT_EQ(jobs.size(), 1u);
                    return util::OkStatus();
                  })
                  .ok());
  clock_.Advance(settings_.job_lease_seconds + 2);
  EXPECT_EQ(Process().processed, 1);
  EXPECT_EQ(Inbound(a.inbound_id).state, InboundState::kProcessed);
  EXPECT_EQ(Tickets().size(), 1u);
}

TEST_P(InboundPipelineTest, BatchPreparedByOneWorkerIsCompletedByAnother) {
  // As import runs it: one connection claims and parses the next batch while
  // another commits the previous one.
  auto second = store::Store::Open(db_->Options());
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  InboundWorker committer(**second, clock_, settings_, "test");
  Deliver(Mail("<m1@x>", "a@x.com", "Invoice", "original"));
  Deliver(Mail("<m2@x>", "a@x.com", "Re: Invoice", "reply", "In-Reply-To: <m1@x>\n"));
  auto first = worker_->ClaimAndPrepare(1);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  auto next = worker_->ClaimAndPrepare(1);  // claimed before the first commits
  ASSERT_TRUE(next.ok()) << next.error().ToString();
  ASSERT_EQ(first->size(), 1u);
  ASSERT_EQ(next->size(), 1u);
  auto empty = worker_->ClaimAndPrepare(1);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());  // both jobs are leased
  auto r1 = committer.Complete(*first);
  ASSERT_TRUE(r1.ok()) << r1.error().ToString();
  EXPECT_EQ(r1->new_tickets, 1);
  auto r2 = committer.Complete(*next);
  ASSERT_TRUE(r2.ok()) << r2.error().ToString();
  EXPECT_EQ(r2->processed, 1);
  EXPECT_EQ(r2->new_tickets, 0);
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].subject, "Invoice");
  auto articles = Articles(tickets[0].id);
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[0].message_id, "m1@x");
  EXPECT_EQ(articles[1].message_id, "m2@x");
  for (const auto& a : articles) {
    EXPECT_EQ(Inbound(*a.inbound_id).state, InboundState::kProcessed);
  }
  EXPECT_EQ(Process().claimed, 0);  // no job left
}

INSTANTIATE_TEST_SUITE_P(Backends, InboundPipelineTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::services
