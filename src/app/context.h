// Global options shared by every subcommand and the helpers that turn them
// into a store and settings. Wiring only.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "app/ingest_core.h"
#include "services/ingest_settings.h"
#include "services/outbound_settings.h"
#include "store/store.h"
#include "util/secret_box.h"

namespace replydesk::app {

struct GlobalOptions {
  std::string db = kDefaultDb;  // --db / REPLYDESK_DB
  std::string blob_dir;         // --blob-dir / REPLYDESK_BLOB_DIR
  std::string secret_key_file;  // --secret-key-file / REPLYDESK_SECRET_KEY_FILE
  std::string log_level = "warn";
  std::string tag_prefix = "T-";
  int job_lease_seconds = 300;  // a crashed worker's job is retried after this
  size_t max_message_bytes = kDefaultMaxMessageBytes;
  // Outgoing mail (docs/outbound-mail.md).
  std::string smtp;  // --smtp / REPLYDESK_SMTP: smtp[s]://[user:pass@]host:port; "" = hold
  std::string message_id_domain;  // --message-id-domain; "" = the channel's domain
  std::string dkim_selector, dkim_domain, dkim_key_file;
  int auto_replies_per_hour = 3;
  int smtp_retry_base_seconds = 30;  // first retry after a temporary failure; doubles each time
  bool no_triggers = false;          // --no-triggers: process mail without running rules
};

// Registers --db, --blob-dir, --log-level and --tag-prefix on the top-level app
// (usable before or after the subcommand).
void AddGlobalOptions(CLI::App& app, GlobalOptions& g);

util::Result<std::unique_ptr<store::Store>> OpenStore(const GlobalOptions& g);
services::IngestSettings MakeIngestSettings(const GlobalOptions& g);
// Reads the DKIM key file when one is set. kInvalidArgument when unreadable.
util::Result<services::OutboundSettings> MakeOutboundSettings(const GlobalOptions& g);
// The outbound settings when triggers run (not --no-triggers), else nullopt;
// an unreadable DKIM key is reported on stderr and signing is skipped.
std::optional<services::OutboundSettings> TriggerSettings(const GlobalOptions& g);
// The server key that encrypts mailbox passwords: --secret-key-file, else
// secret.key beside the SQLite database (var/secret.key); with PostgreSQL it
// must be given (kInvalidArgument "secret.key_required"). `create` writes a
// new random key (0600) when the file does not exist yet.
util::Result<util::SecretBox> LoadSecretKey(const GlobalOptions& g, bool create);

// Subcommand registration. Each sets `exit_code` when it runs.
void AddIngestCommand(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddImportCommand(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddInspectCommand(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddTicketCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddInboundCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddChannelCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddServeCommand(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddAdminCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddUserCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddRuleCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddOutboxCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddMailboxCommands(CLI::App& app, GlobalOptions& g, int& exit_code);

}  // namespace replydesk::app
