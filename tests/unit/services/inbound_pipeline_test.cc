// The inbound pipeline end to end below the CLI: accept, process, thread.
// Runs on SQLite and PostgreSQL (store_test_env).
#include <gtest/gtest.h>

#include <filesystem>

#include "services/attachment_reader.h"
#include "services/inbound_service.h"
#include "services/inbound_worker.h"
#include "services_test_env.h"
#include "store/pg_connection.h"
#include "store/sqlite_connection.h"
#include "util/sha256.h"

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

TEST_P(InboundPipelineTest, AttachmentsAreReadFromTheRawMessageNotStoredTwice) {
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
  EXPECT_EQ(atts[0].sha256, util::Sha256Hex("hello log"));
  // The raw message holds the bytes; they are not a blob of their own.
  auto blob = store().blobs().Get(atts[0].sha256);
  ASSERT_FALSE(blob.ok());
  EXPECT_EQ(blob.error().code, util::ErrorCode::kNotFound);
  AttachmentReader reader(store());
  auto content = reader.Read(atts[0].id);
  ASSERT_TRUE(content.ok()) << content.error().ToString();
  EXPECT_EQ(content->data, "hello log");
  EXPECT_EQ(content->attachment.filename, "app.log");
  auto unknown = reader.Read(atts[0].id + 1000);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, util::ErrorCode::kNotFound);
  // A raw message that no longer yields those bytes is a clear error.
  domain::Attachment other = atts[0];
  other.sha256 = std::string(64, 'f');
  other = Read<domain::Attachment>([&](store::Tx& tx) { return tx.AddAttachment(other); });
  auto missing = reader.Read(other.id);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().detail, "attachment.missing");
}

