// SqlTx: the one implementation of Tx, written once over SqlConnection with
// portable SQL. Split by subject: sql_tx_inbound.cc (inbound + jobs),
// sql_tx_customers.cc (customers, organisations, teams, channels),
// sql_tx_tickets.cc (tickets, tags), sql_tx_articles.cc (articles,
// attachments), sql_tx_users.cc (users, threading lock), sql_tx_message_ids.cc
// (Message-ID index, Nested), sql_tx_outbound.cc (the outbox),
// sql_tx_rules.cc (rules, templates, settings), sql_tx_mailboxes.cc (mailbox
// accounts and POP3 UIDLs).
//
// Values read back from the database are never asserted on: an unknown enum
// name is kInternal "store.bad_value".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/enum_names.h"
#include "store/sql_connection.h"
#include "store/store.h"

namespace replydesk::store {

// Customers with their identities, one query (ReadCustomers reads it):
// RD_CUSTOMER_COLUMNS joined with `j`, the customer's identities (LEFT JOIN:
// none is NULL), ordered by customer then identity.
#define RD_CUSTOMER_COLUMNS \
  "SELECT c.id, c.name, c.language, c.organisation_id, c.created_at, j.kind, j.value "
#define RD_CUSTOMER_IDENTITIES " LEFT JOIN customer_identities j ON j.customer_id = c.id "
#define RD_CUSTOMER_ORDER " ORDER BY c.id, j.id"

class SqlTx final : public Tx {
 public:
  explicit SqlTx(SqlConnection& conn) : conn_(conn) {}

  Status Nested(const std::function<Status(Tx&)>& fn) override;
  // Writes what the transaction keeps in memory until the end (the ticket
  // number counter); SqlStore calls it right before COMMIT.
  Status BeforeCommit();

  Result<InsertInboundResult> InsertInbound(const NewInbound& in) override;
  Result<Id> ReserveInboundId() override;
  Status DeferInboundReferences() override;
  Status InsertFinishedInbound(std::span<const FinishedInbound> rows) override;
  Result<std::vector<KnownInbound>> FindInbound(
      const std::vector<std::string>& raw_sha256s,
      const std::vector<std::string>& dedup_keys) override;
  Result<domain::Inbound> GetInbound(Id id) override;
  Result<std::vector<domain::Inbound>> ListInbound(const InboundFilter& f) override;
  Status SetInboundResult(Id id, domain::InboundState state, const std::string& error,
                          std::optional<Id> ticket_id, std::optional<Id> article_id) override;

  Status QueueJob(const std::string& kind, const std::string& payload, UnixSeconds run_at) override;
  Result<Id> EnqueueJob(const std::string& kind, const std::string& payload,
                        UnixSeconds run_at) override;
  Result<std::vector<Job>> ClaimJobs(const std::string& worker,
                                     const std::vector<std::string>& kinds, UnixSeconds now,
                                     int lease_seconds, int limit) override;
  Status CompleteJob(Id job_id) override;
  Status DeferJob(Id job_id, UnixSeconds run_at) override;
  Status FailJob(Id job_id, const std::string& error, std::optional<UnixSeconds> retry_at) override;
  Result<int64_t> CountJobs(const std::string& kind) override;

  Result<std::optional<domain::Customer>> FindCustomerByIdentity(
      const domain::Identity& identity) override;
  Result<domain::Customer> GetCustomer(Id id) override;
  Result<domain::Customer> CreateCustomer(const domain::Customer& c) override;
  Status AddIdentity(Id customer_id, const domain::Identity& identity) override;
  Status UpdateCustomerName(Id customer_id, const std::string& name) override;

  Result<domain::Organisation> CreateOrganisation(const domain::Organisation& o) override;
  Result<std::optional<domain::Organisation>> FindOrganisationByDomain(
      const std::string& domain) override;
  Result<domain::Team> CreateTeam(const std::string& name) override;
  Result<std::optional<domain::Team>> FindTeamByName(const std::string& name) override;
  Result<std::vector<domain::Team>> ListTeams() override;
  Result<domain::Channel> CreateChannel(const domain::Channel& c) override;
  Result<std::optional<domain::Channel>> FindChannelByAddress(const std::string& address) override;
  Result<std::vector<domain::Channel>> ListChannels() override;

  Result<int64_t> NextTicketNumber() override;
  Result<domain::Ticket> CreateTicket(const domain::Ticket& t) override;
  Result<domain::Ticket> GetTicket(Id id) override;
  Result<std::optional<domain::Ticket>> FindTicketByNumber(int64_t number) override;
  Result<std::vector<domain::Ticket>> ListTickets(const TicketFilter& f) override;
  Result<std::optional<domain::Ticket>> FindRecentOpenTicket(Id customer_id,
                                                             const std::string& normalized_subject,
                                                             UnixSeconds since) override;
  Status TouchTicket(Id id, UnixSeconds updated_at,
                     std::optional<domain::TicketStatus> status) override;

