// SqlTx, part 2: customers and their identities, organisations, teams and
// channels. Unique keys are claimed with INSERT ... ON CONFLICT DO NOTHING so a
// taken key is kAlreadyExists without failing the surrounding transaction.
#include "store/sql_tx.h"

namespace replydesk::store {

using domain::Channel;
using domain::Customer;
using domain::Identity;
using domain::IdentityKind;
using domain::Organisation;
using domain::Team;
using util::ErrorCode;
using util::MakeError;

namespace {

constexpr IdentityKind kIdentityKinds[] = {IdentityKind::kEmail, IdentityKind::kPhone};

Result<Id> ReturnedId(Result<Rows> rows, const std::string& what, const std::string& key) {
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return Taken(what, key);
  return rows->Int(0, 0);
}

}  // namespace

Error Taken(const std::string& what, const std::string& key) {
  return MakeError(ErrorCode::kAlreadyExists, "store.already_exists", what + " '" + key + "'");
}

Status SqlTx::UpdateUnique(std::string_view sql, std::initializer_list<SqlParam> params,
                           const std::string& what, const std::string& key, Id id) {
  // A unique violation fails the statement (and a PostgreSQL transaction), so
  // the UPDATE runs in a savepoint that is rolled back when it fails.
  RD_RETURN_IF_ERROR(conn_.Savepoint());
  Result<Rows> rows = conn_.Query(sql, params);
  if (!rows.ok()) {
    conn_.RollbackToSavepoint();
    if (rows.error().code == ErrorCode::kAlreadyExists) return Taken(what, key);
    return rows.error();
  }
  RD_RETURN_IF_ERROR(conn_.ReleaseSavepoint());
  if (rows->affected() == 0) return NotFound(what, id);
  return util::OkStatus();
}

Result<std::vector<Customer>> SqlTx::ReadCustomers(Rows& rows) {
  std::vector<Customer> out;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (out.empty() || out.back().id != rows.Int(r, 0)) {
      Customer& c = out.emplace_back();
      c.id = rows.Int(r, 0);
      c.name = rows.TakeText(r, 1);
      c.language = rows.TakeText(r, 2);
      c.organisation_id = rows.OptInt(r, 3);
      c.created_at = rows.Int(r, 4);
    }
    if (rows.IsNull(r, 5)) continue;
    const std::string kind = rows.Text(r, 5);
    auto parsed = domain::ParseByName(kind, kIdentityKinds, &domain::IdentityKindName);
    if (!parsed) return BadValue("identity.kind", kind);
    out.back().identities.push_back(Identity{*parsed, rows.TakeText(r, 6)});
  }
  return out;
}