// import: a batch accepted and processed in one transaction, prepared by one
// worker (parse; on PostgreSQL also the blob rows) and committed by another.
TEST_P(InboundPipelineTest, ImportAcceptsAndProcessesABatchInOneTransaction) {
  const std::string request = Mail("<m1@x>", "Ivan <ivan@x.com>", "Printer broken", "It jams.");
  const std::string attachment =
      "From: b@y.com\nTo: support@ours.example\nSubject: Log\nMessage-ID: <att@x>\n"
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain; charset=utf-8\n\nSee attached.\n"
      "--b\nContent-Type: text/plain; name=\"app.log\"\nContent-Disposition: attachment; "
      "filename=\"app.log\"\nContent-Transfer-Encoding: base64\n\naGVsbG8gbG9n\n--b--\n";
  std::vector<AcceptRequest> reqs = {
      // The reply comes first in the source; the request still opens the ticket.
      {Mail("<m2@x>", "ivan@x.com", "Re: Printer broken", "Still.", "In-Reply-To: <m1@x>\n"),
       "import",
       "",
       {}},
      {request, "import", "", {}},
      {request, "import", "", {}},  // the same bytes twice: stored once
      {attachment, "import", "", {}},
  };
  AcceptResult earlier = Deliver(Mail("<m0@x>", "c@z.com", "Old", "imported before"));
  Process();
  reqs.push_back({Mail("<m0@x>", "c@z.com", "Old", "imported before"), "import", "", {}});

  auto prepared = worker_->PrepareNew(*service_, reqs);
  ASSERT_TRUE(prepared.ok()) << prepared.error().ToString();
  ASSERT_EQ(prepared->size(), 5u);
  auto second = store::Store::Open(db_->Options());
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  InboundService committer_service(**second, clock_, settings_);
  InboundWorker committer(**second, clock_, settings_, "test");
  auto r = committer.AcceptAndComplete(committer_service, *prepared);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->processed, 3);
  EXPECT_EQ(r->new_tickets, 2);
  int duplicates = 0;
  for (const NewMessage& m : *prepared) duplicates += m.accepted.duplicate ? 1 : 0;
  EXPECT_EQ(duplicates, 2);  // the second copy, and the message imported before
  for (const NewMessage& m : *prepared) {
    if (m.item.msg->parsed.message_id == "m0@x") {
      EXPECT_EQ(m.accepted.inbound_id, earlier.inbound_id);
    }
  }

  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 3u);
  auto by_subject = [&](const std::string& subject) {
    for (const domain::Ticket& t : tickets) {
      if (t.subject == subject) return t.id;
    }
    ADD_FAILURE() << "no ticket " << subject;
    return domain::Id{0};
  };
  auto articles = Articles(by_subject("Printer broken"));
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[0].message_id, "m1@x");
  EXPECT_EQ(articles[1].message_id, "m2@x");
  EXPECT_EQ(Inbound(articles[0].inbound_id.value()).state, InboundState::kProcessed);
  EXPECT_EQ(*store().blobs().Get(Inbound(articles[0].inbound_id.value()).raw_sha256), request);
  auto atts = Attachments(Articles(by_subject("Log")).at(0).id);
  ASSERT_EQ(atts.size(), 1u);
  auto content = AttachmentReader(store()).Read(atts[0].id);
  ASSERT_TRUE(content.ok()) << content.error().ToString();
  EXPECT_EQ(content->data, "hello log");
  // Processed in the accepting transaction: no job left behind.
  int64_t jobs = -1;
  ASSERT_TRUE(store()
                  .Transact([&](store::Tx& tx) -> util::Status {
                    RD_ASSIGN_OR_RETURN(jobs, tx.CountJobs(""));
                    return util::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(jobs, 0);
}

TEST_P(InboundPipelineTest, ImportKeepsAMessageWhoseProcessingFailsWithARetryJob) {
  // The database refuses this one ticket (a trigger): processing fails after the accept.
  const std::string url = db_->Options().url;
  std::unique_ptr<store::SqlConnection> conn;
  std::string sql;
  if (GetParam() == store::Backend::kSqlite) {
    auto c = store::SqliteConnection::Open(url, 5000);
    ASSERT_TRUE(c.ok());
    conn = std::move(*c);
    sql =
        "CREATE TRIGGER refuse BEFORE INSERT ON tickets WHEN NEW.subject = 'Refused' "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END";
  } else {
    auto c = store::PgConnection::Open(url);
    ASSERT_TRUE(c.ok());
    conn = std::move(*c);
    sql =
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
        "IF NEW.subject = 'Refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
        "RETURN NEW; END $$ LANGUAGE plpgsql; "
        "CREATE TRIGGER refuse BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION refuse()";
  }
  ASSERT_TRUE(conn->ExecScript(sql).ok());
  std::vector<AcceptRequest> reqs = {
      {Mail("<ok1@x>", "a@x.com", "Fine", "one"), "import", "", {}},
      {Mail("<bad@x>", "a@x.com", "Refused", "two"), "import", "", {}},
      {Mail("<ok2@x>", "b@x.com", "Also fine", "three"), "import", "", {}},
  };
  auto prepared = worker_->PrepareNew(*service_, reqs);
  ASSERT_TRUE(prepared.ok()) << prepared.error().ToString();
  auto r = worker_->AcceptAndComplete(*service_, *prepared);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->processed, 2);
  EXPECT_EQ(r->failed, 1);
  EXPECT_EQ(Tickets().size(), 2u);
  const domain::Id bad = (*prepared)[1].accepted.inbound_id;
  domain::Inbound in = Inbound(bad);
  EXPECT_EQ(in.state, InboundState::kFailed);
  EXPECT_NE(in.error.find("refused by the test"), std::string::npos) << in.error;
  // Its retry job runs after the backoff, and works once the cause is gone.
  ASSERT_TRUE(
      conn->ExecScript("DROP TRIGGER refuse" +
                       std::string(GetParam() == store::Backend::kSqlite ? "" : " ON tickets"))
          .ok());
  EXPECT_EQ(Process().claimed, 0);  // not before its time
  clock_.Advance(settings_.retry_base_seconds + 1);
  EXPECT_EQ(Process().processed, 1);
  EXPECT_EQ(Inbound(bad).state, InboundState::kProcessed);
  EXPECT_EQ(Tickets().size(), 3u);
}

TEST_P(InboundPipelineTest, BatchPreparedByOneWorkerIsCompletedByAnother) {
  // RunBatch in two halves on two connections: one claims and parses the
  // next batch while another commits the previous one.
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
