// Customers and identities (unique (kind, value)), organisations, teams, channels.
#include "store_test_env.h"

namespace replydesk::store::testing {
namespace {

using domain::Customer;
using domain::Identity;
using domain::IdentityKind;
using util::ErrorCode;

class CustomersTest : public StoreTest {
 protected:
  static Customer Alice() {
    Customer c;
    c.name = "Alice";
    c.language = "ro";
    c.created_at = 1700000000;
    c.identities = {{IdentityKind::kEmail, "alice@example.com"}, {IdentityKind::kPhone, "+40700"}};
    return c;
  }
};

TEST_P(CustomersTest, CreateFindGet) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(Customer created, tx.CreateCustomer(Alice()));
    EXPECT_GT(created.id, 0);
    RD_ASSIGN_OR_RETURN(auto found, tx.FindCustomerByIdentity({IdentityKind::kPhone, "+40700"}));
    EXPECT_TRUE(found.has_value());
    if (!found) return Status();
    EXPECT_EQ(found->id, created.id);
    EXPECT_EQ(found->name, "Alice");
    EXPECT_EQ(found->language, "ro");
    EXPECT_EQ(found->created_at, 1700000000);
    EXPECT_FALSE(found->organisation_id.has_value());
    EXPECT_EQ(found->identities.size(), 2u);
    RD_ASSIGN_OR_RETURN(auto none, tx.FindCustomerByIdentity({IdentityKind::kEmail, "+40700"}));
    EXPECT_FALSE(none.has_value()) << "kind is part of the key";
    RD_ASSIGN_OR_RETURN(Customer got, tx.GetCustomer(created.id));
    EXPECT_EQ(got.identities[0].value, "alice@example.com");
    return Status();
  }));
}

TEST_P(CustomersTest, TakenIdentityIsAlreadyExistsAndLeavesNothing) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_RETURN_IF_ERROR(tx.CreateCustomer(Alice()));
    return Status();
  }));
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    Customer bob;
    bob.name = "Bob";
    bob.identities = {{IdentityKind::kEmail, "bob@example.com"},
                      {IdentityKind::kEmail, "alice@example.com"}};
    auto r = tx.CreateCustomer(bob);
    EXPECT_FALSE(r.ok());
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
    }
    // The transaction stays usable and Bob left nothing behind.
    RD_ASSIGN_OR_RETURN(auto none,
                        tx.FindCustomerByIdentity({IdentityKind::kEmail, "bob@example.com"}));
    EXPECT_FALSE(none.has_value());
    bob.identities.pop_back();
    RD_ASSIGN_OR_RETURN(Customer created, tx.CreateCustomer(bob));
    EXPECT_GT(created.id, 0);
    return Status();
  }));
}

TEST_P(CustomersTest, AddIdentityAndRename) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(Customer a, tx.CreateCustomer(Alice()));
    Customer b;
    b.name = "Bob";
    RD_ASSIGN_OR_RETURN(b, tx.CreateCustomer(b));
    RD_RETURN_IF_ERROR(tx.AddIdentity(b.id, {IdentityKind::kEmail, "bob@example.com"}));
    RD_RETURN_IF_ERROR(tx.AddIdentity(b.id, {IdentityKind::kEmail, "bob@example.com"}));  // no-op
    Status taken = tx.AddIdentity(b.id, {IdentityKind::kEmail, "alice@example.com"});
    EXPECT_FALSE(taken.ok());
    if (!taken.ok()) {
      EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
    }
    RD_RETURN_IF_ERROR(tx.UpdateCustomerName(a.id, "Alice Pop"));
    RD_ASSIGN_OR_RETURN(Customer got, tx.GetCustomer(a.id));
    EXPECT_EQ(got.name, "Alice Pop");
    RD_ASSIGN_OR_RETURN(Customer gotb, tx.GetCustomer(b.id));
    EXPECT_EQ(gotb.identities.size(), 1u);
    auto missing = tx.GetCustomer(987654);
    EXPECT_FALSE(missing.ok());
    if (!missing.ok()) {
      EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    }
    return Status();
  }));
}

TEST_P(CustomersTest, OrganisationsTeamsChannels) {
  RD_ASSERT_OK(store_->Transact([&](Tx& tx) -> Status {
    RD_ASSIGN_OR_RETURN(auto org, tx.CreateOrganisation({0, "Example SRL", "example.ro"}));
    RD_ASSIGN_OR_RETURN(auto found, tx.FindOrganisationByDomain("example.ro"));
    EXPECT_TRUE(found.has_value() && found->id == org.id && found->name == "Example SRL");
    auto dup = tx.CreateOrganisation({0, "Other", "example.ro"});
    EXPECT_FALSE(dup.ok());
    RD_RETURN_IF_ERROR(tx.CreateOrganisation({0, "No domain 1", ""}));
    RD_RETURN_IF_ERROR(tx.CreateOrganisation({0, "No domain 2", ""}));  // "" never collides

    RD_ASSIGN_OR_RETURN(auto team, tx.CreateTeam("Billing"));
    EXPECT_FALSE(tx.CreateTeam("Billing").ok());
    RD_ASSIGN_OR_RETURN(auto teams, tx.ListTeams());
    EXPECT_EQ(teams.size(), 1u);
    RD_ASSIGN_OR_RETURN(auto by_name, tx.FindTeamByName("Billing"));
    EXPECT_TRUE(by_name.has_value() && by_name->id == team.id);

    domain::Channel ch{0, "support@example.ro", "Support", team.id, "ro"};
    RD_ASSIGN_OR_RETURN(auto channel, tx.CreateChannel(ch));
    EXPECT_FALSE(tx.CreateChannel(ch).ok());
    RD_ASSIGN_OR_RETURN(auto by_addr, tx.FindChannelByAddress("support@example.ro"));
    EXPECT_TRUE(by_addr.has_value());
    if (by_addr) {
      EXPECT_EQ(by_addr->id, channel.id);
      EXPECT_EQ(by_addr->team_id, std::optional<Id>(team.id));
      EXPECT_EQ(by_addr->language, "ro");
    }
    RD_ASSIGN_OR_RETURN(auto channels, tx.ListChannels());
    EXPECT_EQ(channels.size(), 1u);
    return Status();
  }));
}

RD_STORE_TEST_SUITE(CustomersTest);

}  // namespace
}  // namespace replydesk::store::testing
