// A recording LmtpHandler for the channels tests: the handler is our own interface, so a small
// in-test implementation is the real collaborator here (no network is mocked).
#pragma once

#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "channels/lmtp_handler.h"

namespace replydesk::channels::lmtp_test {

struct Delivery {
  std::string message;
  LmtpEnvelope envelope;
};

// Shared by every handler a server's factory makes; thread-safe.
struct DeliveryLog {
  std::mutex mu;
  std::vector<Delivery> deliveries;
  std::vector<std::string> checked;

  std::vector<Delivery> Snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    return deliveries;
  }
};

class RecordingHandler : public LmtpHandler {
 public:
  explicit RecordingHandler(DeliveryLog& log) : log_(log) {}

  std::set<std::string> unknown = {"nobody@example.com"};
  bool throw_on_deliver = false;
  bool throw_on_check = false;
  int wrong_reply_count = 0;  // extra replies Deliver returns (a buggy handler)

  LmtpReply CheckRecipient(const std::string& address) override {
    if (throw_on_check) throw std::runtime_error("directory down");
    {
      std::lock_guard<std::mutex> lock(log_.mu);
      log_.checked.push_back(address);
    }
    if (unknown.count(address)) return {550, "5.1.1", "User unknown"};
    return {250, "2.1.5", "Ok"};
  }

  std::vector<LmtpReply> Deliver(const std::string& message, const LmtpEnvelope& env) override {
    if (throw_on_deliver) throw std::runtime_error("database is locked");
    std::lock_guard<std::mutex> lock(log_.mu);
    log_.deliveries.push_back({message, env});
    std::string id = std::to_string(log_.deliveries.size());
    return std::vector<LmtpReply>(env.rcpt_to.size() + wrong_reply_count,
                                  {250, "2.0.0", "Ok: queued as " + id});
  }

 private:
  DeliveryLog& log_;
};

}  // namespace replydesk::channels::lmtp_test
