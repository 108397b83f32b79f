// Fixture for service tests: a fresh store on each backend, a fake clock,
// message builders and read helpers.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "store/store.h"
#include "test_db.h"
#include "util/clock.h"

namespace replydesk::services {

using testing::BackendName;
using testing::BackendValues;

class ServicesTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<testing::TestDb>(GetParam());
    if (!db_->ok()) GTEST_SKIP() << db_->skip_reason();
    auto s = store::Store::Open(db_->Options());
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    store_ = std::move(s).value();
  }

  store::Store& store() { return *store_; }

  // A minimal RFC 5322 message; `extra` is inserted among the headers.
  static std::string Mail(const std::string& message_id, const std::string& from,
                          const std::string& subject, const std::string& body,
                          const std::string& extra = "") {
    return "From: " + from + "\nTo: support@ours.example\nSubject: " + subject +
           "\nMessage-ID: " + message_id + "\nDate: Tue, 24 Nov 2026 09:00:00 +0000\n" + extra +
           "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n";
  }

  template <typename T, typename F>
  T Read(F fn) {
    T out{};
    auto st = store_->Transact([&](store::Tx& tx) -> util::Status {
      auto r = fn(tx);
      if (!r.ok()) return r.error();
      out = std::move(r).value();
      return util::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().ToString());
    return out;
  }

  std::vector<domain::Ticket> Tickets() {
    return Read<std::vector<domain::Ticket>>([](store::Tx& tx) { return tx.ListTickets({}); });
  }
  std::vector<domain::Article> Articles(domain::Id ticket) {
    return Read<std::vector<domain::Article>>(
        [&](store::Tx& tx) { return tx.ListArticles(ticket); });
  }
  std::vector<domain::Attachment> Attachments(domain::Id article) {
    return Read<std::vector<domain::Attachment>>(
        [&](store::Tx& tx) { return tx.ListAttachments(article); });
  }
  domain::Customer Customer(domain::Id id) {
    return Read<domain::Customer>([&](store::Tx& tx) { return tx.GetCustomer(id); });
  }
  domain::Inbound Inbound(domain::Id id) {
    return Read<domain::Inbound>([&](store::Tx& tx) { return tx.GetInbound(id); });
  }

  // Deletes a blob file (both backends use a blob folder in tests).
  bool RemoveBlob(const std::string& sha) {
    return std::filesystem::remove(db_->dir() + "/blobs/" + sha.substr(0, 2) + "/" + sha);
  }

  util::FakeClock clock_{1795510800};  // 2026-11-24T09:00:00Z
  std::unique_ptr<testing::TestDb> db_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace replydesk::services
