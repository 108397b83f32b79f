// The store: one interface over SQLite (embedded default, WAL, foreign keys on)
// and PostgreSQL 15 (scale-out), selected by URL. Migrations are applied by Open.
//
// Threading: a Store is one connection and is NOT thread-safe; each thread
// (LMTP session, worker) opens its own. Several processes may share a database.
//
// Transactions: every read and write goes through Transact(). On SQLite a write
// transaction is BEGIN IMMEDIATE (busy_timeout applies); on PostgreSQL it is
// READ COMMITTED with explicit row locks where a method says so.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/entities.h"
#include "domain/mailbox_account.h"
#include "store/blob_store.h"
#include "util/result.h"

namespace replydesk::store {

using domain::Id;
using util::Result;
using util::Status;
using util::UnixSeconds;

enum class Backend { kSqlite, kPostgres };

// Hears the file name of each migration just before it is applied (logging).
using MigrationObserver = std::function<void(const char* name)>;

struct StoreOptions {
  // SQLite file path (folder created on first use) or "postgresql://..." URL.
  std::string url = "var/replydesk.db";
  // Blob folder. Empty: blobs live in the database (table blobs) on both backends.
  std::string blob_dir;
  bool migrate = true;  // apply pending migrations on open
  int busy_timeout_ms = 10000;
  MigrationObserver on_migration;  // empty: silent
};

struct NewInbound {
  std::string raw_sha256;
  int64_t size = 0;
  std::string source;
  std::string envelope_from;
  std::vector<std::string> recipients;
  std::string message_id;
  std::string dedup_key;  // "" when none
  UnixSeconds received_at = 0;
  std::optional<Id> default_channel_id;  // polled mail: the mailbox's channel
};

struct InsertInboundResult {
  Id id = 0;               // the new row, or the existing one when duplicate
  bool duplicate = false;  // same raw_sha256 or same dedup_key already stored
};

// An inbound row already stored under one of a message's keys.
struct KnownInbound {
  Id id = 0;
  std::string raw_sha256;
  std::string dedup_key;  // "" when none
};

// An inbound row written once, in its final state (InsertFinishedInbound).
struct FinishedInbound {
  Id id = 0;                       // from ReserveInboundId
  const NewInbound* in = nullptr;  // must outlive the call
  domain::InboundState state = domain::InboundState::kProcessed;
  std::string error;
  std::optional<Id> ticket_id, article_id;
};

struct Job {
  Id id = 0;
  std::string kind;     // "process_inbound", ...
  std::string payload;  // opaque to the store (JSON or an id)
  int attempts = 0;     // attempts before this claim
  UnixSeconds run_at = 0;
  std::string last_error;
};

// A trigger as stored: the JSON definition plus the columns used for ordering.
struct RuleRow {
  Id id = 0;
  std::string name;
  std::string event;  // rules::EventName
  int position = 0;
  bool enabled = true;
  std::string definition;  // JSON (rules::SerializeRule)
  UnixSeconds created_at = 0;
};

struct TicketFilter {
  std::optional<domain::TicketStatus> status;
  std::optional<Id> customer_id;
  int limit = 100;
  int offset = 0;
};

struct InboundFilter {
  std::optional<domain::InboundState> state;
  int limit = 100;
};

// Operations inside one open transaction. Obtained only from Store::Transact.
class Tx {
 public:
  virtual ~Tx() = default;

  // Runs fn inside a savepoint: on error the savepoint is rolled back and the
  // error returned, the outer transaction stays usable.
  virtual Status Nested(const std::function<Status(Tx&)>& fn) = 0;

