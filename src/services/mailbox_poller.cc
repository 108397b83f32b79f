// Mailbox polling: see mailbox_poller.h. Durability is stated at each step.
#include "services/mailbox_poller.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <set>

#include "util/fault.h"
#include "util/log.h"

namespace replydesk::services {

using domain::MailboxAccount;
using domain::MailProtocol;
using util::ErrorCode;
using util::MakeError;

namespace {

// A batch also ends at this many bytes, so 50 large messages never sit in memory at once.
constexpr size_t kBatchBytes = 32u << 20;

TlsMode ToPort(domain::MailboxTls t) {
  switch (t) {
    case domain::MailboxTls::kTls:
      return TlsMode::kTls;
    case domain::MailboxTls::kStartTls:
      return TlsMode::kStartTls;
    case domain::MailboxTls::kNone:
      return TlsMode::kNone;
  }
  return TlsMode::kTls;
}

AfterImport ToPort(domain::AfterImport a) {
  switch (a) {
    case domain::AfterImport::kMarkSeen:
      return AfterImport::kMarkSeen;
    case domain::AfterImport::kMove:
      return AfterImport::kMove;
    case domain::AfterImport::kDelete:
      return AfterImport::kDelete;
    case domain::AfterImport::kKeep:
      return AfterImport::kKeep;
  }
  return AfterImport::kKeep;
}

std::string Tag(const MailboxAccount& a) {
  return "mailbox#" + std::to_string(a.id) + " " + a.name;
}

}  // namespace

struct MailboxPoller::Run {
  const MailboxAccount& account;
  const PollOptions& options;
  std::unique_ptr<RemoteMailbox> session;
  std::vector<RemoteMessageRef> todo;       // to fetch and accept, in this order
  std::vector<RemoteMessageRef> redispose;  // POP3: accepted earlier, still to delete
  int64_t uid_validity = 0;
  int64_t last_uid = 0;
  size_t handled = 0;  // todo[0, handled) are committed
  size_t limit = 0;    // todo[0, limit) are handled in this poll (the per-poll cap)
  PollResult result;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

MailboxPoller::MailboxPoller(store::Store& store, RemoteMailboxFactory& factory,
                             const util::SecretBox* key, const util::Clock& clock,
                             IngestSettings settings)
    : store_(store),
      factory_(factory),
      key_(key),
      clock_(clock),
      settings_(settings),
      inbound_(store, clock, std::move(settings)) {}

util::Result<RemoteMailboxConfig> MailboxPoller::MakeConfig(const MailboxAccount& account,
                                                            const util::SecretBox* key) {
  if (key == nullptr) {
    return MakeError(ErrorCode::kPermissionDenied, "mailbox.no_key",
                     "no server key to decrypt the mailbox password (--secret-key-file)");
  }
  auto password = key->Open(account.password_encrypted);
  if (!password.ok()) {
    return MakeError(ErrorCode::kPermissionDenied, "mailbox.decrypt",
                     "cannot decrypt mailbox password: server key changed?");
  }
  RemoteMailboxConfig c;
  c.protocol = domain::MailProtocolName(account.protocol);
  c.host = account.host;
  c.port = account.port;
  c.tls = ToPort(account.tls);
  c.user = account.user;
  c.password = std::move(password).value();
  c.folder = account.folder;
  c.after = ToPort(account.after_import);
  c.move_to = account.move_to;
  return c;
}

std::string MailboxPoller::Describe(const util::Error& e) {
  std::string what;
  if (e.detail == "mailbox.auth") {
    what = "login failed (wrong user or password?)";
  } else if (e.detail == "mailbox.connect") {
    what = "cannot connect";
  } else if (e.detail == "mailbox.folder") {
    what = "folder missing";
  } else if (e.detail == "mailbox.protocol") {
    what = "server answered something unexpected";
  } else if (e.detail == "mailbox.decrypt" || e.detail == "mailbox.no_key") {
    return e.message;
  } else {
    return e.ToString();
  }
  return e.message.empty() ? what : what + ": " + e.message;
}

void MailboxPoller::Step(const char* name) {
  util::FaultPoint(name);
  if (step_hook_) step_hook_(name);
}

util::Status MailboxPoller::ListImap(Run& run) {
  const MailboxAccount& a = run.account;
  RD_ASSIGN_OR_RETURN(FolderState state, run.session->List(static_cast<uint32_t>(a.uid_validity),
                                                           static_cast<uint32_t>(a.last_uid)));
  run.uid_validity = state.uid_validity;
  run.last_uid = a.uid_validity == state.uid_validity ? a.last_uid : 0;
  if (a.uid_validity != 0 && a.uid_validity != state.uid_validity) {
    // Every UID we hold is void: scan the folder again; the accept path
    // recognises what we already have.
    run.result.uid_validity_changed = true;
    spdlog::warn("{}: UIDVALIDITY changed from {} to {}, scanning {} again", Tag(a), a.uid_validity,
                 state.uid_validity, a.folder);
  }
  for (RemoteMessageRef& ref : state.messages) {
    if (ref.uid_number > run.last_uid) run.todo.push_back(std::move(ref));
  }
  std::sort(run.todo.begin(), run.todo.end(),
            [](const auto& x, const auto& y) { return x.uid_number < y.uid_number; });
  return util::OkStatus();
}

util::Status MailboxPoller::ListPop3(Run& run) {
  const MailboxAccount& a = run.account;
  RD_ASSIGN_OR_RETURN(FolderState state, run.session->List(0, 0));
  std::vector<std::string> known;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(known, tx.ListMailboxUidls(a.id));
    return util::OkStatus();
  }));
  const std::set<std::string> seen(known.begin(), known.end());
  std::set<std::string> on_server;
  for (RemoteMessageRef& ref : state.messages) {
    on_server.insert(ref.uid);
    if (!seen.count(ref.uid)) {
      run.todo.push_back(std::move(ref));
    } else if (a.after_import == domain::AfterImport::kDelete) {
      // Accepted before, but the DELE never took effect (no QUIT: a crash or a
      // dropped connection). Deleting again is the only work left.
      run.redispose.push_back(std::move(ref));
    }
  }
  // UIDLs the server no longer lists are gone for good: forget them, so the
  // table holds at most what is on the server.
  std::vector<std::string> gone;
  for (const std::string& uidl : known) {
    if (!on_server.count(uidl)) gone.push_back(uidl);
  }
  if (gone.empty()) return util::OkStatus();
  return store_.Transact(
      [&](store::Tx& tx) -> util::Status { return tx.RemoveMailboxUidls(a.id, gone); });
}

