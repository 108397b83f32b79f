// Tickets (numbers unique under concurrency, recent-open lookup), articles and
// attachments.
#include <set>

#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using domain::Article;
using domain::Ticket;
using domain::TicketStatus;

class TicketsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
      domain::Customer c;
      c.name = "Alice";
      RD_ASSIGN_OR_RETURN(c, tx.CreateCustomer(c));
      customer_ = c.id;
      return Status();
    }));
  }
  Ticket NewTicket(const std::string& subject, UnixSeconds updated_at) const {
    Ticket t;
    t.subject = "Re: " + subject;
    t.normalized_subject = subject;
    t.customer_id = customer_;
    t.created_at = updated_at;
    t.updated_at = updated_at;
    return t;
  }
  Id customer_ = 0;
};

TEST_P(TicketsTest, CreateGetFindList) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(Ticket a, tx.CreateTicket(NewTicket("printer", 100)));
    EXPECT_EQ(a.number, 100001);
    Ticket t = NewTicket("invoice", 200);
    t.status = TicketStatus::kOpen;
    t.priority = domain::Priority::kUrgent;
    RD_ASSIGN_OR_RETURN(Ticket b, tx.CreateTicket(t));
    EXPECT_EQ(b.number, 100002);
    RD_ASSIGN_OR_RETURN(Ticket got, tx.GetTicket(b.id));
    EXPECT_EQ(got.subject, "Re: invoice");
    EXPECT_EQ(got.normalized_subject, "invoice");
    EXPECT_EQ(got.status, TicketStatus::kOpen);
    EXPECT_EQ(got.priority, domain::Priority::kUrgent);
    EXPECT_EQ(got.customer_id, customer_);
    EXPECT_FALSE(got.team_id.has_value());
    EXPECT_FALSE(got.closed_at.has_value());
    RD_ASSIGN_OR_RETURN(auto by_number, tx.FindTicketByNumber(100001));
    EXPECT_TRUE(by_number.has_value() && by_number->id == a.id);
    RD_ASSIGN_OR_RETURN(auto none, tx.FindTicketByNumber(5));
    EXPECT_FALSE(none.has_value());
    RD_ASSIGN_OR_RETURN(auto all, tx.ListTickets({}));
    EXPECT_EQ(all.size(), 2u);
    if (all.size() == 2) {
      EXPECT_EQ(all[0].id, b.id) << "most recently updated first";
    }
    RD_ASSIGN_OR_RETURN(auto open, tx.ListTickets({TicketStatus::kOpen, customer_, 10, 0}));
    EXPECT_EQ(open.size(), 1u);
    RD_ASSIGN_OR_RETURN(auto paged, tx.ListTickets({std::nullopt, std::nullopt, 1, 1}));
    EXPECT_EQ(paged.size(), 1u);
    if (paged.size() == 1) {
      EXPECT_EQ(paged[0].id, a.id);
    }
    return Status();
  }));
}

TEST_P(TicketsTest, FindRecentOpenTicket) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(Ticket old, tx.CreateTicket(NewTicket("vpn", 1000)));
    RD_ASSIGN_OR_RETURN(Ticket newer, tx.CreateTicket(NewTicket("vpn", 2000)));
    RD_ASSIGN_OR_RETURN(Ticket closed, tx.CreateTicket(NewTicket("vpn", 3000)));
    RD_RETURN_IF_ERROR(tx.TouchTicket(closed.id, 3000, TicketStatus::kClosed));
    RD_ASSIGN_OR_RETURN(auto found, tx.FindRecentOpenTicket(customer_, "vpn", 500));
    EXPECT_TRUE(found.has_value() && found->id == newer.id);
    RD_ASSIGN_OR_RETURN(auto too_old, tx.FindRecentOpenTicket(customer_, "vpn", 2001));
    EXPECT_FALSE(too_old.has_value());
    RD_ASSIGN_OR_RETURN(auto other, tx.FindRecentOpenTicket(customer_, "wifi", 0));
    EXPECT_FALSE(other.has_value());
    RD_RETURN_IF_ERROR(tx.TouchTicket(old.id, 2500, std::nullopt));
    RD_ASSIGN_OR_RETURN(auto touched, tx.FindRecentOpenTicket(customer_, "vpn", 500));
    EXPECT_TRUE(touched.has_value() && touched->id == old.id);
    RD_ASSIGN_OR_RETURN(Ticket got, tx.GetTicket(closed.id));
    EXPECT_EQ(got.status, TicketStatus::kClosed);
    EXPECT_EQ(got.closed_at, std::optional<UnixSeconds>(3000));
    return Status();
  }));
}