Result<std::optional<Customer>> SqlTx::FindCustomerByIdentity(const Identity& identity) {
  const bool cached = read_ahead_ && identity.kind == IdentityKind::kEmail;
  if (cached) {
    auto it = customers_by_email_.find(identity.value);
    if (it != customers_by_email_.end()) return it->second;
  }
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(RD_CUSTOMER_COLUMNS "FROM customer_identities i JOIN customers c ON c.id = "
                                      "i.customer_id" RD_CUSTOMER_IDENTITIES
                                      "WHERE i.kind = ? AND i.value = ?" RD_CUSTOMER_ORDER,
                  {Text(domain::IdentityKindName(identity.kind)), Text(identity.value)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadCustomers(rows));
  std::optional<Customer> found;
  if (!list.empty()) found = std::move(list.front());
  if (cached) customers_by_email_[identity.value] = found;
  return found;
}

Result<Customer> SqlTx::GetCustomer(Id id) {
  RD_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(RD_CUSTOMER_COLUMNS "FROM customers c" RD_CUSTOMER_IDENTITIES
                                                      "WHERE c.id = ?" RD_CUSTOMER_ORDER,
                                  {Int(id)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadCustomers(rows));
  if (list.empty()) return NotFound("customer", id);
  return std::move(list.front());
}

Status SqlTx::InsertIdentities(Id customer_id, const std::vector<Identity>& identities) {
  for (const Identity& identity : identities) {
    RD_RETURN_IF_ERROR(ReturnedId(
        conn_.Query("INSERT INTO customer_identities (customer_id, kind, value) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    {Int(customer_id), Text(domain::IdentityKindName(identity.kind)),
                     Text(identity.value)}),
        "identity", identity.value));
  }
  return util::OkStatus();
}

Result<Customer> SqlTx::CreateCustomer(const Customer& c) {
  // A savepoint, so a taken identity leaves no customer row behind.
  RD_RETURN_IF_ERROR(conn_.Savepoint());
  Result<Id> id = ReturnedId(
      conn_.Query("INSERT INTO customers (name, language, organisation_id, created_at) "
                  "VALUES (?, ?, ?, ?) RETURNING id",
                  {Text(c.name), Text(c.language), OptInt(c.organisation_id), Int(c.created_at)}),
      "customer", c.name);
  Status st = id.ok() ? InsertIdentities(*id, c.identities) : Status(id.error());
  if (st.ok()) st = conn_.ReleaseSavepoint();
  if (!st.ok()) {
    conn_.RollbackToSavepoint();
    return st.error();
  }
  Customer out = c;
  out.id = *id;
  if (read_ahead_) {
    for (const Identity& identity : c.identities) {
      if (identity.kind == IdentityKind::kEmail) customers_by_email_[identity.value] = out;
    }
  }
  return out;
}

Status SqlTx::AddIdentity(Id customer_id, const Identity& identity) {
  customers_by_email_.clear();  // the customers' identity lists changed: read again
  Status st = InsertIdentities(customer_id, {identity});
  if (st.ok() || st.error().code != ErrorCode::kAlreadyExists) return st;
  // Adding an identity the customer already has is a no-op.
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT customer_id FROM customer_identities "
                                             "WHERE kind = ? AND value = ?",
                                             {Text(domain::IdentityKindName(identity.kind)),
                                              Text(identity.value)}));
  if (!rows.empty() && rows.Int(0, 0) == customer_id) return util::OkStatus();
  return st;
}

Status SqlTx::UpdateCustomerName(Id customer_id, const std::string& name) {
  for (auto& [address, customer] : customers_by_email_) {
    if (customer && customer->id == customer_id) customer->name = name;
  }
  return conn_.Exec("UPDATE customers SET name = ? WHERE id = ?", {Text(name), Int(customer_id)},
                    NotFound("customer", customer_id));
}

// --- organisations, teams, channels -------------------------------------------

Result<Organisation> SqlTx::CreateOrganisation(const Organisation& o) {
  RD_ASSIGN_OR_RETURN(Id id, ReturnedId(conn_.Query("INSERT INTO organisations (name, domain) "
                                                    "VALUES (?, ?) ON CONFLICT DO NOTHING "
                                                    "RETURNING id",
                                                    {Text(o.name), TextOrNull(o.domain)}),
                                        "organisation domain", o.domain));
  Organisation out = o;
  out.id = id;
  return out;
}

Result<std::optional<Organisation>> SqlTx::FindOrganisationByDomain(const std::string& domain) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT id, name, domain FROM organisations "
                                             "WHERE domain = ?",
                                             {Text(domain)}));
  if (rows.empty()) return std::optional<Organisation>();
  return std::optional<Organisation>(
      Organisation{rows.Int(0, 0), rows.TakeText(0, 1), rows.TakeText(0, 2)});
}

Result<Team> SqlTx::CreateTeam(const std::string& name) {
  RD_ASSIGN_OR_RETURN(Id id, ReturnedId(conn_.Query("INSERT INTO teams (name) VALUES (?) "
                                                    "ON CONFLICT DO NOTHING RETURNING id",
                                                    {Text(name)}),
                                        "team", name));
  return Team{id, name};
}

Result<Team> SqlTx::GetTeam(Id id) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT id, name FROM teams WHERE id = ?", {Int(id)}));
  if (rows.empty()) return NotFound("team", id);
  return Team{rows.Int(0, 0), rows.TakeText(0, 1)};
}