util::Status MailboxPoller::CommitProgress(Run& run, size_t begin, size_t end, int64_t imported) {
  const MailboxAccount& a = run.account;
  std::vector<std::string> uidls;
  if (a.protocol == MailProtocol::kImap) {
    run.last_uid = std::max<int64_t>(run.last_uid, run.todo[end - 1].uid_number);
  } else {
    for (size_t i = begin; i < end; ++i) uidls.push_back(run.todo[i].uid);
  }
  const int64_t backlog = static_cast<int64_t>(run.todo.size() - end);
  // After this commit the batch is never fetched again (unless UIDVALIDITY changes).
  store::Store& store = progress_store_ != nullptr ? *progress_store_ : store_;
  return store.Transact([&](store::Tx& tx) -> util::Status {
    RD_RETURN_IF_ERROR(tx.AdvanceMailbox(a.id, run.uid_validity, run.last_uid, imported, backlog));
    if (!uidls.empty()) RD_RETURN_IF_ERROR(tx.AddMailboxUidls(a.id, uidls, clock_.Now()));
    return util::OkStatus();
  });
}

// One batch: todo[begin, end), the messages fetched, and the commit in flight.
struct MailboxPoller::Batch {
  size_t begin = 0, end = 0;
  std::vector<AcceptRequest> requests;
  std::vector<RemoteMessageRef> fetched;  // parallel to requests
  std::vector<NewMessage> prepared;       // ProcessInline
  std::future<util::Result<BatchResult>> processing;
  util::Result<std::vector<AcceptResult>> accepted = std::vector<AcceptResult>();
};

