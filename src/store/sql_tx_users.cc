// SqlTx, part 5: users (agents and admins) and the threading lock.
#include "store/sql_tx.h"

namespace replydesk::store {

using domain::Role;
using domain::User;

namespace {
constexpr Role kRoles[] = {Role::kAdmin, Role::kAgent};
// Any constant works: it names the one lock all threading decisions share.
constexpr int64_t kThreadingLockKey = 0x52445448;  // "RDTH"
}  // namespace

Result<User> SqlTx::CreateUser(const User& u) {
  RD_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query("INSERT INTO users (email, name, role, password_hash, "
                                  "created_at) VALUES (?, ?, ?, ?, ?) "
                                  "ON CONFLICT DO NOTHING RETURNING id",
                                  {Text(u.email), Text(u.name), Text(domain::RoleName(u.role)),
                                   Text(u.password_hash), Int(u.created_at)}));
  if (rows.empty()) {
    return util::MakeError(util::ErrorCode::kAlreadyExists, "store.already_exists",
                           "user '" + u.email + "'");
  }
  User out = u;
  out.id = rows.Int(0, 0);
  return out;
}

Result<std::optional<User>> SqlTx::FindUserByEmail(const std::string& email) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT id, email, name, role, password_hash, "
                                             "created_at FROM users WHERE email = ?",
                                             {Text(email)}));
  if (rows.empty()) return std::optional<User>();
  User u;
  u.id = rows.Int(0, 0);
  u.email = rows.TakeText(0, 1);
  u.name = rows.TakeText(0, 2);
  const std::string role = rows.Text(0, 3);
  auto parsed = ParseStoredName(role, kRoles, &domain::RoleName);
  if (!parsed) return BadValue("users.role", role);
  u.role = *parsed;
  u.password_hash = rows.TakeText(0, 4);
  u.created_at = rows.Int(0, 5);
  return std::optional<User>(std::move(u));
}

Status SqlTx::SetUserPassword(Id user_id, const std::string& password_hash) {
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("UPDATE users SET password_hash = ? WHERE id = ?",
                                             {Text(password_hash), Int(user_id)}));
  if (rows.affected() == 0) return NotFound("user", user_id);
  return util::OkStatus();
}

Status SqlTx::LockThreading() {
  if (conn_.backend() != Backend::kPostgres) return util::OkStatus();
  RD_ASSIGN_OR_RETURN([[maybe_unused]] Rows rows,
                      conn_.Query("SELECT pg_advisory_xact_lock(?)", {Int(kThreadingLockKey)}));
  return util::OkStatus();
}

}  // namespace replydesk::store
