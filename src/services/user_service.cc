// Logins: see user_service.h.
#include "services/user_service.h"

#include <sodium.h>

#include "domain/address.h"

namespace replydesk::services {

using util::ErrorCode;
using util::MakeError;

UserService::UserService(store::Store& store, const util::Clock& clock)
    : store_(store), clock_(clock) {}

std::string UserService::GeneratePassword() {
  static constexpr char kAlphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 20; ++i) out += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return out;
}

util::Result<std::string> UserService::HashPassword(const std::string& password) {
  if (sodium_init() < 0) return MakeError(ErrorCode::kInternal, "crypto.init");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return MakeError(ErrorCode::kResourceExhausted, "crypto.out_of_memory");
  }
  return std::string(hash);
}

util::Result<CreatedUser> UserService::Create(const std::string& email, const std::string& name,
                                              domain::Role role, std::string password) {
  CreatedUser out;
  out.user.email = domain::NormalizeAddress(email);
  if (out.user.email.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "user.bad_email", "not an address: " + email);
  }
  if (password.empty()) out.password = password = GeneratePassword();
  RD_ASSIGN_OR_RETURN(out.user.password_hash, HashPassword(password));
  out.user.name = name;
  out.user.role = role;
  out.user.created_at = clock_.Now();
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto existing, tx.FindUserByEmail(out.user.email));
    if (existing) return MakeError(ErrorCode::kAlreadyExists, "user.exists", out.user.email);
    RD_ASSIGN_OR_RETURN(out.user, tx.CreateUser(out.user));
    return util::OkStatus();
  }));
  return out;
}

util::Result<CreatedUser> UserService::EnsureAdmin(const std::string& email) {
  auto created = Create(email, "Administrator", domain::Role::kAdmin);
  if (created.ok() || created.error().code != ErrorCode::kAlreadyExists) return created;
  CreatedUser existing;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto found, tx.FindUserByEmail(domain::NormalizeAddress(email)));
    if (found) existing.user = *found;
    return util::OkStatus();
  }));
  return existing;
}

util::Result<domain::User> UserService::Verify(const std::string& email,
                                               const std::string& password) {
  std::optional<domain::User> user;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(user, tx.FindUserByEmail(domain::NormalizeAddress(email)));
    return util::OkStatus();
  }));
  if (!user || crypto_pwhash_str_verify(user->password_hash.c_str(), password.data(),
                                        password.size()) != 0) {
    return MakeError(ErrorCode::kPermissionDenied, "user.bad_login", "wrong address or password");
  }
  return *user;
}

util::Result<std::string> UserService::ResetPassword(const std::string& email) {
  std::string password = GeneratePassword();
  RD_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto user, tx.FindUserByEmail(domain::NormalizeAddress(email)));
    if (!user) return MakeError(ErrorCode::kNotFound, "user.not_found", email);
    return tx.SetUserPassword(user->id, hash);
  }));
  return password;
}

}  // namespace replydesk::services
