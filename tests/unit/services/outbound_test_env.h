// Fixture for outbound tests: the inbound pipeline with triggers on, a
// channel with working hours, and a recording MailTransport standing in for
// the SMTP server (the real one is exercised in tests/integration).
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "services/defaults.h"
#include "services/inbound_service.h"
#include "services/inbound_worker.h"
#include "services/outbound_worker.h"
#include "services/ports/mail_transport.h"
#include "services_test_env.h"

namespace replydesk::services {

// Answers with the queued outcomes (then kAccepted) and keeps what it was given.
class RecordingTransport final : public MailTransport {
 public:
  struct Sent {
    std::string envelope_from;
    std::vector<std::string> recipients;
    std::string raw;
  };
  SubmitOutcome Submit(const std::string& envelope_from, const std::vector<std::string>& recipients,
                       std::string_view raw) override {
    SubmitOutcome out{SubmitOutcome::Kind::kAccepted, 250, "250 2.0.0 Ok: queued"};
    if (!outcomes.empty()) {
      out = outcomes.front();
      outcomes.pop_front();
    }
    attempts.push_back({envelope_from, recipients, std::string(raw)});
    if (out.kind == SubmitOutcome::Kind::kAccepted) sent.push_back(attempts.back());
    return out;
  }
  std::deque<SubmitOutcome> outcomes;
  std::vector<Sent> attempts;
  std::vector<Sent> sent;
};

class OutboundTest : public ServicesTest {
 protected:
  void SetUp() override {
    ServicesTest::SetUp();
    if (IsSkipped()) return;
    domain::Channel c;
    c.address = "support@ours.example";
    c.name = "Support";
    c.language = "en";
    c.hours = "Europe/Sofia; Mon-Fri 09:00-18:00";
    c.first_response_minutes = 240;
    c.resolution_minutes = 3 * 540;
    auto st = store().Transact([&](store::Tx& tx) -> util::Status {
      RD_ASSIGN_OR_RETURN(auto team, tx.CreateTeam("Customer Care"));
      c.team_id = team.id;
      RD_ASSIGN_OR_RETURN(channel_, tx.CreateChannel(c));
      return util::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st.error().ToString();
    // As every command does on opening: shipped templates and the acknowledgement rule.
    st = EnsureDefaults(store());
    ASSERT_TRUE(st.ok()) << st.error().ToString();
    outbound_settings_.retry_base_seconds = 60;
    outbound_settings_.max_attempts = 3;
    service_ = std::make_unique<InboundService>(store(), clock_, settings_);
    worker_ =
        std::make_unique<InboundWorker>(store(), clock_, settings_, "test", outbound_settings_);
    sender_ =
        std::make_unique<OutboundWorker>(store(), clock_, transport_, outbound_settings_, "sender");
  }

  void Deliver(const std::string& raw, const std::string& source = "lmtp") {
    auto r = service_->Accept({raw, source, "", {"support@ours.example"}});
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    auto b = worker_->Drain();
    ASSERT_TRUE(b.ok()) << b.error().ToString();
    EXPECT_EQ(b->failed, 0);
  }

  SendResult Send() {
    auto r = sender_->Drain();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
    return r.ok() ? *r : SendResult{};
  }

  std::vector<domain::Outbound> Outbox() {
    return Read<std::vector<domain::Outbound>>(
        [](store::Tx& tx) { return tx.ListOutbound(std::nullopt, 1000); });
  }

  domain::Channel channel_;
  IngestSettings settings_;
  OutboundSettings outbound_settings_;
  RecordingTransport transport_;
  std::unique_ptr<InboundService> service_;
  std::unique_ptr<InboundWorker> worker_;
  std::unique_ptr<OutboundWorker> sender_;
};

}  // namespace replydesk::services
