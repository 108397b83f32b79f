// Blobs: file placement (<dir>/<sha[0:2]>/<sha>), the PostgreSQL table, round
// trips of binary data, deferred sync, transactions.
#include <filesystem>

#include "store/table_blob_store.h"
#include "store_test_env.h"
#include "util/sha256.h"

namespace replydesk::store::testing {
namespace {

using util::ErrorCode;

std::string BinaryData(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

class BlobsTest : public StoreTest {};

TEST_P(BlobsTest, DefaultPlacementRoundTrip) {
  const std::string data = BinaryData(200 * 1024);
  auto sha = store_->blobs().Put(data);
  RD_ASSERT_OK(sha);
  EXPECT_EQ(*sha, util::Sha256Hex(data));
  auto again = store_->blobs().Put(data);  // existing content: no-op
  RD_ASSERT_OK(again);
  auto got = store_->blobs().Get(*sha);
  RD_ASSERT_OK(got);
  EXPECT_TRUE(*got == data);
  // Default placement is the database on both backends: no files appear.
  EXPECT_TRUE(store_->blobs().InDatabase());
  EXPECT_FALSE(std::filesystem::exists(db_->Options().url + ".blobs"));
}

TEST_P(BlobsTest, ExplicitFolderOnBothBackends) {
  StoreOptions options = db_->Options();
  options.blob_dir = db_->temp_dir() + "/blobs";
  auto store = Store::Open(options);
  RD_ASSERT_OK(store);
  auto sha = (*store)->blobs().Put("hello\r\n\0world", util::Sync::kDeferred);
  RD_ASSERT_OK(sha);
  RD_ASSERT_OK((*store)->blobs().Flush());
  EXPECT_TRUE(std::filesystem::exists(options.blob_dir + "/" + sha->substr(0, 2) + "/" + *sha));
  auto got = (*store)->blobs().Get(*sha);
  RD_ASSERT_OK(got);
  EXPECT_EQ(*got, "hello\r\n");  // a C string literal: stops at the NUL
}

TEST_P(BlobsTest, MissingIsNotFound) {
  auto got = store_->blobs().Get(std::string(64, '0'));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(got.error().detail, "blob.not_found");
}

TEST_P(BlobsTest, EmptyBlob) {
  auto sha = store_->blobs().Put("");
  RD_ASSERT_OK(sha);
  auto got = store_->blobs().Get(*sha);
  RD_ASSERT_OK(got);
  EXPECT_EQ(*got, "");
}

TEST_P(BlobsTest, TableBlobInsideTransactionFollowsIt) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "files do not roll back";
  const std::string data = BinaryData(1000);
  Status st = store_->Transact([&](Tx&) -> Status {
    RD_RETURN_IF_ERROR(store_->blobs().Put(data));
    return util::MakeError(ErrorCode::kInternal, "test.abort");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(store_->blobs().Get(util::Sha256Hex(data)).ok()) << "rolled back with the tx";
  RD_ASSERT_OK(store_->Transact([&](Tx&) -> Status {
    RD_RETURN_IF_ERROR(store_->blobs().Put(data));
    return Status();
  }));
  auto got = store_->blobs().Get(util::Sha256Hex(data));
  RD_ASSERT_OK(got);
  EXPECT_TRUE(*got == data);
}

TEST_P(BlobsTest, PutHashedManyStoresEachOnceInChunks) {
  // More rows than one statement takes, the same digest twice, a large blob
  // stored before (looked for, not sent again) and a new large one.
  const std::string stored_large = BinaryData(TableBlobStore::kLookFirstBytes + 10);
  RD_ASSERT_OK(store_->blobs().Put(stored_large));
  std::vector<std::string> data;
  for (size_t i = 0; i < 2 * TableBlobStore::kRowsPerInsert + 5; ++i) {
    data.push_back("blob " + std::to_string(i) + BinaryData(i * 37));
  }
  data.push_back(BinaryData(TableBlobStore::kLookFirstBytes + 1000));
  std::vector<HashedBlob> blobs;
  for (const std::string& d : data) blobs.push_back({util::Sha256Hex(d), d});
  blobs.push_back(blobs[3]);
  blobs.push_back({util::Sha256Hex(stored_large), stored_large});
  RD_ASSERT_OK(
      store_->Transact([&](Tx&) -> Status { return store_->blobs().PutHashedMany(blobs); }));
  for (const std::string& d : data) {
    auto got = store_->blobs().Get(util::Sha256Hex(d));
    RD_ASSERT_OK(got);
    EXPECT_TRUE(*got == d) << d.substr(0, 8);
  }
  auto got = store_->blobs().Get(util::Sha256Hex(stored_large));
  RD_ASSERT_OK(got);
  EXPECT_TRUE(*got == stored_large);
}

TEST_P(BlobsTest, PutHashedManyRollsBackWithTheTransaction) {
  const std::string a = BinaryData(300), b = BinaryData(5000);
  const std::vector<HashedBlob> blobs = {{util::Sha256Hex(a), a}, {util::Sha256Hex(b), b}};
  Status st = store_->Transact([&](Tx&) -> Status {
    RD_RETURN_IF_ERROR(store_->blobs().PutHashedMany(blobs));
    return util::MakeError(ErrorCode::kInternal, "test.abort");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(store_->blobs().Get(util::Sha256Hex(a)).ok());
  EXPECT_FALSE(store_->blobs().Get(util::Sha256Hex(b)).ok());
}

RD_STORE_TEST_SUITE(BlobsTest);

}  // namespace
}  // namespace replydesk::store::testing
