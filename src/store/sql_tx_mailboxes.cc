// SqlTx, part 6: mailbox accounts (IMAP/POP3 polling) and the POP3 UIDLs
// already accepted. The poll state is written by single statements
// (AdvanceMailbox, FinishMailboxPoll) so a poller and `mailbox list` never
// see half an update.
#include "store/sql_tx.h"

namespace replydesk::store {

using domain::MailboxAccount;
using util::ErrorCode;
using util::MakeError;

namespace {

constexpr domain::MailProtocol kProtocols[] = {domain::MailProtocol::kImap,
                                               domain::MailProtocol::kPop3};
constexpr domain::MailboxTls kTlsModes[] = {domain::MailboxTls::kTls, domain::MailboxTls::kStartTls,
                                            domain::MailboxTls::kNone};
constexpr domain::AfterImport kAfterImports[] = {
    domain::AfterImport::kMarkSeen, domain::AfterImport::kMove, domain::AfterImport::kDelete,
    domain::AfterImport::kKeep};

#define RD_MAILBOX_COLUMNS                                                                        \
  "id, name, channel_id, protocol, host, port, tls, username, password_encrypted, folder, "       \
  "poll_interval_seconds, after_import, move_to, enabled, uid_validity, last_uid, "               \
  "last_success_at, last_error, last_error_at, imported_count, backlog, failures, next_poll_at, " \
  "created_at"

}  // namespace

Result<std::vector<MailboxAccount>> SqlTx::ReadMailboxes(Rows& rows) {
  std::vector<MailboxAccount> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    MailboxAccount& m = out[r];
    m.id = rows.Int(r, 0);
    m.name = rows.TakeText(r, 1);
    m.channel_id = rows.Int(r, 2);
    const std::string protocol = rows.Text(r, 3);
    auto p = domain::ParseByName(protocol, kProtocols, &domain::MailProtocolName);
    if (!p) return BadValue("mailboxes.protocol", protocol);
    m.protocol = *p;
    m.host = rows.TakeText(r, 4);
    m.port = static_cast<int>(rows.Int(r, 5));
    const std::string tls = rows.Text(r, 6);
    auto t = domain::ParseByName(tls, kTlsModes, &domain::MailboxTlsName);
    if (!t) return BadValue("mailboxes.tls", tls);
    m.tls = *t;
    m.user = rows.TakeText(r, 7);
    m.password_encrypted = rows.TakeText(r, 8);
    m.folder = rows.TakeText(r, 9);
    m.poll_interval_seconds = static_cast<int>(rows.Int(r, 10));
    const std::string after = rows.Text(r, 11);
    auto a = domain::ParseByName(after, kAfterImports, &domain::AfterImportName);
    if (!a) return BadValue("mailboxes.after_import", after);
    m.after_import = *a;
    m.move_to = rows.TakeText(r, 12);
    m.enabled = rows.Int(r, 13) != 0;
    m.uid_validity = rows.Int(r, 14);
    m.last_uid = rows.Int(r, 15);
    m.last_success_at = rows.OptInt(r, 16);
    m.last_error = rows.TakeText(r, 17);
    m.last_error_at = rows.OptInt(r, 18);
    m.imported_count = rows.Int(r, 19);
    m.backlog = rows.Int(r, 20);
    m.failures = static_cast<int>(rows.Int(r, 21));
    m.next_poll_at = rows.Int(r, 22);
    m.created_at = rows.Int(r, 23);
  }
  return out;
}

Result<MailboxAccount> SqlTx::CreateMailbox(const MailboxAccount& m) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(
          "INSERT INTO mailboxes (name, channel_id, protocol, host, port, tls, username, "
          "password_encrypted, folder, poll_interval_seconds, after_import, move_to, enabled, "
          "next_poll_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT DO NOTHING RETURNING id",
          {Text(m.name), Int(m.channel_id), Text(domain::MailProtocolName(m.protocol)),
           Text(m.host), Int(m.port), Text(domain::MailboxTlsName(m.tls)), Text(m.user),
           Blob(m.password_encrypted), Text(m.folder), Int(m.poll_interval_seconds),
           Text(domain::AfterImportName(m.after_import)), Text(m.move_to), Int(m.enabled ? 1 : 0),
           Int(m.next_poll_at), Int(m.created_at)}));
  if (rows.empty()) {
    return MakeError(ErrorCode::kAlreadyExists, "store.already_exists", "mailbox '" + m.name + "'");
  }
  return GetMailbox(rows.Int(0, 0));
}

Result<std::optional<MailboxAccount>> SqlTx::FindMailboxByName(const std::string& name) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("SELECT " RD_MAILBOX_COLUMNS " FROM mailboxes WHERE name = ?", {Text(name)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadMailboxes(rows));
  if (list.empty()) return std::optional<MailboxAccount>();
  return std::optional<MailboxAccount>(std::move(list.front()));
}