  // --- inbound raw messages -------------------------------------------------
  virtual Result<InsertInboundResult> InsertInbound(const NewInbound& in) = 0;
  // A message accepted and processed in one transaction writes its inbound
  // row once, last, in its final state: ReserveInboundId gives the id its
  // article names first (after DeferInboundReferences, checked at COMMIT),
  // InsertFinishedInbound writes rows (attempts 1), a batch's in a few
  // statements. A row already stored under the id or one of the keys is
  // kAlreadyExists "store.duplicate", reported as late as the COMMIT on
  // PostgreSQL (Exec). FindInbound tells beforehand which keys are stored.
  virtual Result<Id> ReserveInboundId() = 0;
  virtual Status DeferInboundReferences() = 0;
  virtual Status InsertFinishedInbound(std::span<const FinishedInbound> rows) = 0;
  virtual Result<std::vector<KnownInbound>> FindInbound(
      const std::vector<std::string>& raw_sha256s, const std::vector<std::string>& dedup_keys) = 0;
  virtual Result<domain::Inbound> GetInbound(Id id) = 0;
  virtual Result<std::vector<domain::Inbound>> ListInbound(const InboundFilter& f) = 0;
  // Sets state, error (may be ""), ticket and article; increments attempts when
  // state is kFailed or kProcessed.
  virtual Status SetInboundResult(Id id, domain::InboundState state, const std::string& error,
                                  std::optional<Id> ticket_id, std::optional<Id> article_id) = 0;

  // --- job queue --------------------------------------------------------------
  virtual Result<Id> EnqueueJob(const std::string& kind, const std::string& payload,
                                UnixSeconds run_at) = 0;
  // EnqueueJob for callers that do not need the id: on PostgreSQL it waits
  // for no answer (see SqlConnection::Exec), one round trip less per job.
  virtual Status QueueJob(const std::string& kind, const std::string& payload,
                          UnixSeconds run_at) = 0;
  // Claims up to `limit` ready jobs of the given kinds (all kinds when empty)
  // whose run_at <= now, plus running jobs whose lease expired, locks them for
  // `lease_seconds` under `worker`. Concurrent claimers never get the same job
  // (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the write lock).
  virtual Result<std::vector<Job>> ClaimJobs(const std::string& worker,
                                             const std::vector<std::string>& kinds, UnixSeconds now,
                                             int lease_seconds, int limit) = 0;
  virtual Status CompleteJob(Id job_id) = 0;  // deletes it
  // Records the error; when retry_at is set the job becomes ready again at that
  // time, otherwise it is parked (state "parked", kept for inspection).
  virtual Status FailJob(Id job_id, const std::string& error,
                         std::optional<UnixSeconds> retry_at) = 0;
  virtual Result<int64_t> CountJobs(const std::string& kind) = 0;  // not done, any state
  // Gives a claimed job back, ready again at run_at; attempts and error are
  // untouched (not a failure: its work waits for another job's).
  virtual Status DeferJob(Id job_id, UnixSeconds run_at) = 0;

  // --- customers --------------------------------------------------------------
  virtual Result<std::optional<domain::Customer>> FindCustomerByIdentity(
      const domain::Identity& identity) = 0;
  virtual Result<domain::Customer> GetCustomer(Id id) = 0;
  // Creates the customer and its identities. kAlreadyExists when an identity is taken.
  virtual Result<domain::Customer> CreateCustomer(const domain::Customer& c) = 0;
  virtual Status AddIdentity(Id customer_id, const domain::Identity& identity) = 0;
  virtual Status UpdateCustomerName(Id customer_id, const std::string& name) = 0;

  // --- organisations, teams, channels ----------------------------------------
  virtual Result<domain::Organisation> CreateOrganisation(const domain::Organisation& o) = 0;
  virtual Result<std::optional<domain::Organisation>> FindOrganisationByDomain(
      const std::string& domain) = 0;
  virtual Result<domain::Team> CreateTeam(const std::string& name) = 0;
  virtual Result<std::optional<domain::Team>> FindTeamByName(const std::string& name) = 0;
  virtual Result<std::vector<domain::Team>> ListTeams() = 0;
  virtual Result<domain::Channel> CreateChannel(const domain::Channel& c) = 0;
  virtual Result<std::optional<domain::Channel>> FindChannelByAddress(
      const std::string& address) = 0;
  virtual Result<std::vector<domain::Channel>> ListChannels() = 0;