util::Status MailboxPoller::FetchBatch(Run& run, Batch& batch) {
  const MailboxAccount& a = run.account;
  for (size_t i = batch.begin; i < batch.end; ++i) {
    const RemoteMessageRef& ref = run.todo[i];
    if (ref.size > static_cast<int64_t>(settings_.max_message_bytes)) {
      // As LMTP would answer 552: refused, and left where it is.
      spdlog::warn("{}: message {} of {} bytes is over the size limit, left on the server", Tag(a),
                   ref.uid, ref.size);
      ++run.result.refused;
      continue;
    }
    RD_ASSIGN_OR_RETURN(std::string raw, run.session->Fetch(ref));
    if (raw.size() > settings_.max_message_bytes) {
      spdlog::warn("{}: message {} of {} bytes is over the size limit, left on the server", Tag(a),
                   ref.uid, raw.size());
      ++run.result.refused;
      continue;
    }
    batch.requests.push_back(
        {std::move(raw), domain::MailProtocolName(a.protocol), "", {}, a.channel_id});
    batch.fetched.push_back(ref);
  }
  return util::OkStatus();
}

util::Status MailboxPoller::PrepareBatch(Batch& batch) {
  if (committer_ == nullptr || batch.requests.empty()) return util::OkStatus();
  RD_ASSIGN_OR_RETURN(batch.prepared, preparer_->PrepareNew(inbound_, std::move(batch.requests)));
  return preparer_->StoreBlobsAhead(batch.prepared);
}

util::Status MailboxPoller::StartBatch(Batch& batch) {
  if (committer_ == nullptr) {
    if (batch.requests.empty()) return util::OkStatus();
    // After this commit the batch is stored and will be processed.
    batch.accepted = inbound_.AcceptBatch(batch.requests);
    if (!batch.accepted.ok()) return batch.accepted.error();
    if (on_accepted_) on_accepted_();  // the jobs are there: workers may start
    return util::OkStatus();
  }
  if (batch.prepared.empty()) return util::OkStatus();
  batch.processing = std::async(std::launch::async, [this, &batch] {
    return committer_->AcceptAndComplete(*committer_service_, batch.prepared);
  });
  return util::OkStatus();
}

util::Status MailboxPoller::FinishBatch(Run& run, Batch& batch) {
  const MailboxAccount& a = run.account;
  std::vector<AcceptResult> results;
  if (batch.processing.valid()) {
    RD_ASSIGN_OR_RETURN([[maybe_unused]] BatchResult processed, batch.processing.get());
    for (const NewMessage& m : batch.prepared) results.push_back(m.accepted);
  } else {
    if (!batch.accepted.ok()) return batch.accepted.error();
    results = std::move(*batch.accepted);
  }
  int64_t imported = 0;
  for (const AcceptResult& r : results) {
    if (r.duplicate) {
      ++run.result.duplicates;
    } else {
      ++imported;
    }
  }
  run.result.imported += imported;
  Step("mailbox.after_accept");
  // Only what is committed is flagged, moved or deleted on the server.
  if (a.after_import != domain::AfterImport::kKeep && !batch.fetched.empty()) {
    RD_RETURN_IF_ERROR(run.session->Dispose(batch.fetched));
  }
  Step("mailbox.after_dispose");
  RD_RETURN_IF_ERROR(CommitProgress(run, batch.begin, batch.end, imported));
  run.handled = batch.end;
  Step("mailbox.after_progress");
  if (run.options.progress) {
    run.options.progress({static_cast<int64_t>(run.handled), static_cast<int64_t>(run.limit)});
  }
  return util::OkStatus();
}