  Result<domain::Article> CreateArticle(const domain::Article& a) override;
  Result<std::vector<domain::Article>> ListArticles(Id ticket_id) override;
  Result<domain::Attachment> AddAttachment(const domain::Attachment& a) override;
  Result<std::vector<domain::Attachment>> ListAttachments(Id article_id) override;
  Result<domain::Attachment> GetAttachment(Id id) override;

  Result<domain::User> CreateUser(const domain::User& u) override;
  Result<std::optional<domain::User>> FindUserByEmail(const std::string& email) override;
  Status SetUserPassword(Id user_id, const std::string& password_hash) override;

  Result<domain::MailboxAccount> CreateMailbox(const domain::MailboxAccount& m) override;
  Result<std::optional<domain::MailboxAccount>> FindMailboxByName(const std::string& name) override;
  Result<domain::MailboxAccount> GetMailbox(Id id) override;
  Result<std::vector<domain::MailboxAccount>> ListMailboxes() override;
  Result<std::optional<domain::MailboxAccount>> ClaimDueMailbox(UnixSeconds now,
                                                                int lease_seconds) override;
  Status DeleteMailbox(Id id) override;
  Status AdvanceMailbox(Id id, int64_t uid_validity, int64_t last_uid, int64_t imported,
                        int64_t backlog) override;
  Status MakeMailboxDue(Id id, UnixSeconds at) override;
  Status FinishMailboxPoll(Id id, UnixSeconds at, const std::optional<std::string>& error,
                           UnixSeconds next_poll_at) override;
  Result<std::vector<std::string>> ListMailboxUidls(Id mailbox_id) override;
  Status AddMailboxUidls(Id mailbox_id, const std::vector<std::string>& uidls,
                         UnixSeconds at) override;
  Status RemoveMailboxUidls(Id mailbox_id, const std::vector<std::string>& uidls) override;

  Status LockThreading() override;
  Status ReadAhead(const std::vector<std::string>& email_addresses,
                   const std::vector<std::string>& message_ids) override;
  Result<std::optional<Id>> FindTicketByMessageIds(
      const std::vector<std::string>& message_ids) override;
  Result<std::vector<std::pair<std::string, Id>>> FindQueuedInbound(
      const std::vector<std::string>& message_ids) override;
  Status RecordMessageId(const std::string& message_id, Id ticket_id,
                         std::optional<Id> article_id) override;

  Result<domain::Channel> GetChannel(Id id) override;
  Status UpdateChannel(const domain::Channel& c) override;
  Result<domain::Team> GetTeam(Id id) override;
  Status UpdateTicket(const domain::Ticket& t) override;
  Status AddTicketTag(Id ticket_id, const std::string& tag) override;
  Result<std::vector<std::string>> ListTicketTags(Id ticket_id) override;
  Result<domain::User> GetUser(Id id) override;
  Result<std::vector<domain::User>> ListUsers() override;
  Status UpdateUserProfile(const domain::User& u) override;
  Result<domain::Article> GetArticle(Id id) override;
  Status SetArticleDelivery(Id article_id, const std::string& status,
                            const std::string& error) override;

  Result<domain::Outbound> CreateOutbound(const domain::Outbound& o) override;
  Result<domain::Outbound> GetOutbound(Id id) override;
  Result<std::optional<domain::Outbound>> FindOutboundByMessageId(
      const std::string& message_id) override;
  Status SetOutboundState(Id id, domain::OutboundState state, int smtp_code,
                          const std::string& error, std::optional<UnixSeconds> sent_at,
                          bool attempted) override;
  Result<int64_t> CountAutomaticOutbound(const std::string& recipient, UnixSeconds since) override;
  Result<std::vector<domain::Outbound>> ListOutbound(std::optional<domain::OutboundState> state,
                                                     int limit) override;
  Result<std::vector<domain::Outbound>> ListOutboundForArticle(Id article_id) override;

  Result<RuleRow> CreateRule(const RuleRow& r) override;
  Status UpdateRule(const RuleRow& r) override;
  Status DeleteRule(Id id) override;
  Result<std::vector<RuleRow>> ListRules(const std::optional<std::string>& event) override;
  Result<domain::Template> UpsertTemplate(const domain::Template& t) override;
  Result<std::optional<domain::Template>> FindTemplate(const std::string& name,
                                                       const std::string& language) override;
  Result<std::vector<domain::Template>> ListTemplates() override;
  Result<std::optional<std::string>> GetSetting(const std::string& key) override;
  Status SetSetting(const std::string& key, const std::string& value) override;