  // --- tickets ----------------------------------------------------------------
  // Returns the next human ticket number (a counter row, starts at the
  // configured base) — unique even with concurrent transactions.
  virtual Result<int64_t> NextTicketNumber() = 0;
  // Inserts the ticket; returns it with id assigned. Number 0: takes the next
  // one (NextTicketNumber) in the same statement where the backend allows.
  virtual Result<domain::Ticket> CreateTicket(const domain::Ticket& t) = 0;
  virtual Result<domain::Ticket> GetTicket(Id id) = 0;
  virtual Result<std::optional<domain::Ticket>> FindTicketByNumber(int64_t number) = 0;
  virtual Result<std::vector<domain::Ticket>> ListTickets(const TicketFilter& f) = 0;
  // Most recently updated ticket of this customer with this normalized subject,
  // status not closed, updated at or after `since`.
  virtual Result<std::optional<domain::Ticket>> FindRecentOpenTicket(
      Id customer_id, const std::string& normalized_subject, UnixSeconds since) = 0;
  virtual Status TouchTicket(Id id, UnixSeconds updated_at,
                             std::optional<domain::TicketStatus> status) = 0;

  // --- articles and attachments ----------------------------------------------
  virtual Result<domain::Article> CreateArticle(const domain::Article& a) = 0;  // id assigned
  virtual Result<std::vector<domain::Article>> ListArticles(Id ticket_id) = 0;  // oldest first
  virtual Result<domain::Attachment> AddAttachment(const domain::Attachment& a) = 0;
  virtual Result<std::vector<domain::Attachment>> ListAttachments(Id article_id) = 0;
  virtual Result<domain::Attachment> GetAttachment(Id id) = 0;  // kNotFound "store.not_found"

  // --- users (agents and admins) -----------------------------------------------
  // kAlreadyExists "store.already_exists" when the email is taken.
  virtual Result<domain::User> CreateUser(const domain::User& u) = 0;
  virtual Result<std::optional<domain::User>> FindUserByEmail(const std::string& email) = 0;
  virtual Status SetUserPassword(Id user_id, const std::string& password_hash) = 0;

  // --- mailbox accounts ---------------------------------------------------------
  // IMAP/POP3 accounts polled into a channel (docs/mailboxes.md). The poll
  // state columns change only through Claim/Advance/Finish below.
  // kAlreadyExists "store.already_exists" when the name is taken; kNotFound
  // "store.not_found" for an unknown id.
  virtual Result<domain::MailboxAccount> CreateMailbox(const domain::MailboxAccount& m) = 0;
  virtual Result<std::optional<domain::MailboxAccount>> FindMailboxByName(
      const std::string& name) = 0;
  virtual Result<domain::MailboxAccount> GetMailbox(Id id) = 0;
  virtual Result<std::vector<domain::MailboxAccount>> ListMailboxes() = 0;  // by name
  // Claims the enabled mailbox due soonest (next_poll_at <= now) by moving its
  // next_poll_at to now + lease_seconds, so a poller that dies holding it
  // leaves it due again after the lease. Concurrent claimers never get the
  // same mailbox (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the write lock).
  // Returns the claimed row (next_poll_at already moved), nullopt when none is due.
  virtual Result<std::optional<domain::MailboxAccount>> ClaimDueMailbox(UnixSeconds now,
                                                                        int lease_seconds) = 0;
  virtual Status DeleteMailbox(Id id) = 0;  // and its UIDLs
  // Progress after a batch was committed: the IMAP watermark (uid_validity,
  // last_uid), imported_count += imported, backlog = messages still to fetch.
  virtual Status AdvanceMailbox(Id id, int64_t uid_validity, int64_t last_uid, int64_t imported,
                                int64_t backlog) = 0;
  // End of a poll. error == nullopt: success (last_success_at = at, failures =
  // 0); otherwise last_error/last_error_at = at and failures + 1. Either way
  // the next poll is at next_poll_at.
  virtual Status FinishMailboxPoll(Id id, UnixSeconds at, const std::optional<std::string>& error,
                                   UnixSeconds next_poll_at) = 0;
  // The server announced new mail (IMAP IDLE): poll at `at` if it was due
  // later. Unknown ids are ignored (the mailbox was removed meanwhile).
  virtual Status MakeMailboxDue(Id id, UnixSeconds at) = 0;
  // POP3: UIDLs already accepted from this mailbox. Adding a known one is a no-op.
  virtual Result<std::vector<std::string>> ListMailboxUidls(Id mailbox_id) = 0;
  virtual Status AddMailboxUidls(Id mailbox_id, const std::vector<std::string>& uidls,
                                 UnixSeconds at) = 0;
  virtual Status RemoveMailboxUidls(Id mailbox_id, const std::vector<std::string>& uidls) = 0;

