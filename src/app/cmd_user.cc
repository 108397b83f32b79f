// `replydesk user add|ensure-admin|password|set`: logins for agents and
// admins, and the profile replies are signed with (name, position, signature).
#include <cstdio>
#include <iostream>

#include "app/context.h"
#include "domain/address.h"
#include "services/user_service.h"

namespace replydesk::app {
namespace {

struct UserOptions {
  std::string email, name, role = "agent", position, signature;
};

int Add(const GlobalOptions& g, const UserOptions& o) {
  auto role = o.role == "admin" ? domain::Role::kAdmin : domain::Role::kAgent;
  if (o.role != "admin" && o.role != "agent")
    return std::cerr << "replydesk: role is admin or agent\n", 64;
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  services::UserService users(**store, util::SystemClock::Instance());
  auto created = users.Create(o.email, o.name, role);
  if (!created.ok())
    return PrintError(created.error()),
           created.error().code == util::ErrorCode::kAlreadyExists ? 3 : 1;
  std::printf("%s login: %s  password: %s\n", domain::RoleName(role), created->user.email.c_str(),
              created->password.c_str());
  return 0;
}

int EnsureAdmin(const GlobalOptions& g, const std::string& email) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  services::UserService users(**store, util::SystemClock::Instance());
  auto r = users.EnsureAdmin(email);
  if (!r.ok()) return PrintError(r.error()), 1;
  if (!r->password.empty()) {
    std::printf("admin login: %s  password: %s\n", r->user.email.c_str(), r->password.c_str());
  } else {
    std::printf(
        "admin login: %s  (password set earlier; `replydesk user password %s` makes a new one)\n",
        r->user.email.c_str(), r->user.email.c_str());
  }
  return 0;
}

int Password(const GlobalOptions& g, const std::string& email) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  services::UserService users(**store, util::SystemClock::Instance());
  auto r = users.ResetPassword(email);
  if (!r.ok()) return PrintError(r.error()), r.error().code == util::ErrorCode::kNotFound ? 2 : 1;
  std::printf("login: %s  password: %s\n", email.c_str(), r->c_str());
  return 0;
}

// Changes only what was given; the signature is Mustache (docs/rules.md).
int SetProfile(const GlobalOptions& g, const UserOptions& o, bool name_given, bool position_given,
               bool signature_given) {
  auto store = OpenStore(g);
  if (!store.ok()) return PrintError(store.error()), 1;
  auto st = (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(auto user, tx.FindUserByEmail(domain::NormalizeAddress(o.email)));
    if (!user) return util::MakeError(util::ErrorCode::kNotFound, "user.not_found", o.email);
    if (name_given) user->name = o.name;
    if (position_given) user->position = o.position;
    if (signature_given) user->signature = o.signature;
    return tx.UpdateUserProfile(*user);
  });
  if (!st.ok())
    return PrintError(st.error()), st.error().code == util::ErrorCode::kNotFound ? 2 : 1;
  return 0;
}

}  // namespace

void AddUserCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* user = app.add_subcommand("user", "Logins for agents and admins");
  user->require_subcommand(1);
  auto o = std::make_shared<UserOptions>();
  auto* add = user->add_subcommand("add", "Create a login with a generated password");
  add->add_option("EMAIL", o->email)->required();
  add->add_option("--name", o->name, "Full name");
  add->add_option("--role", o->role, "admin or agent")->capture_default_str();
  add->callback([&g, &exit_code, o] { exit_code = Add(g, *o); });
  auto* ensure = user->add_subcommand("ensure-admin", "Create the admin login unless it exists");
  auto email = std::make_shared<std::string>("admin@localhost");
  ensure->add_option("--email", *email)->capture_default_str();
  ensure->callback([&g, &exit_code, email] { exit_code = EnsureAdmin(g, *email); });
  auto* password = user->add_subcommand("password", "Generate a new password for a login");
  auto who = std::make_shared<std::string>();
  password->add_option("EMAIL", *who)->required();
  password->callback([&g, &exit_code, who] { exit_code = Password(g, *who); });
  auto* set = user->add_subcommand("set", "Change name, position or signature of a login");
  auto so = std::make_shared<UserOptions>();
  set->add_option("EMAIL", so->email)->required();
  auto* name = set->add_option("--name", so->name, "Full name");
  auto* position = set->add_option("--position", so->position, "Job title shown in replies");
  auto* signature =
      set->add_option("--signature", so->signature, "Signature (Mustache; empty: the default)");
  set->callback([&g, &exit_code, so, name, position, signature] {
    exit_code =
        SetProfile(g, *so, name->count() > 0, position->count() > 0, signature->count() > 0);
  });
}

}  // namespace replydesk::app
