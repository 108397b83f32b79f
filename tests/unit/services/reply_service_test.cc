// Agent replies, notes and calls: a reply quotes only the customer's last
// message, carries the signature and the ticket tag and threads; notes are
// never mailed; calls land on the ticket and the customer. SQLite and PostgreSQL.
#include "services/reply_service.h"
#include "services/attachment_reader.h"

#include <gtest/gtest.h>

#include "mail/mime_parser.h"
#include "outbound_test_env.h"
#include "services/user_service.h"

namespace replydesk::services {
namespace {

bool Has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

class ReplyServiceTest : public OutboundTest {
 protected:
  void SetUp() override {
    OutboundTest::SetUp();
    if (IsSkipped()) return;
    UserService users(store(), clock_);
    ASSERT_TRUE(users.Create("elena@ours.example", "Elena Ivanova", domain::Role::kAgent).ok());
    ASSERT_TRUE(store()
                    .Transact([](store::Tx& tx) -> util::Status {
                      RD_ASSIGN_OR_RETURN(auto u, tx.FindUserByEmail("elena@ours.example"));
                      u->position = "Support engineer";
                      RD_RETURN_IF_ERROR(tx.UpdateUserProfile(*u));
                      return tx.SetSetting("company_name", "Acme Ltd");
                    })
                    .ok());
    replies_ = std::make_unique<ReplyService>(store(), clock_, outbound_settings_,
                                              domain::TicketTag("T-"));
  }
  std::unique_ptr<ReplyService> replies_;
};

TEST_P(ReplyServiceTest, ReplyQuotesOnlyTheLastMessageAndSigns) {
  Deliver(Mail("<m1@x>", "Ivan Petrov <ivan@x.com>", "Printer broken", "It jams."));
  Deliver(Mail("<m2@x>", "Ivan Petrov <ivan@x.com>", "Re: Printer broken [#T-100001]",
               "Still jams after cleaning.\n\nOn Mon, Nov 23, 2026 at 10:00 AM Support wrote:\n"
               "> We have received your message\n> Earlier history\n",
               "In-Reply-To: <m1@x>\n"));
  Send();
  transport_.sent.clear();
  ReplyRequest req;
  req.ticket_number = 100001;
  req.agent_email = "Elena@ours.example";
  req.text = "Please replace the drum unit; a new one is on its way.";
  req.attachments = {{"инструкция.pdf", "application/pdf", std::string("%PDF-1.4\0\1\2", 11)}};
  auto queued = replies_->Reply(req);
  ASSERT_TRUE(queued.ok()) << queued.error().ToString();
  EXPECT_EQ(Send().sent, 1);
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(transport_.sent[0].envelope_from, "support@ours.example");
  EXPECT_FALSE(Has(transport_.sent[0].raw, "Auto-Submitted"));
  auto m = mail::MimeParser().Parse(transport_.sent[0].raw);
  EXPECT_EQ(m.subject, "Re: Printer broken [#T-100001]");
  EXPECT_EQ(m.in_reply_to, std::vector<std::string>{"m2@x"});
  EXPECT_TRUE(std::find(m.references.begin(), m.references.end(), "m1@x") != m.references.end());
  EXPECT_TRUE(Has(m.text, "drum unit")) << m.text;
  EXPECT_TRUE(Has(m.text, "Kind regards,\nElena Ivanova\nSupport engineer\nAcme Ltd")) << m.text;
  EXPECT_TRUE(Has(m.text, "> Still jams after cleaning.")) << m.text;
  EXPECT_FALSE(Has(m.text, "Earlier history")) << m.text;  // older history trimmed
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].filename, "инструкция.pdf");
  EXPECT_EQ(m.attachments[0].data, std::string("%PDF-1.4\0\1\2", 11));