  // --- Message-ID index (threading) ------------------------------------------
  // Serialises threading decisions (find-or-create ticket) across processes
  // until the transaction ends: PostgreSQL takes a transaction-level advisory
  // lock; SQLite already holds the database write lock.
  virtual Status LockThreading() = 0;
  // Reads ahead, in a few queries, what processing a batch of messages will
  // ask one message at a time: the customers with these e-mail addresses,
  // the tickets of these Message-IDs and those tickets. For the rest of the
  // transaction FindCustomerByIdentity, FindTicketByMessageIds and GetTicket
  // answer those keys (and what this transaction writes) from memory. Writes
  // through this Tx keep the answers true; a rolled-back Nested level
  // forgets them all. On PostgreSQL each question is a round trip.
  virtual Status ReadAhead(const std::vector<std::string>& email_addresses,
                           const std::vector<std::string>& message_ids) = 0;
  // Known ids: received and sent messages (article_id set) and "ghosts": ids
  // referenced by a stored message but not seen yet (article_id null).
  // Returns the ticket of the first id in `message_ids` that is known, trying
  // them in the given order.
  virtual Result<std::optional<Id>> FindTicketByMessageIds(
      const std::vector<std::string>& message_ids) = 0;
  // Queued (accepted, not yet processed) inbound rows with one of these
  // Message-IDs: (message_id, inbound id). Index inbound(message_id).
  virtual Result<std::vector<std::pair<std::string, Id>>> FindQueuedInbound(
      const std::vector<std::string>& message_ids) = 0;
  // Records message_id -> ticket. When the id is already known: an existing
  // ghost gets article_id filled (ticket kept); a known real id is left as is.
  // The SQL store sends such rows together, at the latest before COMMIT; a
  // failure (a ticket or article that does not exist) may be reported then.
  virtual Status RecordMessageId(const std::string& message_id, Id ticket_id,
                                 std::optional<Id> article_id) = 0;

  // --- outbound: channels, tickets, users, articles (migration 0003) ---------
  virtual Result<domain::Channel> GetChannel(Id id) = 0;  // kNotFound "store.not_found"
  // Writes every field of the channel with this id (address, name, team,
  // language, kind, hours, promises). kNotFound when missing.
  virtual Status UpdateChannel(const domain::Channel& c) = 0;
  virtual Result<domain::Team> GetTeam(Id id) = 0;
  // Writes status, priority, team, assignee, language, due times,
  // first_responded_at, updated_at and closed_at of the ticket with this id.
  virtual Status UpdateTicket(const domain::Ticket& t) = 0;
  virtual Status AddTicketTag(Id ticket_id, const std::string& tag) = 0;      // idempotent
  virtual Result<std::vector<std::string>> ListTicketTags(Id ticket_id) = 0;  // sorted
  virtual Result<domain::User> GetUser(Id id) = 0;
  virtual Result<std::vector<domain::User>> ListUsers() = 0;  // by id
  // Writes name, position and signature.
  virtual Status UpdateUserProfile(const domain::User& u) = 0;
  virtual Result<domain::Article> GetArticle(Id id) = 0;
  virtual Status SetArticleDelivery(Id article_id, const std::string& status,
                                    const std::string& error) = 0;

