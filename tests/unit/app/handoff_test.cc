// The ingest hand-off between `replydesk ingest` and `serve` (app/handoff.h,
// app/handoff_listener.h): the wire format, and a listener with a recording
// handler driven by the real client over a real abstract socket.
#include "app/handoff.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "app/handoff_listener.h"

namespace replydesk::app {
namespace {

namespace fs = std::filesystem;

TEST(HandoffProtocol, RequestHeaderRoundTrips) {
  IngestEnvelope e;
  e.channel = "support@ours.example";
  e.sender = "c@example.com";
  e.recipients = {"help@ours.example"};
  auto header = EncodeRequestHeader(e, 1234);
  ASSERT_TRUE(header.has_value());
  ASSERT_EQ(header->substr(header->size() - 2), "\n\n");
  auto parsed = ParseRequestHeader(std::string_view(*header).substr(0, header->size() - 2));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->size, 1234u);
  EXPECT_EQ(parsed->envelope.sender, "c@example.com");
  // The channel travels first among the recipients, as the accept path wants it.
  EXPECT_EQ(parsed->envelope.recipients,
            (std::vector<std::string>{"support@ours.example", "help@ours.example"}));
}

TEST(HandoffProtocol, ValuesThatCannotBeFramedAreRefusedByTheClient) {
  IngestEnvelope e;
  e.sender = "a@example.com\nsize 0";
  EXPECT_FALSE(EncodeRequestHeader(e, 10).has_value());
  e.sender = std::string("a\0b", 3);
  EXPECT_FALSE(EncodeRequestHeader(e, 10).has_value());
}

TEST(HandoffProtocol, BadHeadersAreErrors) {
  for (std::string_view bad : {"", "hello 1\nsize 3", "ingest 1", "ingest 1\nsize x",
                               "ingest 1\nsize 3\nflavour vanilla", "ingest 2\nsize 3"}) {
    auto r = ParseRequestHeader(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().detail, "handoff.bad_request");
  }
}

TEST(HandoffProtocol, RepliesRoundTripAndOnlySysexitsEndTheIngest) {
  auto r = ParseReply(EncodeReply({kExOk, "queued as\ninbound 7"}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->code, 0);
  EXPECT_EQ(r->text, "queued as inbound 7");  // one line
  EXPECT_TRUE(r->final());
  EXPECT_TRUE(ParseReply("65 too big\n")->final());
  EXPECT_TRUE(ParseReply("75 later\n")->final());
  EXPECT_FALSE(ParseReply("77 not you\n")->final());
  EXPECT_FALSE(ParseReply("oops\n").has_value());
}

TEST(HandoffProtocol, PostgresNamesComeFromTheUrlSqliteNamesFromThePath) {
  auto pg = ServeSocketName("postgresql://127.0.0.1/replydesk");
  ASSERT_TRUE(pg.has_value());
  EXPECT_NE(pg, ServeSocketName("postgresql://127.0.0.1/other"));
  const fs::path dir = fs::temp_directory_path() / ("handoff-name-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream((dir / "a.db").string()) << "";
  auto a = ServeSocketName((dir / "a.db").string());
  ASSERT_TRUE(a.has_value());
  EXPECT_LT(a->size(), 100u);  // fits sun_path whatever the path length
  EXPECT_EQ(ServeSocketName((dir / "." / "a.db").string()), a);
  EXPECT_FALSE(ServeSocketName((dir / "missing.db").string()).has_value());
  fs::remove_all(dir);
}

// Records what it accepted; answers `code`.
class Recorder : public HandoffHandler {
 public:
  struct Shared {
    std::mutex mu;
    std::vector<std::pair<IngestEnvelope, std::string>> accepted;
    int code = kExOk;
    int delay_ms = 0;
  };
  explicit Recorder(Shared& shared) : shared_(shared) {}
  HandoffReply Accept(const IngestEnvelope& e, std::string message) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(shared_.delay_ms));
    std::lock_guard<std::mutex> lock(shared_.mu);
    shared_.accepted.emplace_back(e, std::move(message));
    return {shared_.code, "inbound " + std::to_string(shared_.accepted.size())};
  }

 private:
  Shared& shared_;
};

class HandoffListenerTest : public ::testing::Test {
 protected:
  std::unique_ptr<HandoffListener> Listen(HandoffOptions options = {}) {
    return HandoffListener::Start(name_, options,
                                  [this] { return std::make_unique<Recorder>(shared_); });
  }
  std::optional<HandoffReply> Send(const std::string& message, int timeout_ms = 5000) {
    int fd = ConnectServe(name_);
    if (fd < 0) return HandoffReply{-1, "no serve"};
    IngestEnvelope e;
    e.sender = "c@example.com";
    e.recipients = {"support@ours.example"};
    return HandOff(fd, e, message, timeout_ms);
  }

