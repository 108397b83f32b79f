#include "channels/lmtp_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "lmtp_test_handler.h"

namespace replydesk::channels {
namespace {

using lmtp_test::DeliveryLog;
using lmtp_test::RecordingHandler;

// A plain blocking TCP client that speaks LMTP line by line.
class LmtpClient {
 public:
  explicit LmtpClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~LmtpClient() { ::close(fd_); }

  bool connected() const { return connected_; }

  void Send(std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      s.remove_prefix(static_cast<size_t>(n));
    }
  }

  // One whole reply (every line of a multi-line one); "" on EOF or timeout.
  std::string ReadReply() {
    std::string reply;
    while (true) {
      size_t lf = buf_.find('\n');
      if (lf == std::string::npos) {
        if (!Fill()) return "";
        continue;
      }
      std::string line = buf_.substr(0, lf + 1);
      buf_.erase(0, lf + 1);
      reply += line;
      if (line.size() < 4 || line[3] != '-') return reply;
    }
  }

  std::string ReadReplies(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += ReadReply();
    return out;
  }

  // True when the server closed the connection (and sent nothing more).
  bool AtEof() { return buf_.empty() && !Fill(); }

 private:
  bool Fill() {
    char tmp[4096];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

class LmtpServerTest : public ::testing::Test {
 protected:
  void StartServer(LmtpOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<LmtpServer>(
        options, [this] { return std::make_unique<RecordingHandler>(log_); });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  // Sends one whole transaction and returns the replies after DATA.
  std::string SendMessage(LmtpClient& c, const std::string& from, const std::string& body) {
    c.Send("MAIL FROM:<" + from + ">\r\nRCPT TO:<support@example.com>\r\nDATA\r\n");
    EXPECT_EQ(c.ReadReplies(3),
              "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    c.Send(body + ".\r\n");
    return c.ReadReply();
  }

  void WaitForNoSessions() {
    for (int i = 0; i < 500 && server_->active_sessions() > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  DeliveryLog log_;
  std::unique_ptr<LmtpServer> server_;
};

TEST_F(LmtpServerTest, SeveralMessagesOnOneConnection) {
  StartServer();
  LmtpClient c(server_->port());
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.ReadReply(), "220 replydesk LMTP Replydesk ready\r\n");
  c.Send("LHLO test\r\n");
  EXPECT_NE(c.ReadReply().find("250 8BITMIME\r\n"), std::string::npos);
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(SendMessage(c, "a@x", "Subject: " + std::to_string(i) + "\r\n\r\n..dot\r\n"),
              "250 2.0.0 Ok: queued as " + std::to_string(i) + "\r\n");
  }
  c.Send("QUIT\r\n");
  EXPECT_EQ(c.ReadReply(), "221 2.0.0 Bye\r\n");
  EXPECT_TRUE(c.AtEof());
  auto deliveries = log_.Snapshot();
  ASSERT_EQ(deliveries.size(), 3u);
  EXPECT_EQ(deliveries[2].message, "Subject: 3\n\n.dot\n");
  EXPECT_EQ(deliveries[2].envelope.client.rfind("127.0.0.1:", 0), 0u);
}

TEST_F(LmtpServerTest, TwoConcurrentConnections) {
  StartServer();
  LmtpClient c1(server_->port());
  LmtpClient c2(server_->port());
  c1.ReadReply();
  c2.ReadReply();
  c1.Send("LHLO one\r\nMAIL FROM:<one@x>\r\nRCPT TO:<a@x>\r\nDATA\r\n");
  EXPECT_EQ(c1.ReadReplies(4).substr(0, 15), "250-replydesk\r\n");
  // c2 runs a whole transaction while c1 is in the middle of its DATA.
  c2.Send("LHLO two\r\n");
  c2.ReadReply();
  EXPECT_EQ(SendMessage(c2, "two@x", "second\r\n"), "250 2.0.0 Ok: queued as 1\r\n");
  c1.Send("first\r\n.\r\n");
  EXPECT_EQ(c1.ReadReply(), "250 2.0.0 Ok: queued as 2\r\n");
  auto deliveries = log_.Snapshot();
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(deliveries[0].envelope.mail_from, "two@x");
  EXPECT_EQ(deliveries[1].message, "first\n");
}

TEST_F(LmtpServerTest, PipelinedTransactionInOneWrite) {
  StartServer();
  LmtpClient c(server_->port());
  c.ReadReply();
  c.Send(
      "LHLO p\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<nobody@example.com>\r\n"
      "DATA\r\nSubject: p\r\n\r\nbody\r\n.\r\nQUIT\r\n");
  EXPECT_EQ(c.ReadReplies(7),
            std::string("250-replydesk\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n"
                        "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n250 2.1.0 Ok\r\n"
                        "250 2.1.5 Ok\r\n550 5.1.1 User unknown\r\n"
                        "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 1\r\n"
                        "221 2.0.0 Bye\r\n"));
  EXPECT_TRUE(c.AtEof());
  ASSERT_EQ(log_.Snapshot().size(), 1u);
  EXPECT_EQ(log_.Snapshot()[0].message, "Subject: p\n\nbody\n");
}

TEST_F(LmtpServerTest, ClientVanishingMidDataDeliversNothing) {
  StartServer();
  {
    LmtpClient c(server_->port());
    c.ReadReply();
    c.Send("LHLO p\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nSubject: half\r\n");
    c.ReadReplies(4);
  }
  WaitForNoSessions();
  EXPECT_EQ(server_->active_sessions(), 0);
  EXPECT_TRUE(log_.Snapshot().empty());
}

TEST_F(LmtpServerTest, SessionsOverTheLimitGet421) {
  LmtpOptions options;
  options.max_sessions = 1;
  StartServer(options);
  auto c1 = std::make_unique<LmtpClient>(server_->port());
  EXPECT_EQ(c1->ReadReply().substr(0, 4), "220 ");
  LmtpClient c2(server_->port());
  EXPECT_EQ(c2.ReadReply(), "421 4.3.2 replydesk Error: too many connections\r\n");
  EXPECT_TRUE(c2.AtEof());
  c1->Send("QUIT\r\n");
  EXPECT_EQ(c1->ReadReply(), "221 2.0.0 Bye\r\n");
  c1.reset();
  WaitForNoSessions();
  LmtpClient c3(server_->port());
  EXPECT_EQ(c3.ReadReply().substr(0, 4), "220 ");
}

TEST_F(LmtpServerTest, StopWhileIdleSessionIsOpen) {
  StartServer();
  LmtpClient c(server_->port());
  c.ReadReply();
  c.Send("LHLO test\r\nMAIL FROM:<a@x>\r\n");
  c.ReadReplies(2);
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(c.ReadReply(), "421 4.3.2 replydesk Service shutting down\r\n");
  EXPECT_TRUE(c.AtEof());
  EXPECT_EQ(server_->active_sessions(), 0);
  LmtpClient late(server_->port());
  EXPECT_FALSE(late.connected());
  server_->Stop();  // idempotent
}

TEST_F(LmtpServerTest, IdleTimeoutCloses) {
  LmtpOptions options;
  options.idle_timeout_seconds = 1;
  StartServer(options);
  LmtpClient c(server_->port());
  c.ReadReply();
  EXPECT_EQ(c.ReadReply(), "421 4.4.2 replydesk Error: timeout exceeded\r\n");
  EXPECT_TRUE(c.AtEof());
}

TEST_F(LmtpServerTest, FactoryFailureGives421) {
  server_ = std::make_unique<LmtpServer>(LmtpOptions{.port = 0},
                                         []() -> std::unique_ptr<LmtpHandler> { return nullptr; });
  ASSERT_TRUE(server_->Start().ok());
  LmtpClient c(server_->port());
  EXPECT_EQ(c.ReadReply(), "421 4.3.0 replydesk Error: internal error, id lmtp#1\r\n");
}

TEST_F(LmtpServerTest, PortInUseIsUnavailable) {
  StartServer();
  LmtpServer other(LmtpOptions{.port = server_->port()},
                   [this] { return std::make_unique<RecordingHandler>(log_); });
  util::Status status = other.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::ErrorCode::kUnavailable);
  EXPECT_EQ(status.error().detail, "lmtp.bind_failed");
}

TEST_F(LmtpServerTest, SwaksDeliversThroughTheServer) {
  if (::access("/usr/bin/swaks", X_OK) != 0) GTEST_SKIP() << "/usr/bin/swaks is not installed";
  StartServer();
  std::string cmd = "/usr/bin/swaks --protocol LMTP --server 127.0.0.1 --port " +
                    std::to_string(server_->port()) +
                    " --to a@b --from c@d --header 'Subject: swaks test' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
  int status = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  auto deliveries = log_.Snapshot();
  ASSERT_EQ(deliveries.size(), 1u) << output;
  EXPECT_EQ(deliveries[0].envelope.mail_from, "c@d");
  EXPECT_EQ(deliveries[0].envelope.rcpt_to, std::vector<std::string>{"a@b"});
  EXPECT_NE(deliveries[0].message.find("Subject: swaks test\n"), std::string::npos);
  EXPECT_EQ(deliveries[0].message.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace replydesk::channels
