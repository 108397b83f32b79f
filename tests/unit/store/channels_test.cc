// Channels with their working hours and promises (migration 0003): every
// reader carries the new fields, GetChannel/UpdateChannel/GetTeam.
#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using domain::Channel;
using util::ErrorCode;

class ChannelsTest : public StoreTest {
 protected:
  static Channel Sales(std::optional<Id> team_id) {
    Channel c;
    c.address = "sales@example.org";
    c.name = "Sales";
    c.team_id = team_id;
    c.language = "ro";
    c.kind = "form";
    c.hours = "Mon-Fri 09:00-18:00 Europe/Bucharest";
    c.first_response_minutes = 120;
    c.resolution_minutes = 2880;
    return c;
  }
  static void ExpectSame(const Channel& got, const Channel& want) {
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.address, want.address);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.team_id, want.team_id);
    EXPECT_EQ(got.language, want.language);
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(got.hours, want.hours);
    EXPECT_EQ(got.first_response_minutes, want.first_response_minutes);
    EXPECT_EQ(got.resolution_minutes, want.resolution_minutes);
  }
};

TEST_P(ChannelsTest, EveryReaderCarriesHoursAndPromises) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(domain::Team team, tx.CreateTeam("Sales"));
    RD_ASSIGN_OR_RETURN(Channel created, tx.CreateChannel(Sales(team.id)));
    EXPECT_GT(created.id, 0);
    RD_ASSIGN_OR_RETURN(Channel got, tx.GetChannel(created.id));
    ExpectSame(got, created);
    RD_ASSIGN_OR_RETURN(auto found, tx.FindChannelByAddress("sales@example.org"));
    EXPECT_TRUE(found.has_value());
    if (found) ExpectSame(*found, created);
    RD_ASSIGN_OR_RETURN(auto all, tx.ListChannels());
    EXPECT_EQ(all.size(), 1u);
    if (!all.empty()) ExpectSame(all[0], created);
    return Status();
  }));
}

TEST_P(ChannelsTest, DefaultsAreEmail247WithoutPromises) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    Channel c;
    c.address = "help@example.org";
    RD_ASSIGN_OR_RETURN(c, tx.CreateChannel(c));
    RD_ASSIGN_OR_RETURN(Channel got, tx.GetChannel(c.id));
    EXPECT_EQ(got.kind, "email");
    EXPECT_EQ(got.hours, "24/7");
    EXPECT_EQ(got.first_response_minutes, 0);
    EXPECT_EQ(got.resolution_minutes, 0);
    EXPECT_FALSE(got.team_id.has_value());
    return Status();
  }));
}

TEST_P(ChannelsTest, UpdateChannelWritesEveryField) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    Channel c;
    c.address = "old@example.org";
    RD_ASSIGN_OR_RETURN(c, tx.CreateChannel(c));
    RD_ASSIGN_OR_RETURN(domain::Team team, tx.CreateTeam("Sales"));
    Channel changed = Sales(team.id);
    changed.id = c.id;
    RD_RETURN_IF_ERROR(tx.UpdateChannel(changed));
    RD_ASSIGN_OR_RETURN(Channel got, tx.GetChannel(c.id));
    ExpectSame(got, changed);
    RD_ASSIGN_OR_RETURN(auto old, tx.FindChannelByAddress("old@example.org"));
    EXPECT_FALSE(old.has_value());
    changed.team_id.reset();
    RD_RETURN_IF_ERROR(tx.UpdateChannel(changed));
    RD_ASSIGN_OR_RETURN(got, tx.GetChannel(c.id));
    EXPECT_FALSE(got.team_id.has_value());
    return Status();
  }));
}

TEST_P(ChannelsTest, MissingIdsAreNotFound) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    auto channel = tx.GetChannel(999);
    EXPECT_FALSE(channel.ok());
    if (!channel.ok()) {
      EXPECT_EQ(channel.error().code, ErrorCode::kNotFound);
      EXPECT_EQ(channel.error().detail, "store.not_found");
    }
    Channel c = Sales(std::nullopt);
    c.id = 999;
    Status update = tx.UpdateChannel(c);
    EXPECT_FALSE(update.ok());
    if (!update.ok()) {
      EXPECT_EQ(update.error().code, ErrorCode::kNotFound);
      EXPECT_EQ(update.error().detail, "store.not_found");
    }
    auto team = tx.GetTeam(999);
    EXPECT_FALSE(team.ok());
    if (!team.ok()) {
      EXPECT_EQ(team.error().code, ErrorCode::kNotFound);
    }
    return Status();  // the transaction is still usable
  }));
}

TEST_P(ChannelsTest, UpdateToATakenAddressIsAlreadyExistsAndTxStaysUsable) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    Channel a;
    a.address = "a@example.org";
    RD_ASSIGN_OR_RETURN(a, tx.CreateChannel(a));
    Channel b;
    b.address = "b@example.org";
    RD_ASSIGN_OR_RETURN(b, tx.CreateChannel(b));
    b.address = "a@example.org";
    Status st = tx.UpdateChannel(b);
    EXPECT_FALSE(st.ok());
    if (!st.ok()) {
      EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists);
      EXPECT_EQ(st.error().detail, "store.already_exists");
    }
    RD_ASSIGN_OR_RETURN(Channel got, tx.GetChannel(b.id));
    EXPECT_EQ(got.address, "b@example.org");
    return Status();
  }));
}

TEST_P(ChannelsTest, GetTeam) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(domain::Team team, tx.CreateTeam("Billing"));
    RD_ASSIGN_OR_RETURN(domain::Team got, tx.GetTeam(team.id));
    EXPECT_EQ(got.id, team.id);
    EXPECT_EQ(got.name, "Billing");
    return Status();
  }));
}

RD_STORE_TEST_SUITE(ChannelsTest);

}  // namespace
}  // namespace replydesk::store::testing
