// The acknowledgement trigger end to end below the CLI: a new ticket from a
// person gets one automatic reply with the number, the hours and the promise;
// automatic mail, old mail, replies and floods get none. SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include "mail/mime_parser.h"
#include "outbound_test_env.h"

namespace replydesk::services {
namespace {

bool Has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

class AcknowledgementTest : public OutboundTest {
 protected:
  mail::ParsedMessage Parse(const std::string& raw) { return mail::MimeParser().Parse(raw); }
};

TEST_P(AcknowledgementTest, NewTicketFromPersonGetsOneAcknowledgement) {
  Deliver(Mail("<m1@x>", "Ivan Petrov <Ivan@Example.com>", "Printer broken",
               "The printer jams every morning. Could you help?"));
  auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_TRUE(outbox[0].automatic);
  EXPECT_EQ(outbox[0].envelope_from, "");  // RFC 3834 §3.3: null return path
  EXPECT_EQ(outbox[0].recipients, std::vector<std::string>{"ivan@example.com"});
  EXPECT_EQ(outbox[0].state, domain::OutboundState::kQueued);

  // The promise is on the ticket: 11:00 Sofia time on a Tuesday + 4 business hours.
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].first_response_due, std::optional<int64_t>(1795510800 + 4 * 3600));
  EXPECT_EQ(tickets[0].language, "en");

  EXPECT_EQ(Send().sent, 1);
  ASSERT_EQ(transport_.sent.size(), 1u);
  const std::string& raw = transport_.sent[0].raw;
  EXPECT_TRUE(Has(raw, "Auto-Submitted: auto-replied")) << raw;
  EXPECT_TRUE(Has(raw, "In-Reply-To: <m1@x>")) << raw;
  auto ack = Parse(raw);
  EXPECT_TRUE(Has(ack.subject, "[#T-100001]")) << ack.subject;
  ASSERT_EQ(ack.from.size(), 1u);
  EXPECT_EQ(ack.from[0].address, "support@ours.example");
  EXPECT_EQ(ack.from[0].name, "Customer Care");
  ASSERT_EQ(ack.to.size(), 1u);
  EXPECT_EQ(ack.to[0].address, "Ivan@Example.com");
  EXPECT_TRUE(Has(ack.text, "100001")) << ack.text;
  EXPECT_TRUE(Has(ack.text, "09:00")) << ack.text;  // the working hours
  EXPECT_TRUE(Has(ack.text, "15:00")) << ack.text;  // the promised first answer, local time
  EXPECT_TRUE(ack.auto_submitted);
  EXPECT_TRUE(Has(raw, "multipart/alternative")) << raw;
  EXPECT_TRUE(Has(ack.html, "100001")) << ack.html;

  auto articles = Articles(tickets[0].id);
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[1].direction, domain::Direction::kOutbound);
  EXPECT_TRUE(articles[1].auto_reply);
  EXPECT_EQ(articles[1].delivery_status, "sent");
  EXPECT_EQ(articles[1].message_id, ack.message_id);
}

TEST_P(AcknowledgementTest, WrittenInTheCustomersLanguage) {
  Deliver(Mail("<ru@x>", "Ольга <olga@example.ru>", "Не работает принтер",
               "Здравствуйте! Наш принтер перестал печатать после обновления драйвера. "
               "Подскажите, пожалуйста, что можно сделать? Заранее спасибо."));
  Deliver(Mail("<bg@x>", "Мария <maria@example.bg>", "Проблем с фактурата",
               "Здравейте, получихме фактурата, но сумата не е правилна. Бихте ли я "
               "проверили и да ни изпратите нова? Благодаря предварително."));
  Deliver(Mail("<ro@x>", "Ana <ana@example.ro>", "Factura greșită",
               "Bună ziua, am primit factura, dar suma nu este corectă. Vă rog să verificați "
               "și să ne trimiteți una nouă. Vă mulțumesc anticipat."));
  EXPECT_EQ(Send().sent, 3);
  ASSERT_EQ(transport_.sent.size(), 3u);
  std::vector<std::string> languages;
  for (const auto& t : Tickets()) languages.push_back(t.language);
  std::sort(languages.begin(), languages.end());
  EXPECT_EQ(languages, (std::vector<std::string>{"bg", "ro", "ru"}));
  // Each acknowledgement differs from the English one and carries the number.
  for (const auto& s : transport_.sent) {
    auto ack = Parse(s.raw);
    EXPECT_FALSE(Has(ack.text, "Thank you")) << ack.text;
    EXPECT_TRUE(Has(ack.text, "10000")) << ack.text;
  }
}

TEST_P(AcknowledgementTest, AutomaticMailGetsNoAcknowledgement) {
  Deliver(Mail("<a1@x>", "a@x.com", "Out of office", "away", "Auto-Submitted: auto-replied\n"));
  Deliver(Mail("<a2@x>", "b@x.com", "News", "bulk", "Precedence: bulk\n"));
  Deliver(Mail("<a3@x>", "c@x.com", "List", "list", "List-Id: <list.x.com>\n"));
  Deliver(Mail("<a4@x>", "MAILER-DAEMON@x.com", "Undelivered", "failed"));
  Deliver(Mail("<a5@x>", "no-reply@shop.example", "Your order", "order"));
  Deliver(Mail("<a6@x>", "support@ours.example", "Loop", "ourselves"));
  Deliver(Mail("<a7@x>", "d@x.com", "Unsub", "news", "List-Unsubscribe: <mailto:u@x.com>\n"));
  EXPECT_EQ(Tickets().size(), 7u);  // every message is a ticket a person can see
  EXPECT_TRUE(Outbox().empty());
}

