// The shared real-world corpora (../shared/corpora, every folder) through
// `replydesk import`, as an admin would load them, on SQLite and PostgreSQL:
// nothing refused or kept as failed, every message processed, and every
// attachment of every article read back from its raw message byte for byte
// (inbound attachments are not stored a second time: services::AttachmentReader).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "process.h"
#include "services/attachment_reader.h"
#include "test_db.h"
#include "util/sha256.h"

namespace replydesk::testing {
namespace {

class CorpusIngestTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(GetParam());
    if (!db_->ok()) GTEST_SKIP() << db_->skip_reason();
  }
  std::unique_ptr<TestDb> db_;
};

TEST_P(CorpusIngestTest, EveryMessageIngestsAndEveryAttachmentReadsBack) {
  const std::string corpora = REPLYDESK_SOURCE_DIR "/../shared/corpora";
  ProcessResult r = RunProcess({REPLYDESK_BINARY, "--db", db_->url(), "import", corpora});
  ASSERT_TRUE(r.Exited(0)) << r.out << r.err;
  EXPECT_NE(r.out.find("kept-but-failed 0, refused 0"), std::string::npos) << r.out;

  store::StoreOptions options = db_->Options();
  options.blob_dir.clear();  // as the binary ran: blobs in the database
  auto opened = store::Store::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  store::Store& store = **opened;
  std::vector<domain::Attachment> attachments;
  size_t messages = 0, failed = 0;
  ASSERT_TRUE(store
                  .Transact([&](store::Tx& tx) -> util::Status {
                    RD_ASSIGN_OR_RETURN(auto inbound, tx.ListInbound({std::nullopt, 100000}));
                    messages = inbound.size();
                    for (const domain::Inbound& in : inbound) {
                      if (in.state != domain::InboundState::kProcessed) ++failed;
                    }
                    store::TicketFilter all;
                    all.limit = 100000;
                    RD_ASSIGN_OR_RETURN(auto tickets, tx.ListTickets(all));
                    for (const domain::Ticket& t : tickets) {
                      RD_ASSIGN_OR_RETURN(auto articles, tx.ListArticles(t.id));
                      for (const domain::Article& a : articles) {
                        RD_ASSIGN_OR_RETURN(auto atts, tx.ListAttachments(a.id));
                        attachments.insert(attachments.end(), atts.begin(), atts.end());
                      }
                    }
                    return util::OkStatus();
                  })
                  .ok());
  EXPECT_GT(messages, 150u);
  EXPECT_EQ(failed, 0u);
  EXPECT_GT(attachments.size(), 50u) << "the corpora have attachments";
  services::AttachmentReader reader(store);
  size_t bytes = 0;
  for (const domain::Attachment& att : attachments) {
    auto content = reader.Read(att.id);
    ASSERT_TRUE(content.ok()) << att.filename << ": " << content.error().ToString();
    EXPECT_EQ(util::Sha256Hex(content->data), att.sha256) << att.filename;
    EXPECT_EQ(static_cast<int64_t>(content->data.size()), att.size) << att.filename;
    bytes += content->data.size();
  }
  std::printf(
      "corpora: %zu messages, %zu attachments (%zu bytes) read back from their raw "
      "messages\n",
      messages, attachments.size(), bytes);
}

INSTANTIATE_TEST_SUITE_P(Backends, CorpusIngestTest, BackendValues(), BackendName);

}  // namespace
}  // namespace replydesk::testing
