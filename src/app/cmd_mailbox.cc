// `replydesk mailbox add|list|test|remove|fetch`: IMAP/POP3 accounts polled
// into a channel (docs/mailboxes.md). Passwords come from stdin or an
// environment variable (never the command line, where `ps` shows them), are
// encrypted with the server key and are never printed. `fetch` runs one full
// poll now, with a progress bar on a terminal, processing in a second thread
// as `import` does; `serve` polls on its own schedule.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/context.h"
#include "app/json_views.h"
#include "channels/remote_mailbox_factory.h"
#include "services/inbound_worker.h"
#include "services/mailbox_poller.h"
#include "services/mailbox_service.h"

namespace replydesk::app {
namespace {

using domain::MailboxAccount;

struct AddOptions {
  std::string name, channel, protocol = "imap", host, tls = "tls", user, password_env, folder;
  std::string after;
  int port = 0;
  int interval = 60;
  bool password_stdin = false;
};

int ExitFor(const util::Error& e) {
  switch (e.code) {
    case util::ErrorCode::kInvalidArgument:
      return 64;  // EX_USAGE
    case util::ErrorCode::kAlreadyExists:
      return 3;
    case util::ErrorCode::kNotFound:
      return 4;
    default:
      return 1;
  }
}

int Fail(const util::Error& e) { return PrintError(e), ExitFor(e); }

util::Result<std::string> ReadPassword(const AddOptions& o) {
  auto usage = [](const std::string& m) {
    return util::MakeError(util::ErrorCode::kInvalidArgument, "mailbox.password", m);
  };
  if (o.password_stdin == !o.password_env.empty()) {
    return usage("give the password with exactly one of --password-stdin, --password-env VAR");
  }
  std::string password;
  if (o.password_stdin) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else if (const char* v = std::getenv(o.password_env.c_str())) {
    password = v;
  } else {
    return usage("environment variable " + o.password_env + " is not set");
  }
  if (password.empty()) return usage("the password is empty");
  return password;
}

util::Result<services::NewMailbox> ToNewMailbox(const AddOptions& o) {
  auto invalid = [](const std::string& m) {
    return util::MakeError(util::ErrorCode::kInvalidArgument, "mailbox.invalid", m);
  };
  services::NewMailbox m;
  m.name = o.name;
  m.channel_address = o.channel;
  auto protocol = domain::ParseMailProtocol(o.protocol);
  if (!protocol) return invalid("--protocol imap or pop3");
  m.protocol = *protocol;
  auto tls = domain::ParseMailboxTls(o.tls);
  if (!tls) return invalid("--tls tls, starttls or none");
  m.tls = *tls;
  m.host = o.host;
  m.port = o.port;
  m.user = o.user;
  if (!o.folder.empty()) m.folder = o.folder;
  m.poll_interval_seconds = o.interval;
  if (o.after.rfind("move:", 0) == 0) {
    m.after_import = domain::AfterImport::kMove;
    m.move_to = o.after.substr(5);
  } else if (!o.after.empty()) {
    auto after = domain::ParseAfterImport(o.after);
    if (!after || *after == domain::AfterImport::kMove) {
      return invalid("--after seen, move:FOLDER, delete or keep");
    }
    m.after_import = *after;
  }
  RD_ASSIGN_OR_RETURN(m.password, ReadPassword(o));
  return m;
}

int Add(const GlobalOptions& g, const AddOptions& o) {
  auto m = ToNewMailbox(o);
  if (!m.ok()) return Fail(m.error());
  auto key = LoadSecretKey(g, /*create=*/true);
  if (!key.ok()) return Fail(key.error());
  auto store = OpenStore(g);
  if (!store.ok()) return Fail(store.error());
  services::MailboxService service(**store, util::SystemClock::Instance(), &*key);
  auto added = service.Add(*m);
  if (!added.ok()) return Fail(added.error());
  std::printf("mailbox %lld: %s (%s %s, user %s, after import: %s)\n",
              static_cast<long long>(added->id), added->name.c_str(),
              domain::MailProtocolName(added->protocol), added->host.c_str(), added->user.c_str(),
              domain::AfterImportName(added->after_import));
  return 0;
}

// Never includes the password, encrypted or not.
nlohmann::json ToJson(const MailboxAccount& a, const std::string& channel) {
  auto time = [](const std::optional<util::UnixSeconds>& t) -> nlohmann::json {
    return t ? nlohmann::json(util::FormatIso8601Utc(*t)) : nlohmann::json();
  };
  return {{"id", a.id},
          {"name", a.name},
          {"channel", channel},
          {"protocol", domain::MailProtocolName(a.protocol)},
          {"host", a.host},
          {"port", a.port},
          {"tls", domain::MailboxTlsName(a.tls)},
          {"user", a.user},
          {"folder", a.folder},
          {"interval_seconds", a.poll_interval_seconds},
          {"after_import", domain::AfterImportName(a.after_import)},
          {"move_to", a.move_to},
          {"enabled", a.enabled},
          {"status", a.failures > 0 ? "failing" : (a.last_success_at ? "ok" : "new")},
          {"last_success_at", time(a.last_success_at)},
          {"last_error", a.last_error},
          {"last_error_at", time(a.last_error_at)},
          {"failures", a.failures},
          {"imported", a.imported_count},
          {"backlog", a.backlog},
          {"uid_validity", a.uid_validity},
          {"last_uid", a.last_uid},
          {"next_poll_at", util::FormatIso8601Utc(a.next_poll_at)}};
}

int List(const GlobalOptions& g, bool as_json) {
  auto store = OpenStore(g);
  if (!store.ok()) return Fail(store.error());
  services::MailboxService service(**store, util::SystemClock::Instance(), nullptr);
  auto list = service.List();
  std::vector<domain::Channel> channels;
  util::Status st = list.ok() ? (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(channels, tx.ListChannels());
    return util::OkStatus();
  })
                              : util::Status(list.error());
  if (!st.ok()) return Fail(st.error());
  nlohmann::json out = nlohmann::json::array();
  for (const MailboxAccount& a : *list) {
    std::string channel;
    for (const auto& c : channels) {
      if (c.id == a.channel_id) channel = c.address;
    }
    nlohmann::json j = ToJson(a, channel);
    out.push_back(j);
    if (as_json) continue;
    std::printf("%-20s %s %s:%d %s/%s -> %s  %s, imported %lld", a.name.c_str(),
                domain::MailProtocolName(a.protocol), a.host.c_str(), a.port, a.user.c_str(),
                a.folder.c_str(), channel.c_str(), j["status"].get<std::string>().c_str(),
                static_cast<long long>(a.imported_count));
    if (a.backlog > 0) std::printf(", %lld to fetch", static_cast<long long>(a.backlog));
    if (a.last_success_at) {
      std::printf(", last success %s", util::FormatIso8601Utc(*a.last_success_at).c_str());
    }
    if (a.failures > 0) {
      std::printf("\n%-20s last error (%d in a row, %s): %s", "", a.failures,
                  util::FormatIso8601Utc(a.last_error_at.value_or(0)).c_str(),
                  a.last_error.c_str());
    }
    std::printf("\n");
  }
  if (as_json) std::cout << Dump(out) << "\n";
  return 0;
}

int Remove(const GlobalOptions& g, const std::string& name) {
  auto store = OpenStore(g);
  if (!store.ok()) return Fail(store.error());
  services::MailboxService service(**store, util::SystemClock::Instance(), nullptr);
  if (auto st = service.Remove(name); !st.ok()) return Fail(st.error());
  std::printf("mailbox %s removed\n", name.c_str());
  return 0;
}

int Test(const GlobalOptions& g, const std::string& name) {
  auto key = LoadSecretKey(g, /*create=*/false);
  if (!key.ok()) return Fail(key.error());
  auto store = OpenStore(g);
  if (!store.ok()) return Fail(store.error());
  channels::RemoteMailboxFactoryImpl factory;
  services::MailboxService service(**store, util::SystemClock::Instance(), &*key, &factory);
  auto r = service.Test(name);
  if (!r.ok()) {
    std::fprintf(stderr, "replydesk: mailbox %s: %s\n", name.c_str(),
                 services::MailboxPoller::Describe(r.error()).c_str());
    return ExitFor(r.error());
  }
  std::printf("mailbox %s: ok, %lld new message(s)\n", name.c_str(),
              static_cast<long long>(r->new_messages));
  return 0;
}

void DrawProgress(const services::PollProgress& p, bool final) {
  if (p.total == 0) return;
  const int width = 40;
  const int filled = static_cast<int>(width * p.done / p.total);
  std::fprintf(stderr, "\r[%s%s] %lld/%lld", std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(), static_cast<long long>(p.done),
               static_cast<long long>(p.total));
  if (final) std::fputc('\n', stderr);
}

int Fetch(const GlobalOptions& g, const std::string& name, bool no_process, int batch) {
  auto key = LoadSecretKey(g, /*create=*/false);
  if (!key.ok()) return Fail(key.error());
  auto store = OpenStore(g);
  if (!store.ok()) return Fail(store.error());
  std::optional<MailboxAccount> account;
  auto st = (*store)->Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(account, tx.FindMailboxByName(name));
    return util::OkStatus();
  });
  if (!st.ok()) return Fail(st.error());
  if (!account) {
    return Fail(util::MakeError(util::ErrorCode::kNotFound, "mailbox.not_found",
                                "no mailbox '" + name + "'"));
  }
  channels::RemoteMailboxFactoryImpl factory;
  const services::IngestSettings settings = MakeIngestSettings(g);
  services::MailboxPoller poller(**store, factory, &*key, util::SystemClock::Instance(), settings);
  // Processing in the accepting transaction, as `import` does: each batch
  // commits on a second connection while the next one is fetched and parsed.
  std::unique_ptr<store::Store> committer_store;
  std::optional<services::InboundWorker> preparer, committer;
  std::optional<services::InboundService> committer_service;
  if (!no_process) {
    auto opened = OpenStore(g);
    if (!opened.ok()) return Fail(opened.error());
    committer_store = std::move(*opened);
    const std::string worker = "fetch-" + std::to_string(getpid());
    preparer.emplace(**store, util::SystemClock::Instance(), settings, worker);
    committer.emplace(*committer_store, util::SystemClock::Instance(), settings, worker,
                      TriggerSettings(g));
    committer_service.emplace(*committer_store, util::SystemClock::Instance(), settings);
    poller.ProcessInline(&*preparer, &*committer_service, &*committer, committer_store.get());
  }
  services::PollOptions options;
  options.batch = batch;
  options.max_messages = 0;  // one full poll: every new message
  options.max_seconds = 0;
  const bool tty = isatty(2);
  auto last_draw = std::chrono::steady_clock::now();
  options.progress = [&](const services::PollProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (tty && (p.done == p.total || now - last_draw > std::chrono::milliseconds(100))) {
      DrawProgress(p, p.done == p.total);
      last_draw = now;
    }
  };
  const auto started = std::chrono::steady_clock::now();
  auto r = poller.PollOnce(*account, options);
  if (!r.ok()) {
    std::fprintf(stderr, "replydesk: mailbox %s: %s\n", name.c_str(),
                 services::MailboxPoller::Describe(r.error()).c_str());
    return 1;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const int64_t handled = r->imported + r->duplicates + r->refused;
  std::printf(
      "mailbox %s: %lld new, imported %lld, duplicates %lld, refused %lld%s (%.1f s, %.0f "
      "messages/s)\n",
      name.c_str(), static_cast<long long>(r->listed), static_cast<long long>(r->imported),
      static_cast<long long>(r->duplicates), static_cast<long long>(r->refused),
      r->uid_validity_changed ? ", UIDVALIDITY changed: folder scanned again" : "", secs,
      secs > 0 ? handled / secs : 0.0);
  return 0;
}

}  // namespace

void AddMailboxCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* mailbox = app.add_subcommand("mailbox", "IMAP/POP3 mailboxes polled into a channel");
  mailbox->require_subcommand(1);

  auto* add = mailbox->add_subcommand("add", "Add a mailbox account");
  auto o = std::make_shared<AddOptions>();
  add->add_option("NAME", o->name, "Account name, unique")->required();
  add->add_option("--channel", o->channel, "Channel address it feeds (its team)")->required();
  add->add_option("--protocol", o->protocol, "imap or pop3")->capture_default_str();
  add->add_option("--host", o->host, "Server host")->required();
  add->add_option("--port", o->port, "Server port (0: 993/995 with tls, 143/110 otherwise)");
  add->add_option("--tls", o->tls, "tls, starttls, or none (loopback hosts only)")
      ->capture_default_str();
  add->add_option("--user", o->user, "Login")->required();
  add->add_flag("--password-stdin", o->password_stdin, "Read the password from stdin");
  add->add_option("--password-env", o->password_env, "Take the password from this variable");
  add->add_option("--folder", o->folder, "IMAP folder (default INBOX)");
  add->add_option("--interval", o->interval, "Seconds between polls")->capture_default_str();
  add->add_option("--after", o->after,
                  "After import: seen, move:FOLDER, delete or keep (default: seen for IMAP, "
                  "keep for POP3)");
  add->callback([&g, &exit_code, o] { exit_code = Add(g, *o); });

  auto* list = mailbox->add_subcommand("list", "Mailboxes and their status (never passwords)");
  auto as_json = std::make_shared<bool>(false);
  list->add_flag("--json", *as_json, "JSON output");
  list->callback([&g, &exit_code, as_json] { exit_code = List(g, *as_json); });

  auto name = std::make_shared<std::string>();
  auto* test = mailbox->add_subcommand("test", "Connect, log in and count new messages");
  test->add_option("NAME", *name, "Account name")->required();
  test->callback([&g, &exit_code, name] { exit_code = Test(g, *name); });

  auto* remove = mailbox->add_subcommand("remove", "Remove a mailbox account");
  remove->add_option("NAME", *name, "Account name")->required();
  remove->callback([&g, &exit_code, name] { exit_code = Remove(g, *name); });

  auto* fetch = mailbox->add_subcommand("fetch", "Poll a mailbox once, fetching all new mail");
  auto no_process = std::make_shared<bool>(false);
  // Larger than serve's polls (50): one full poll pays a commit per batch,
  // and nothing else waits for it (import uses 200 too).
  auto batch = std::make_shared<int>(200);
  fetch->add_option("NAME", *name, "Account name")->required();
  fetch->add_option("--batch", *batch, "Messages per accept transaction and progress commit")
      ->capture_default_str();
  fetch->add_flag("--no-process", *no_process, "Only accept; leave processing to `serve`");
  fetch->callback([&g, &exit_code, name, no_process, batch] {
    exit_code = Fetch(g, *name, *no_process, *batch);
  });
}

}  // namespace replydesk::app