TEST_P(TicketsTest, ArticlesAndAttachments) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(Ticket t, tx.CreateTicket(NewTicket("hello", 100)));
    Article a;
    a.ticket_id = t.id;
    a.customer_id = customer_;
    a.sender_name = "Алиса";
    a.sender_address = "alice@example.com";
    a.to = "Support <support@example.org>";
    a.subject = "hello";
    a.message_id = "m1@example.com";
    a.body_text = "Bună ziua,\nsalut";
    a.body_html_sha256 = std::string(64, 'f');
    a.flags = {"header_too_large", "bad_charset"};
    a.created_at = 200;
    Article note;
    note.ticket_id = t.id;
    note.kind = domain::ArticleKind::kNote;
    note.direction = domain::Direction::kInternal;
    note.body_text = "internal";
    note.created_at = 100;
    RD_ASSIGN_OR_RETURN(Article first, tx.CreateArticle(a));
    RD_ASSIGN_OR_RETURN(Article second, tx.CreateArticle(note));
    RD_ASSIGN_OR_RETURN(auto list, tx.ListArticles(t.id));
    EXPECT_EQ(list.size(), 2u);
    if (list.size() != 2) return Status();
    EXPECT_EQ(list[0].id, second.id) << "oldest first";
    EXPECT_EQ(list[0].kind, domain::ArticleKind::kNote);
    EXPECT_EQ(list[0].direction, domain::Direction::kInternal);
    EXPECT_TRUE(list[0].flags.empty());
    EXPECT_FALSE(list[0].body_html_sha256.has_value());
    const Article& got = list[1];
    EXPECT_EQ(got.id, first.id);
    EXPECT_EQ(got.sender_name, "Алиса");
    EXPECT_EQ(got.to, a.to);
    EXPECT_EQ(got.body_text, a.body_text);
    EXPECT_EQ(got.body_html_sha256, a.body_html_sha256);
    EXPECT_EQ(got.flags, a.flags);
    EXPECT_EQ(got.customer_id, std::optional<Id>(customer_));
    EXPECT_EQ(got.message_id, "m1@example.com");

    domain::Attachment att{0,        first.id, "photo.jpg", "image/jpeg", 5, std::string(64, 'a'),
                           "cid1@x", true};
    RD_ASSIGN_OR_RETURN(auto added, tx.AddAttachment(att));
    EXPECT_GT(added.id, 0);
    RD_ASSIGN_OR_RETURN(auto atts, tx.ListAttachments(first.id));
    EXPECT_EQ(atts.size(), 1u);
    if (!atts.empty()) {
      EXPECT_EQ(atts[0].filename, "photo.jpg");
      EXPECT_EQ(atts[0].size, 5);
      EXPECT_TRUE(atts[0].inline_part);
      EXPECT_EQ(atts[0].content_id, "cid1@x");
    }
    return Status();
  }));
}

TEST_P(TicketsTest, TicketNumbersUniqueUnderTwoThreads) {
  constexpr int kPerThread = 40;
  std::vector<int64_t> numbers[2];
  RunOnTwoStores([&](int w, Store& store) -> Status {
    for (int i = 0; i < kPerThread; ++i) {
      int64_t n = 0;
      RD_RETURN_IF_ERROR(store.Transact([&](Tx& tx) -> Status {
        RD_ASSIGN_OR_RETURN(Ticket t, tx.CreateTicket(NewTicket("t", i)));
        n = t.number;
        return Status();
      }));
      numbers[w].push_back(n);
    }
    return Status();
  });
  std::set<int64_t> all(numbers[0].begin(), numbers[0].end());
  all.insert(numbers[1].begin(), numbers[1].end());
  EXPECT_EQ(all.size(), static_cast<size_t>(2 * kPerThread));
  if (!all.empty()) {
    EXPECT_EQ(*all.begin(), 100001);
    EXPECT_EQ(*all.rbegin(), 100000 + 2 * kPerThread) << "no gaps: nothing rolled back";
  }
}

TEST_P(TicketsTest, SeveralTicketsPerTransactionCountOnAndARolledBackLevelGivesItsNumberBack) {
  // Two threads, each writing four tickets per transaction, the third one
  // in a level that is rolled back: every committed number once, no gaps.
  constexpr int kTransactions = 15;
  std::vector<std::pair<Id, int64_t>> kept[2];
  RunOnTwoStores([&](int w, Store& store) -> Status {
    for (int i = 0; i < kTransactions; ++i) {
      std::vector<std::pair<Id, int64_t>> mine;
      RD_RETURN_IF_ERROR(store.Transact([&](Tx& tx) -> Status {
        mine.clear();
        RD_ASSIGN_OR_RETURN(Ticket a, tx.CreateTicket(NewTicket("a", i)));
        RD_ASSIGN_OR_RETURN(Ticket a2, tx.CreateTicket(NewTicket("a2", i)));
        EXPECT_EQ(a2.number, a.number + 1);
        Status undone = tx.Nested([&](Tx& inner) -> Status {
          RD_ASSIGN_OR_RETURN(Ticket b, inner.CreateTicket(NewTicket("b", i)));
          EXPECT_EQ(b.number, a.number + 2);
          return util::MakeError(util::ErrorCode::kInternal, "test.undo", "undo");
        });
        EXPECT_FALSE(undone.ok());
        RD_ASSIGN_OR_RETURN(Ticket c, tx.CreateTicket(NewTicket("c", i)));
        EXPECT_EQ(c.number, a.number + 2) << "the undone number is taken again";
        mine = {{a.id, a.number}, {a2.id, a2.number}, {c.id, c.number}};
        return Status();
      }));
      kept[w].insert(kept[w].end(), mine.begin(), mine.end());
    }
    return Status();
  });
  std::set<int64_t> numbers;
  std::set<Id> ids;
  for (const auto& list : kept) {
    for (const auto& [id, number] : list) {
      ids.insert(id);
      numbers.insert(number);
    }
  }
  ASSERT_EQ(numbers.size(), size_t{6 * kTransactions});
  EXPECT_EQ(ids.size(), size_t{6 * kTransactions});
  EXPECT_EQ(*numbers.begin(), 100001);
  EXPECT_EQ(*numbers.rbegin(), 100000 + 6 * kTransactions) << "no gaps";
  // What was committed is what each transaction was told.
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    for (const auto& list : kept) {
      for (const auto& [id, number] : list) {
        RD_ASSIGN_OR_RETURN(Ticket t, tx.GetTicket(id));
        EXPECT_EQ(t.number, number);
      }
    }
    RD_ASSIGN_OR_RETURN(auto all, tx.ListTickets({std::nullopt, std::nullopt, 1000, 0}));
    EXPECT_EQ(all.size(), size_t{6 * kTransactions});
    return Status();
  }));
}

RD_STORE_TEST_SUITE(TicketsTest);

}  // namespace
}  // namespace replydesk::store::testing