Result<MailboxAccount> SqlTx::GetMailbox(Id id) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("SELECT " RD_MAILBOX_COLUMNS " FROM mailboxes WHERE id = ?", {Int(id)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadMailboxes(rows));
  if (list.empty()) return NotFound("mailbox", id);
  return std::move(list.front());
}

Result<std::vector<MailboxAccount>> SqlTx::ListMailboxes() {
  RD_ASSIGN_OR_RETURN(
      Rows rows, conn_.Query("SELECT " RD_MAILBOX_COLUMNS " FROM mailboxes ORDER BY name", {}));
  return ReadMailboxes(rows);
}

Result<std::optional<MailboxAccount>> SqlTx::ClaimDueMailbox(UnixSeconds now, int lease_seconds) {
  // PostgreSQL: a row another poller is claiming is skipped, not waited for;
  // SQLite: BEGIN IMMEDIATE already serialises claimers.
  std::string sql =
      "UPDATE mailboxes SET next_poll_at = ? WHERE id IN (SELECT id FROM mailboxes "
      "WHERE enabled = 1 AND next_poll_at <= ? ORDER BY next_poll_at, id LIMIT 1";
  if (conn_.backend() == Backend::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
  sql += ") RETURNING " RD_MAILBOX_COLUMNS;
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query(sql, {Int(now + lease_seconds), Int(now)}));
  RD_ASSIGN_OR_RETURN(auto list, ReadMailboxes(rows));
  if (list.empty()) return std::optional<MailboxAccount>();
  return std::optional<MailboxAccount>(std::move(list.front()));
}

Status SqlTx::DeleteMailbox(Id id) {
  // The UIDLs go by ON DELETE CASCADE (SQLite runs with foreign keys on).
  RD_ASSIGN_OR_RETURN(Rows rows, conn_.Query("DELETE FROM mailboxes WHERE id = ?", {Int(id)}));
  if (rows.affected() == 0) return NotFound("mailbox", id);
  return util::OkStatus();
}

Status SqlTx::AdvanceMailbox(Id id, int64_t uid_validity, int64_t last_uid, int64_t imported,
                             int64_t backlog) {
  RD_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query("UPDATE mailboxes SET uid_validity = ?, last_uid = ?, "
                  "imported_count = imported_count + ?, backlog = ? WHERE id = ?",
                  {Int(uid_validity), Int(last_uid), Int(imported), Int(backlog), Int(id)}));
  if (rows.affected() == 0) return NotFound("mailbox", id);
  return util::OkStatus();
}

Status SqlTx::FinishMailboxPoll(Id id, UnixSeconds at, const std::optional<std::string>& error,
                                UnixSeconds next_poll_at) {
  Result<Rows> rows = error ? conn_.Query(
                                  "UPDATE mailboxes SET last_error = ?, last_error_at = ?, "
                                  "failures = failures + 1, next_poll_at = ? WHERE id = ?",
                                  {Text(*error), Int(at), Int(next_poll_at), Int(id)})
                            : conn_.Query(
                                  "UPDATE mailboxes SET last_success_at = ?, failures = 0, "
                                  "next_poll_at = ? WHERE id = ?",
                                  {Int(at), Int(next_poll_at), Int(id)});
  if (!rows.ok()) return rows.error();
  if (rows->affected() == 0) return NotFound("mailbox", id);
  return util::OkStatus();
}

Status SqlTx::MakeMailboxDue(Id id, UnixSeconds at) {
  Result<Rows> rows =
      conn_.Query("UPDATE mailboxes SET next_poll_at = ? WHERE id = ? AND next_poll_at > ?",
                  {Int(at), Int(id), Int(at)});
  if (!rows.ok()) return rows.error();
  return util::OkStatus();
}

Result<std::vector<std::string>> SqlTx::ListMailboxUidls(Id mailbox_id) {
  RD_ASSIGN_OR_RETURN(
      Rows rows, conn_.Query("SELECT uidl FROM mailbox_uidls WHERE mailbox_id = ? ORDER BY uidl",
                             {Int(mailbox_id)}));
  std::vector<std::string> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) out[r] = rows.TakeText(r, 0);
  return out;
}

Status SqlTx::AddMailboxUidls(Id mailbox_id, const std::vector<std::string>& uidls,
                              UnixSeconds at) {
  for (const std::string& uidl : uidls) {
    RD_RETURN_IF_ERROR(
        conn_.Query("INSERT INTO mailbox_uidls (mailbox_id, uidl, seen_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    {Int(mailbox_id), Text(uidl), Int(at)}));
  }
  return util::OkStatus();
}

Status SqlTx::RemoveMailboxUidls(Id mailbox_id, const std::vector<std::string>& uidls) {
  for (const std::string& uidl : uidls) {
    RD_RETURN_IF_ERROR(conn_.Query("DELETE FROM mailbox_uidls WHERE mailbox_id = ? AND uidl = ?",
                                   {Int(mailbox_id), Text(uidl)}));
  }
  return util::OkStatus();
}

}  // namespace replydesk::store
