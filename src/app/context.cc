// Global options and store opening for subcommands.
#include "app/context.h"

#include <iostream>

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
}

util::Result<std::unique_ptr<store::Store>> OpenStore(const GlobalOptions& g) {
  store::StoreOptions options;
  options.url = g.db;
  options.blob_dir = g.blob_dir;
  return store::Store::Open(options);
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

void PrintError(const util::Error& e) { std::cerr << "replydesk: " << e.ToString() << "\n"; }

}  // namespace replydesk::app
