// Job queue: claim, complete, fail (retry / park), lease expiry, kinds, and
// two workers (each with its own Store) never claiming the same job.
#include <set>

#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

constexpr UnixSeconds kNow = 1700000000;

class JobsTest : public StoreTest {
 protected:
  Id Enqueue(const std::string& kind, UnixSeconds run_at) {
    Id id = 0;
    Status st = store_->Transact([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(id, tx.EnqueueJob(kind, "payload-" + kind, run_at));
      return Status();
    });
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    return id;
  }
  static std::vector<Job> Claim(Store& store, const std::string& worker, UnixSeconds now,
                                std::vector<std::string> kinds = {}, int limit = 10) {
    std::vector<Job> jobs;
    Status st = store.Transact([&](Tx& tx) -> Status {
      RD_ASSIGN_OR_RETURN(jobs, tx.ClaimJobs(worker, kinds, now, 30, limit));
      return Status();
    });
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    return jobs;
  }
  Status Run(const std::function<Status(Tx&)>& fn) { return store_->Transact(fn); }
};

TEST_P(JobsTest, ClaimOnlyDueJobsThenComplete) {
  Id due = Enqueue("process_inbound", kNow - 5);
  Enqueue("process_inbound", kNow + 60);
  std::vector<Job> jobs = Claim(*store_, "w1", kNow);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id, due);
  EXPECT_EQ(jobs[0].kind, "process_inbound");
  EXPECT_EQ(jobs[0].payload, "payload-process_inbound");
  EXPECT_EQ(jobs[0].attempts, 0);
  EXPECT_EQ(jobs[0].run_at, kNow - 5);
  EXPECT_TRUE(Claim(*store_, "w2", kNow).empty()) << "a leased job is not claimed again";
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.CompleteJob(due); }));
  RD_ASSERT_OK(Run([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(int64_t n, tx.CountJobs("process_inbound"));
    EXPECT_EQ(n, 1);  // only the future one is left
    return Status();
  }));
}

TEST_P(JobsTest, FailWithRetryBecomesReadyAtRetryTime) {
  Id id = Enqueue("send", kNow);
  ASSERT_EQ(Claim(*store_, "w1", kNow).size(), 1u);
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.FailJob(id, "smtp 451", kNow + 100); }));
  EXPECT_TRUE(Claim(*store_, "w1", kNow + 99).empty());
  std::vector<Job> jobs = Claim(*store_, "w1", kNow + 100);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].attempts, 1);
  EXPECT_EQ(jobs[0].last_error, "smtp 451");
  EXPECT_EQ(jobs[0].run_at, kNow + 100);
}

TEST_P(JobsTest, FailWithoutRetryParks) {
  Id id = Enqueue("send", kNow);
  ASSERT_EQ(Claim(*store_, "w1", kNow).size(), 1u);
  RD_ASSERT_OK(Run([&](Tx& tx) { return tx.FailJob(id, "bad address", std::nullopt); }));
  EXPECT_TRUE(Claim(*store_, "w1", kNow + 100000).empty());
  RD_ASSERT_OK(Run([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(int64_t n, tx.CountJobs("send"));
    EXPECT_EQ(n, 1);  // parked jobs are kept for inspection
    return Status();
  }));
}

TEST_P(JobsTest, ExpiredLeaseIsClaimedAgain) {
  Id id = Enqueue("index", kNow);
  ASSERT_EQ(Claim(*store_, "crashed", kNow).size(), 1u);
  EXPECT_TRUE(Claim(*store_, "w2", kNow + 30).empty()) << "lease still valid at its end";
  std::vector<Job> jobs = Claim(*store_, "w2", kNow + 31);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id, id);
  EXPECT_EQ(jobs[0].attempts, 1);
}

TEST_P(JobsTest, KindsFilterAndLimit) {
  Enqueue("a", kNow);
  Enqueue("b", kNow);
  Enqueue("c", kNow);
  Enqueue("a", kNow);
  std::vector<Job> jobs = Claim(*store_, "w", kNow, {"a", "b"}, 2);
  ASSERT_EQ(jobs.size(), 2u);
  for (const Job& j : jobs) EXPECT_TRUE(j.kind == "a" || j.kind == "b");
  EXPECT_EQ(Claim(*store_, "w", kNow, {"a", "b"}).size(), 1u);
  EXPECT_EQ(Claim(*store_, "w", kNow).size(), 1u);  // all kinds: the "c"
}

TEST_P(JobsTest, MissingJobIsNotFound) {
  Status st = Run([&](Tx& tx) { return tx.CompleteJob(999999); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, util::ErrorCode::kNotFound);
}

TEST_P(JobsTest, TwoWorkersNeverClaimTheSameJob) {
  constexpr int kJobs = 120;
  RD_ASSERT_OK(Run([&](Tx& tx) -> Status {
    for (int i = 0; i < kJobs; ++i) RD_RETURN_IF_ERROR(tx.EnqueueJob("k", std::to_string(i), kNow));
    return Status();
  }));
  std::vector<Id> got[2];
  RunOnTwoStores([&](int w, Store& store) -> Status {
    for (int round = 0; round < 500; ++round) {  // bounded
      std::vector<Job> jobs;
      RD_RETURN_IF_ERROR(store.Transact([&](Tx& tx) -> Status {
        RD_ASSIGN_OR_RETURN(jobs, tx.ClaimJobs("w" + std::to_string(w), {}, kNow, 300, 3));
        for (const Job& j : jobs) RD_RETURN_IF_ERROR(tx.CompleteJob(j.id));
        return Status();
      }));
      if (jobs.empty()) break;
      for (const Job& j : jobs) got[w].push_back(j.id);
    }
    return Status();
  });
  std::set<Id> all(got[0].begin(), got[0].end());
  for (Id id : got[1]) EXPECT_TRUE(all.insert(id).second) << "job " << id << " claimed twice";
  EXPECT_EQ(all.size(), static_cast<size_t>(kJobs));
  EXPECT_EQ(got[0].size() + got[1].size(), static_cast<size_t>(kJobs));
}

RD_STORE_TEST_SUITE(JobsTest);

}  // namespace
}  // namespace replydesk::store::testing