  auto t = Tickets()[0];
  // The outgoing attachment is a blob of its own (no inbound raw message).
  int outgoing_attachments = 0;
  for (const domain::Article& a : Articles(t.id)) {
    for (const domain::Attachment& att : Attachments(a.id)) {
      auto content = AttachmentReader(store()).Read(att.id);
      ASSERT_TRUE(content.ok()) << content.error().ToString();
      EXPECT_EQ(content->data, std::string("%PDF-1.4\0\1\2", 11));
      ++outgoing_attachments;
    }
  }
  EXPECT_EQ(outgoing_attachments, 1);
  EXPECT_EQ(t.status, domain::TicketStatus::kPending);
  EXPECT_EQ(t.first_responded_at, std::optional<int64_t>(clock_.Now()));
  EXPECT_TRUE(t.assignee_id.has_value());
  // A reply to our reply joins the ticket by Message-ID.
  Deliver(Mail("<m3@x>", "ivan@x.com", "thanks", "ok", "In-Reply-To: <" + m.message_id + ">\n"));
  EXPECT_EQ(Tickets().size(), 1u);
  EXPECT_EQ(Tickets()[0].status, domain::TicketStatus::kOpen);
}

TEST_P(ReplyServiceTest, CannedResponseInTheTicketsLanguage) {
  Deliver(Mail("<r1@x>", "Ольга Смирнова <olga@x.ru>", "Вопрос по счёту",
               "Здравствуйте! Мы получили счёт, но сумма в нём неверная. Проверьте, "
               "пожалуйста, и пришлите исправленный счёт. Спасибо."));
  Send();
  transport_.sent.clear();
  ReplyRequest req;
  req.ticket_number = 100001;
  req.agent_email = "elena@ours.example";
  req.template_name = "resolved";
  ASSERT_TRUE(replies_->Reply(req).ok());
  Send();
  ASSERT_EQ(transport_.sent.size(), 1u);
  auto m = mail::MimeParser().Parse(transport_.sent[0].raw);
  EXPECT_TRUE(Has(m.text, "С уважением,\nElena Ivanova")) << m.text;
  EXPECT_TRUE(Has(m.text, "100001")) << m.text;
  EXPECT_TRUE(Has(m.text, "написал(а):")) << m.text;
}

TEST_P(ReplyServiceTest, NotesAreNeverMailed) {
  Deliver(Mail("<m1@x>", "ivan@x.com", "Question", "text"));
  Send();
  const size_t before = Outbox().size();
  auto note = replies_->Note({100001, "elena@ours.example", "Customer is a VIP, call back"});
  ASSERT_TRUE(note.ok()) << note.error().ToString();
  EXPECT_EQ(note->direction, domain::Direction::kInternal);
  EXPECT_EQ(Outbox().size(), before);
  EXPECT_EQ(Articles(Tickets()[0].id).size(), 3u);
}

TEST_P(ReplyServiceTest, CallIsLoggedOnTicketAndCustomer) {
  Deliver(Mail("<m1@x>", "ivan@x.com", "Question", "text"));
  auto call = replies_->Call({100001, "elena@ours.example", true, "+359 88 123-4567", 185,
                              "Explained how to reset the router"});
  ASSERT_TRUE(call.ok()) << call.error().ToString();
  EXPECT_EQ(call->kind, domain::ArticleKind::kPhone);
  EXPECT_EQ(call->duration_seconds, 185);
  auto customer = Customer(Tickets()[0].customer_id);
  bool has_phone = false;
  for (const auto& i : customer.identities) {
    has_phone |= i.kind == domain::IdentityKind::kPhone && i.value == "+359881234567";
  }
  EXPECT_TRUE(has_phone);
}

TEST_P(ReplyServiceTest, ErrorsAreClear) {
  Deliver(Mail("<m1@x>", "ivan@x.com", "Question", "text"));
  ReplyRequest req;
  req.ticket_number = 999;
  req.agent_email = "elena@ours.example";
  req.text = "x";
  auto r = replies_->Reply(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "ticket.not_found");
  req.ticket_number = 100001;
  req.agent_email = "nobody@ours.example";
  EXPECT_EQ(replies_->Reply(req).error().detail, "user.not_found");
  req.agent_email = "elena@ours.example";
  req.text = "";
  EXPECT_EQ(replies_->Reply(req).error().detail, "reply.empty");
  req.template_name = "no-such-template";
  EXPECT_EQ(replies_->Reply(req).error().detail, "template.not_found");
}

INSTANTIATE_TEST_SUITE_P(Backends, ReplyServiceTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::services