util::Status MailboxPoller::Poll(Run& run) {
  const PollOptions& o = run.options;
  RD_ASSIGN_OR_RETURN(RemoteMailboxConfig config, MakeConfig(run.account, key_));
  RD_ASSIGN_OR_RETURN(run.session, factory_.Open(config));
  RD_RETURN_IF_ERROR(run.account.protocol == MailProtocol::kImap ? ListImap(run) : ListPop3(run));
  run.result.listed = static_cast<int64_t>(run.todo.size());
  if (!run.redispose.empty()) RD_RETURN_IF_ERROR(run.session->Dispose(run.redispose));
  size_t& limit = run.limit;
  limit = run.todo.size();
  if (o.max_messages > 0) limit = std::min(limit, static_cast<size_t>(o.max_messages));
  const size_t batch_size = static_cast<size_t>(std::max(1, o.batch));
  // With ProcessInline, batch k commits while batch k+1 is fetched and
  // parsed; it is disposed and recorded before k+1 is handed over. Without,
  // each batch is accepted, disposed and recorded before the next is fetched.
  std::unique_ptr<Batch> in_flight;
  size_t next = 0;
  util::Status st = util::OkStatus();
  while (next < limit) {
    if (o.stop != nullptr && o.stop->load()) break;
    if (o.max_seconds > 0 && next > 0 &&
        std::chrono::steady_clock::now() - run.started >= std::chrono::seconds(o.max_seconds)) {
      break;
    }
    auto batch = std::make_unique<Batch>();
    batch->begin = next;
    batch->end = next;
    size_t bytes = 0;
    while (batch->end < limit && batch->end - next < batch_size && bytes < kBatchBytes) {
      bytes += static_cast<size_t>(std::max<int64_t>(0, run.todo[batch->end].size));
      ++batch->end;
    }
    next = batch->end;
    st = FetchBatch(run, *batch);
    if (st.ok()) st = PrepareBatch(*batch);
    if (st.ok() && in_flight) {
      st = FinishBatch(run, *in_flight);
      in_flight.reset();
    }
    if (st.ok()) st = StartBatch(*batch);
    if (st.ok() && committer_ == nullptr) st = FinishBatch(run, *batch);  // accepted: at once
    if (!st.ok()) break;
    if (committer_ != nullptr) in_flight = std::move(batch);
  }
  // A commit still running is waited for (and disposed) even after a failure.
  if (in_flight) {
    util::Status last = FinishBatch(run, *in_flight);
    if (st.ok()) st = last;
  }
  RD_RETURN_IF_ERROR(st);
  run.result.remaining = static_cast<int64_t>(run.todo.size() - run.handled);
  // IMAP: EXPUNGE (delete) and LOGOUT; POP3: QUIT, which makes the DELEs real.
  return run.session->Close();
}

util::Result<PollResult> MailboxPoller::PollOnce(const MailboxAccount& account,
                                                 const PollOptions& options) {
  Run run{account, options};
  util::Status st = Poll(run);
  // Without QUIT/LOGOUT: a POP3 server forgets the DELEs of this session.
  if (!st.ok()) run.session.reset();
  const util::UnixSeconds now = clock_.Now();
  if (!st.ok()) {
    const std::string message = Describe(st.error());
    spdlog::warn("{}: poll failed: {}", Tag(account), st.error().ToString());
    const util::UnixSeconds next =
        now + domain::BackoffSeconds(account.poll_interval_seconds, account.failures + 1);
    RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
      return tx.FinishMailboxPoll(account.id, now, message, next);
    }));
    return st.error();
  }
  const PollResult& r = run.result;
  // More left (the per-poll cap): due again at once, behind mailboxes already due.
  const util::UnixSeconds next = r.remaining > 0 ? now : now + account.poll_interval_seconds;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    if (run.handled == 0) {
      // Nothing committed a batch: still record a new UIDVALIDITY and the backlog.
      RD_RETURN_IF_ERROR(
          tx.AdvanceMailbox(account.id, run.uid_validity, run.last_uid, 0, r.remaining));
    }
    return tx.FinishMailboxPoll(account.id, now, std::nullopt, next);
  }));
  if (r.listed > 0 || r.refused > 0) {
    spdlog::info("{}: {} new, {} imported, {} duplicates, {} refused, {} left", Tag(account),
                 r.listed, r.imported, r.duplicates, r.refused, r.remaining);
  }
  return r;
}

util::Result<bool> MailboxPoller::PollNextDue(const PollOptions& options, int lease_seconds) {
  std::optional<MailboxAccount> account;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(account, tx.ClaimDueMailbox(clock_.Now(), lease_seconds));
    return util::OkStatus();
  }));
  if (!account) return false;
  // The poll's own failure is on the account (last_error) and in the log.
  [[maybe_unused]] auto polled = PollOnce(*account, options);
  return true;
}

}  // namespace replydesk::services
