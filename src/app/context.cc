// Global options and store opening for subcommands.
#include "app/context.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "services/defaults.h"
#include "util/log.h"

namespace replydesk::app {

void AddGlobalOptions(CLI::App& app, GlobalOptions& g) {
  app.add_option("--db", g.db, "SQLite file path or postgresql:// URL")
      ->envname("REPLYDESK_DB")
      ->capture_default_str();
  app.add_option("--blob-dir", g.blob_dir,
                 "Blob folder (default: beside the SQLite file; in the database on PostgreSQL)")
      ->envname("REPLYDESK_BLOB_DIR");
  app.add_option("--secret-key-file", g.secret_key_file,
                 "Server key encrypting mailbox passwords (default: secret.key beside the SQLite "
                 "file; required with PostgreSQL)")
      ->envname("REPLYDESK_SECRET_KEY_FILE");
  app.add_option("--log-level", g.log_level, "debug, info, warn, error, off")
      ->envname("REPLYDESK_LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--tag-prefix", g.tag_prefix, "Ticket tag prefix in subjects: [#T-104233]")
      ->envname("REPLYDESK_TAG_PREFIX")
      ->capture_default_str();
  app.add_option("--job-lease", g.job_lease_seconds,
                 "Seconds a worker holds a job; a crashed worker's jobs run again after it")
      ->envname("REPLYDESK_JOB_LEASE")
      ->capture_default_str();
  app.add_option("--max-message-bytes", g.max_message_bytes,
                 "Larger messages are refused (LMTP 552, ingest exit 65)")
      ->envname("REPLYDESK_MAX_MESSAGE_BYTES")
      ->capture_default_str();
  app.add_option("--smtp", g.smtp,
                 "Outgoing mail server: smtp://[user:pass@]host:port[?starttls=required] or "
                 "smtps://...; unset: outgoing mail waits in the outbox")
      ->envname("REPLYDESK_SMTP");
  app.add_option("--message-id-domain", g.message_id_domain,
                 "Domain of our Message-IDs (default: the sending channel's domain)")
      ->envname("REPLYDESK_MESSAGE_ID_DOMAIN");
  app.add_option("--dkim-selector", g.dkim_selector, "DKIM selector (signing needs all three)")
      ->envname("REPLYDESK_DKIM_SELECTOR");
  app.add_option("--dkim-domain", g.dkim_domain, "DKIM signing domain (d=)")
      ->envname("REPLYDESK_DKIM_DOMAIN");
  app.add_option("--dkim-key-file", g.dkim_key_file, "DKIM private key (PEM)")
      ->envname("REPLYDESK_DKIM_KEY_FILE");
  app.add_option("--auto-replies-per-hour", g.auto_replies_per_hour,
                 "Automatic replies (acknowledgements) to one address per hour, at most")
      ->envname("REPLYDESK_AUTO_REPLIES_PER_HOUR")
      ->capture_default_str();
  app.add_option("--smtp-retry-base", g.smtp_retry_base_seconds,
                 "Seconds before the first retry of a temporary SMTP failure (doubles, max 1 h)")
      ->envname("REPLYDESK_SMTP_RETRY_BASE")
      ->capture_default_str();
  app.add_flag("--no-triggers", g.no_triggers,
               "Process mail without running triggers (no acknowledgements)")
      ->envname("REPLYDESK_NO_TRIGGERS");
}

util::Result<std::unique_ptr<store::Store>> OpenStore(const GlobalOptions& g) {
  store::StoreOptions options;
  options.url = g.db;
  options.blob_dir = g.blob_dir;
  options.on_migration = [](const char* name) {
    spdlog::info("store: applying migration {}", name);
  };
  RD_ASSIGN_OR_RETURN(auto store, store::Store::Open(options));
  // Shipped templates and the acknowledgement trigger, once per database.
  RD_RETURN_IF_ERROR(services::EnsureDefaults(*store));
  return store;
}

util::Result<services::OutboundSettings> MakeOutboundSettings(const GlobalOptions& g) {
  services::OutboundSettings s;
  s.message_id_domain = g.message_id_domain;
  s.job_lease_seconds = g.job_lease_seconds;
  s.auto_replies_per_hour = g.auto_replies_per_hour;
  s.retry_base_seconds = g.smtp_retry_base_seconds;
  s.dkim_selector = g.dkim_selector;
  s.dkim_domain = g.dkim_domain;
  if (!g.dkim_key_file.empty()) {
    std::ifstream in(g.dkim_key_file, std::ios::binary);
    if (!in) {
      return util::MakeError(util::ErrorCode::kInvalidArgument, "dkim.key_unreadable",
                             "cannot read DKIM key " + g.dkim_key_file);
    }
    std::ostringstream pem;
    pem << in.rdbuf();
    s.dkim_private_key_pem = pem.str();
  }
  return s;
}

std::optional<services::OutboundSettings> TriggerSettings(const GlobalOptions& g) {
  if (g.no_triggers) return std::nullopt;
  auto s = MakeOutboundSettings(g);
  if (s.ok()) return *s;
  PrintError(s.error());
  services::OutboundSettings plain;
  plain.message_id_domain = g.message_id_domain;
  plain.auto_replies_per_hour = g.auto_replies_per_hour;
  return plain;
}

services::IngestSettings MakeIngestSettings(const GlobalOptions& g) {
  services::IngestSettings s;
  s.ticket_tag_prefix = g.tag_prefix;
  s.job_lease_seconds = g.job_lease_seconds;
  s.max_message_bytes = g.max_message_bytes;
  return s;
}

util::Result<util::SecretBox> LoadSecretKey(const GlobalOptions& g, bool create) {
  std::string path = g.secret_key_file;
  if (path.empty()) {
    if (g.db.rfind("postgres", 0) == 0) {
      return util::MakeError(util::ErrorCode::kInvalidArgument, "secret.key_required",
                             "--secret-key-file (or REPLYDESK_SECRET_KEY_FILE) is required with "
                             "a PostgreSQL database: every node needs the same key");
    }
    auto slash = g.db.find_last_of('/');
    path = (slash == std::string::npos ? std::string(".") : g.db.substr(0, slash)) + "/secret.key";
  }
  return util::SecretBox::LoadKeyFile(path, create);
}

}  // namespace replydesk::app