  const std::string name_ = "replydesk-test/" + std::to_string(getpid()) + "-" +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name();
  Recorder::Shared shared_;
};

TEST_F(HandoffListenerTest, NobodyListeningMeansNoServe) { EXPECT_EQ(ConnectServe(name_), -1); }

TEST_F(HandoffListenerTest, AMessageIsHandedOverWhole) {
  auto listener = Listen();
  ASSERT_TRUE(listener->bound());
  std::string big(3u << 20, 'x');  // larger than any socket buffer
  big += "\nend\n";
  auto reply = Send(big);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, kExOk) << reply->text;
  EXPECT_EQ(reply->text, "inbound 1");
  ASSERT_EQ(shared_.accepted.size(), 1u);
  EXPECT_EQ(shared_.accepted[0].second, big);
  EXPECT_EQ(shared_.accepted[0].first.sender, "c@example.com");
  EXPECT_EQ(shared_.accepted[0].first.recipients, std::vector<std::string>{"support@ours.example"});
  // The handler's answer is passed on as it is (the store unavailable: 75).
  shared_.code = kExTempFail;
  EXPECT_EQ(Send("Subject: x\n\nhi\n")->code, kExTempFail);
}

TEST_F(HandoffListenerTest, OverTheLimitIsRefusedBeforeTheBodyIsRead) {
  HandoffOptions o;
  o.max_message_bytes = 100;
  auto listener = Listen(o);
  auto reply = Send(std::string(2u << 20, 'y'));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, kExDataErr);
  EXPECT_NE(reply->text.find("inbound.too_large"), std::string::npos) << reply->text;
  EXPECT_TRUE(shared_.accepted.empty());
}

TEST_F(HandoffListenerTest, AClientThatGoesAwayMidMessageLeavesNothing) {
  auto listener = Listen();
  int fd = ConnectServe(name_);
  ASSERT_GE(fd, 0);
  const std::string partial = "ingest 1\nsize 100\n\nonly part of it";
  ASSERT_EQ(send(fd, partial.data(), partial.size(), 0), static_cast<ssize_t>(partial.size()));
  close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(shared_.accepted.empty());
  EXPECT_EQ(Send("Subject: y\n\nhi\n")->code, kExOk);  // and the listener goes on
}

TEST_F(HandoffListenerTest, StoppingServeAnswersTheRequestInHandASilentOneMeans75) {
  shared_.delay_ms = 300;
  auto listener = Listen();
  std::optional<HandoffReply> reply{HandoffReply{}};
  std::thread client([&] { reply = Send("Subject: z\n\nhi\n"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  listener.reset();  // answers the request in hand first
  client.join();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, kExOk);
  // A serve that never answers: the ingest gives up with 75 (the MTA retries).
  shared_.delay_ms = 1500;
  listener = Listen();
  reply = Send("Subject: w\n\nhi\n", /*timeout_ms=*/200);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, kExTempFail);
}

TEST_F(HandoffListenerTest, ASecondServeTakesTheNameOverWhenTheFirstGoes) {
  auto first = Listen();
  ASSERT_TRUE(first->bound());
  HandoffOptions o;
  o.retry_ms = 50;
  auto second = Listen(o);
  EXPECT_FALSE(second->bound());
  first.reset();
  for (int i = 0; i < 300 && !second->bound(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(second->bound());
  EXPECT_EQ(Send("Subject: v\n\nhi\n")->code, kExOk);
}

}  // namespace
}  // namespace replydesk::app
