// SqlTx, part 5: users (agents and admins, with the profile their replies are
// signed with) and the threading lock.
#include "store/sql_tx.h"

namespace replydesk::store {

using domain::Role;
using domain::User;

namespace {
constexpr Role kRoles[] = {Role::kAdmin, Role::kAgent};
// Any constant works: it names the one lock all threading decisions share.
constexpr int64_t kThreadingLockKey = 0x52445448;  // "RDTH"
}  // namespace

#define RD_USER_COLUMNS \
  "SELECT id, email, name, role, password_hash, created_at, position, signature FROM users "

Result<std::vector<User>> SqlTx::ReadUsers(Rows& rows) {
  std::vector<User> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    User& u = out[r];
    u.id = rows.Int(r, 0);
    u.email = rows.TakeText(r, 1);
    u.name = rows.TakeText(r, 2);
    const std::string role = rows.Text(r, 3);
    auto parsed = domain::ParseByName(role, kRoles, &domain::RoleName);
    if (!parsed) return BadValue("users.role", role);
    u.role = *parsed;
    u.password_hash = rows.TakeText(r, 4);
    u.created_at = rows.Int(r, 5);
    u.position = rows.TakeText(r, 6);
    u.signature = rows.TakeText(r, 7);
  }
  return out;
}

Result<User> SqlTx::CreateUser(const User& u) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("INSERT INTO users (email, name, role, password_hash, "
                  "created_at, position, signature) VALUES (?, ?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT DO NOTHING RETURNING id",
                  {Text(u.email), Text(u.name), Text(domain::RoleName(u.role)),
                   Text(u.password_hash), Int(u.created_at), Text(u.position), Text(u.signature)}));
  if (rows.empty()) {
    return util::MakeError(util::ErrorCode::kAlreadyExists, "store.already_exists",
                           "user '" + u.email + "'");
  }
  User out = u;
  out.id = rows.Int(0, 0);
  return out;
}

Result<std::optional<User>> SqlTx::FindUserByEmail(const std::string& email) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_USER_COLUMNS "WHERE email = ?", {Text(email)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadUsers(rows));
  if (list.empty()) return std::optional<User>();
  return std::optional<User>(std::move(list.front()));
}

Result<User> SqlTx::GetUser(Id id) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_USER_COLUMNS "WHERE id = ?", {Int(id)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadUsers(rows));
  if (list.empty()) return NotFound("user", id);
  return std::move(list.front());
}

Result<std::vector<User>> SqlTx::ListUsers() {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(RD_USER_COLUMNS "ORDER BY id", {}));
  return ReadUsers(rows);
}

Status SqlTx::UpdateUserProfile(const User& u) {
  RD_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query("UPDATE users SET name = ?, position = ?, "
                                  "signature = ? WHERE id = ?",
                                  {Text(u.name), Text(u.position), Text(u.signature), Int(u.id)}));
  if (rows.affected() == 0) return NotFound("user", u.id);
  return util::OkStatus();
}

Status SqlTx::SetUserPassword(Id user_id, const std::string& password_hash) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("UPDATE users SET password_hash = ? WHERE id = ?",
                                             {Text(password_hash), Int(user_id)}));
  if (rows.affected() == 0) return NotFound("user", user_id);
  return util::OkStatus();
}

Status SqlTx::LockThreading() {
  if (conn_.backend() != Backend::kPostgres || threading_locked_) return util::OkStatus();
  RD_ASSIGN_OR_RETURN([[maybe_unused]] Rows rows,
                      conn_.Query("SELECT pg_advisory_xact_lock(?)", {Int(kThreadingLockKey)}));
  // Held to the end of the transaction, unless taken inside a savepoint that
  // is rolled back: only a lock taken outside every savepoint is remembered
  // (a batch takes it first, so its messages need no round trip each).
  threading_locked_ = depth_ == 0;
  return util::OkStatus();
}

}  // namespace replydesk::store