 private:
  Result<std::vector<domain::Inbound>> ReadInbound(Rows& rows);
  Result<std::vector<domain::Customer>> ReadCustomers(Rows& rows);
  Result<std::vector<domain::Ticket>> ReadTickets(Rows& rows);
  Status ReadTicketsAhead(const std::vector<SqlParam>& ids);  // into tickets_
  Result<std::vector<domain::Article>> ReadArticles(Rows& rows);
  Result<std::vector<domain::User>> ReadUsers(Rows& rows);
  Result<std::vector<domain::Outbound>> ReadOutbound(Rows& rows);
  // Runs one UPDATE of a row with a unique key inside a savepoint: a taken key
  // is kAlreadyExists "store.already_exists" (the transaction stays usable),
  // no row with the id is kNotFound.
  Status UpdateUnique(std::string_view sql, std::initializer_list<SqlParam> params,
                      const std::string& what, const std::string& key, Id id);
  Result<std::vector<domain::MailboxAccount>> ReadMailboxes(Rows& rows);
  Status InsertIdentities(Id customer_id, const std::vector<domain::Identity>& identities);
  // PostgreSQL: the next id of `table` from `pool`, refilled from the table's
  // sequence in growing blocks (8, 16, ... 128), so that INSERTs need not
  // return their id and can wait in the pipeline.
  Result<Id> TakeId(const char* table, std::vector<Id>& pool);
  // Runs `select` + "?, ..., ?)" + `suffix` for `keys` in chunks of at most
  // 64, padded to a power of two by repeating the last key (a handful of
  // statement shapes), each planned when it runs (QueryPlannedEachTime);
  // on_rows gets each chunk's keys and rows and stops the lookup by
  // returning true.
  Status QueryIn(std::string_view select, std::string_view suffix,
                 const std::vector<SqlParam>& keys,
                 const std::function<bool(Rows&, std::span<const SqlParam>)>& on_rows);
  // What a rolled-back Nested level may have changed under the caches.
  void ForgetUndone();
  // Sends RecordMessageId's rows kept so far (multi-row INSERTs); done before
  // the index is read, at Nested levels' edges and by BeforeCommit.
  Status FlushMessageIds();
  void DropPendingMessageIds();

  SqlConnection& conn_;
  // FindChannelByAddress' answers in this transaction (channel writes and
  // rolled-back Nested levels empty it).
  std::unordered_map<std::string, std::optional<domain::Channel>> channels_by_address_;
  // ReadAhead's answers, kept only after it was called: a customer (or none)
  // per e-mail address, a ticket (or none) per Message-ID, tickets by id.
  bool read_ahead_ = false;
  std::unordered_map<std::string, std::optional<domain::Customer>> customers_by_email_;
  std::unordered_map<std::string, std::optional<Id>> ticket_of_message_id_;
  std::unordered_map<Id, domain::Ticket> tickets_;
  std::vector<Id> ticket_ids_, article_ids_, attachment_ids_, inbound_ids_;  // TakeId's pools
  Id last_inbound_id_ = 0;  // SQLite: ReserveInboundId counts on from here
  int id_blocks_ = 0;       // blocks taken so far
  // The ticket number this transaction took last, and the counter row's
  // value as this transaction last wrote it (it holds the row from then on).
  // On PostgreSQL they differ until BeforeCommit.
  std::optional<int64_t> last_ticket_number_, written_ticket_number_;
  // RecordMessageId's rows not sent yet, one per Message-ID (index by id).
  struct PendingMessageId {
    std::string message_id;
    Id ticket_id = 0;
    std::optional<Id> article_id;
  };
  static constexpr size_t kMaxPendingMessageIds = 512;
  std::vector<PendingMessageId> pending_message_ids_;
  std::unordered_map<std::string, size_t> pending_message_id_index_;
  int depth_ = 0;                  // Nested savepoints open
  bool threading_locked_ = false;  // LockThreading taken outside any savepoint
};

Error BadValue(const std::string& what, const std::string& value);  // "store.bad_value"
Error NotFound(const std::string& what, Id id);                     // kNotFound "store.not_found"
// kAlreadyExists "store.already_exists".
Error Taken(const std::string& what, const std::string& key);

// Lists are stored as newline-separated text.
std::string JoinLines(const std::vector<std::string>& items);
std::vector<std::string> SplitLines(const std::string& text);

}  // namespace replydesk::store