Result<std::optional<Team>> SqlTx::FindTeamByName(const std::string& name) {
  RD_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query("SELECT id, name FROM teams WHERE name = ?", {Text(name)}));
  if (rows.empty()) return std::optional<Team>();
  return std::optional<Team>(Team{rows.Int(0, 0), rows.TakeText(0, 1)});
}

Result<std::vector<Team>> SqlTx::ListTeams() {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT id, name FROM teams ORDER BY name, id", {}));
  std::vector<Team> out;
  for (size_t r = 0; r < rows.size(); ++r) out.push_back(Team{rows.Int(r, 0), rows.TakeText(r, 1)});
  return out;
}

namespace {

#define RD_CHANNEL_COLUMNS                                                             \
  "SELECT id, address, name, team_id, language, kind, hours, first_response_minutes, " \
  "resolution_minutes FROM channels "

std::vector<Channel> ReadChannels(Rows& rows) {
  std::vector<Channel> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    Channel& c = out[r];
    c.id = rows.Int(r, 0);
    c.address = rows.TakeText(r, 1);
    c.name = rows.TakeText(r, 2);
    c.team_id = rows.OptInt(r, 3);
    c.language = rows.TakeText(r, 4);
    c.kind = rows.TakeText(r, 5);
    c.hours = rows.TakeText(r, 6);
    c.first_response_minutes = rows.Int(r, 7);
    c.resolution_minutes = rows.Int(r, 8);
  }
  return out;
}

}  // namespace

Result<Channel> SqlTx::CreateChannel(const Channel& c) {
  channels_by_address_.clear();
  RD_ASSIGN_OR_RETURN(
      Id id, ReturnedId(conn_.Query("INSERT INTO channels (address, name, team_id, language, kind, "
                                    "hours, first_response_minutes, resolution_minutes) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                                    "ON CONFLICT DO NOTHING RETURNING id",
                                    {Text(c.address), Text(c.name), OptInt(c.team_id),
                                     Text(c.language), Text(c.kind), Text(c.hours),
                                     Int(c.first_response_minutes), Int(c.resolution_minutes)}),
                        "channel", c.address));
  Channel out = c;
  out.id = id;
  return out;
}

Result<Channel> SqlTx::GetChannel(Id id) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_CHANNEL_COLUMNS "WHERE id = ?", {Int(id)}));
  auto list = ReadChannels(rows);
  if (list.empty()) return NotFound("channel", id);
  return std::move(list.front());
}

Status SqlTx::UpdateChannel(const Channel& c) {
  channels_by_address_.clear();
  return UpdateUnique(
      "UPDATE channels SET address = ?, name = ?, team_id = ?, language = ?, kind = ?, "
      "hours = ?, first_response_minutes = ?, resolution_minutes = ? WHERE id = ?",
      {Text(c.address), Text(c.name), OptInt(c.team_id), Text(c.language), Text(c.kind),
       Text(c.hours), Int(c.first_response_minutes), Int(c.resolution_minutes), Int(c.id)},
      "channel", c.address, c.id);
}

Result<std::optional<Channel>> SqlTx::FindChannelByAddress(const std::string& address) {
  // Every new ticket asks; the answer holds for the transaction unless it
  // writes a channel itself (which empties the cache).
  auto cached = channels_by_address_.find(address);
  if (cached != channels_by_address_.end()) return cached->second;
  RD_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(RD_CHANNEL_COLUMNS "WHERE address = ?", {Text(address)}));
  auto list = ReadChannels(rows);
  std::optional<Channel> found;
  if (!list.empty()) found = std::move(list.front());
  channels_by_address_.emplace(address, found);
  return found;
}

Result<std::vector<Channel>> SqlTx::ListChannels() {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_CHANNEL_COLUMNS "ORDER BY address", {}));
  return ReadChannels(rows);
}

}  // namespace replydesk::store