TEST_P(AcknowledgementTest, RepliesImportsAndOldMailGetNone) {
  Deliver(Mail("<m1@x>", "a@x.com", "Question", "first"));
  ASSERT_EQ(Outbox().size(), 1u);
  Deliver(Mail("<m2@x>", "a@x.com", "Re: Question", "more", "In-Reply-To: <m1@x>\n"));
  Deliver(Mail("<m3@x>", "b@x.com", "Old question", "from the archive"), "import");
  std::string old = Mail("<m4@x>", "c@x.com", "Written last week", "late");
  old.replace(old.find("Tue, 24 Nov 2026"), 16, "Tue, 17 Nov 2026");
  Deliver(old, "imap");
  EXPECT_EQ(Tickets().size(), 3u);
  EXPECT_EQ(Outbox().size(), 1u);
}

TEST_P(AcknowledgementTest, AtMostNPerSenderPerHour) {
  for (int i = 0; i < 5; ++i) {
    Deliver(Mail("<f" + std::to_string(i) + "@x>", "flood@x.com", "Topic " + std::to_string(i),
                 "text"));
  }
  EXPECT_EQ(Tickets().size(), 5u);
  EXPECT_EQ(Outbox().size(), 3u);  // auto_replies_per_hour = 3
  clock_.Advance(3601);
  std::string later = Mail("<f9@x>", "flood@x.com", "Topic 9", "text");
  later.replace(later.find("09:00:00"), 8, "10:00:01");
  Deliver(later);
  EXPECT_EQ(Outbox().size(), 4u);
}

TEST_P(AcknowledgementTest, TwoInstancesStopAfterOneExchange) {
  // Instance B: a second helpdesk whose support address writes to ours.
  testing::TestDb other_db(GetParam());
  ASSERT_TRUE(other_db.ok());
  auto other = store::Store::Open(other_db.Options());
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)
                  ->Transact([](store::Tx& tx) -> util::Status {
                    domain::Channel c;
                    c.address = "help@them.example";
                    c.name = "Their help";
                    return tx.CreateChannel(c).ok()
                               ? util::OkStatus()
                               : util::MakeError(util::ErrorCode::kInternal, "x");
                  })
                  .ok());
  InboundService b_in(**other, clock_, settings_);
  InboundWorker b_worker(**other, clock_, settings_, "b", outbound_settings_);
  RecordingTransport b_transport;
  OutboundWorker b_sender(**other, clock_, b_transport, outbound_settings_, "b-sender");

  // A customer-like message from B's address reaches us; we acknowledge it.
  Deliver(Mail("<start@them>", "help@them.example", "Hello", "a question"));
  ASSERT_EQ(Send().sent, 1);
  // B receives our acknowledgement: a new ticket there, but no answer back.
  ASSERT_TRUE(b_in.Accept({transport_.sent[0].raw, "lmtp", "", {"help@them.example"}}).ok());
  ASSERT_TRUE(b_worker.Drain().ok());
  auto b_sent = b_sender.Drain();
  ASSERT_TRUE(b_sent.ok());
  EXPECT_EQ(b_sent->claimed, 0);
  EXPECT_TRUE(b_transport.attempts.empty());
}

TEST_P(AcknowledgementTest, AutoResponderWithoutHeadersIsBoundedByTheRateLimit) {
  // A careless auto-responder answers every mail with a fresh message, no
  // Auto-Submitted, no In-Reply-To: each becomes a new ticket here; the
  // per-sender limit ends the ping-pong.
  for (int round = 0; round < 10; ++round) {
    Deliver(Mail("<ooo" + std::to_string(round) + "@x>", "bot@careless.example",
                 "I am away " + std::to_string(round), "I am on holiday."));
    Send();
  }
  EXPECT_EQ(transport_.sent.size(), 3u);
}

TEST_P(AcknowledgementTest, RulesSeeTheCustomersOrganisation) {
  auto st = store().Transact([](store::Tx& tx) -> util::Status {
    domain::Organisation o;
    o.name = "Acme Corp";
    o.domain = "acme.example";
    RD_RETURN_IF_ERROR(tx.CreateOrganisation(o));
    store::RuleRow row;
    row.name = "Acme is urgent";
    row.event = "ticket_created";
    row.definition =
        R"({"name":"Acme is urgent","event":"ticket_created","conditions":[{"field":"organisation",)"
        R"("op":"is","value":"acme corp"}],"actions":[{"kind":"set_priority","value":"urgent"},)"
        R"({"kind":"add_tag","value":"vip"}]})";
    RD_RETURN_IF_ERROR(tx.CreateRule(row));
    return util::OkStatus();
  });
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  Deliver(Mail("<o1@x>", "boss@acme.example", "Contract", "Please call me."));
  Deliver(Mail("<o2@x>", "someone@else.example", "Contract", "Please call me too."));
  for (const auto& t : Tickets()) {
    const bool acme = t.number == 100001;
    EXPECT_EQ(t.priority, acme ? domain::Priority::kUrgent : domain::Priority::kNormal);
    auto tags =
        Read<std::vector<std::string>>([&](store::Tx& tx) { return tx.ListTicketTags(t.id); });
    EXPECT_EQ(tags, acme ? std::vector<std::string>{"vip"} : std::vector<std::string>{});
  }
  EXPECT_EQ(Outbox().size(), 2u);  // both still acknowledged
}

INSTANTIATE_TEST_SUITE_P(Backends, AcknowledgementTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::services