  // --- outbox ----------------------------------------------------------------
  virtual Result<domain::Outbound> CreateOutbound(const domain::Outbound& o) = 0;  // id assigned
  virtual Result<domain::Outbound> GetOutbound(Id id) = 0;
  // The outgoing message with this Message-ID (bounces refer to it), if any.
  virtual Result<std::optional<domain::Outbound>> FindOutboundByMessageId(
      const std::string& message_id) = 0;
  // Sets state, smtp_code and last_error; sets sent_at when given; increments
  // attempts when `attempted`.
  virtual Status SetOutboundState(Id id, domain::OutboundState state, int smtp_code,
                                  const std::string& error, std::optional<UnixSeconds> sent_at,
                                  bool attempted) = 0;
  // Automatic messages (automatic = true) whose first recipient is `recipient`
  // created at or after `since`: the per-sender acknowledgement rate limit.
  virtual Result<int64_t> CountAutomaticOutbound(const std::string& recipient,
                                                 UnixSeconds since) = 0;
  virtual Result<std::vector<domain::Outbound>> ListOutbound(
      std::optional<domain::OutboundState> state, int limit) = 0;  // newest first
  virtual Result<std::vector<domain::Outbound>> ListOutboundForArticle(Id article_id) = 0;

  // --- rules, templates, settings --------------------------------------------
  // Rules are stored as their JSON definition (rules::ParseRule reads it); name
  // is unique, event and position are copied out for ordering.
  virtual Result<RuleRow> CreateRule(const RuleRow& r) = 0;  // kAlreadyExists on name
  virtual Status UpdateRule(const RuleRow& r) = 0;           // by id
  virtual Status DeleteRule(Id id) = 0;                      // kNotFound when missing
  // Enabled and disabled rules, by position then id; only `event` when set.
  virtual Result<std::vector<RuleRow>> ListRules(const std::optional<std::string>& event) = 0;
  // Inserts or replaces (name, language).
  virtual Result<domain::Template> UpsertTemplate(const domain::Template& t) = 0;
  virtual Result<std::optional<domain::Template>> FindTemplate(const std::string& name,
                                                               const std::string& language) = 0;
  virtual Result<std::vector<domain::Template>> ListTemplates() = 0;  // by name, language
  virtual Result<std::optional<std::string>> GetSetting(const std::string& key) = 0;
  virtual Status SetSetting(const std::string& key, const std::string& value) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens (creating the SQLite file and its folder when missing) and migrates.
  // kUnavailable "store.unavailable" when the database cannot be reached.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  // The same for a SQLite path only: a program linking this alone does not
  // link the PostgreSQL client (store_open.cc holds the dispatch).
  static Result<std::unique_ptr<Store>> OpenSqlite(const StoreOptions& options);

  virtual Backend backend() const = 0;
  virtual int SchemaVersion() const = 0;

  // Runs fn in one transaction; commits when fn returns ok, rolls back
  // otherwise and returns fn's error. Retries the whole of fn (at most 5 times,
  // with backoff) on lock conflicts / serialization failures, so fn must not
  // have effects outside the transaction. Errors: fn's, or kUnavailable
  // "store.unavailable" / "store.busy" when the database fails.
  virtual Status Transact(const std::function<Status(Tx&)>& fn) = 0;

  virtual BlobStore& blobs() = 0;
};

}  // namespace replydesk::store
