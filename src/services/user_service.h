// Logins for agents and admins: create, verify, reset. Passwords are hashed
// with argon2id (libsodium crypto_pwhash_str, interactive limits); a generated
// password is 20 characters from a 57-letter alphabet without look-alikes.
#pragma once

#include <string>

#include "store/store.h"
#include "util/clock.h"

namespace replydesk::services {

struct CreatedUser {
  domain::User user;
  std::string password;  // in clear, only when generated here
};

class UserService {
 public:
  UserService(store::Store& store, const util::Clock& clock);

  // Creates the user; an empty password generates one (returned once).
  // kAlreadyExists "user.exists"; kInvalidArgument "user.bad_email".
  util::Result<CreatedUser> Create(const std::string& email, const std::string& name,
                                   domain::Role role, std::string password = "");
  // Creates an admin with a generated password unless the address exists.
  // Returns the password only when it created the account ("" otherwise).
  util::Result<CreatedUser> EnsureAdmin(const std::string& email);
  // kPermissionDenied "user.bad_login" for an unknown address or wrong password.
  util::Result<domain::User> Verify(const std::string& email, const std::string& password);
  // New generated password for an existing user (returned once).
  util::Result<std::string> ResetPassword(const std::string& email);

  static std::string GeneratePassword();
  static util::Result<std::string> HashPassword(const std::string& password);

 private:
  store::Store& store_;
  const util::Clock& clock_;
};

}  // namespace replydesk::services
