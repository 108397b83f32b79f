// Polls one IMAP or POP3 mailbox into the accept path (docs/mailboxes.md).
//
// Order of durability, per batch of messages (UID order):
//   1. Fetch each message and accept the batch: one transaction, committed
//      (after this the messages survive a crash; a second accept is a duplicate).
//   2. Dispose them on the server (flag \Seen, move, delete), only now.
//   3. Commit the progress: IMAP last_uid, POP3 seen UIDLs, imported count.
// A crash between any two steps repeats only idempotent work on the next poll:
// the batch is fetched again and accepted as duplicates (raw SHA-256 and
// Message-ID keys), disposed again (flagging or deleting twice is harmless;
// moved or expunged messages are no longer listed). POP3 deletes take effect
// at QUIT, so a POP3 message already seen but still on the server is deleted
// again (when the account deletes).
//
// UIDVALIDITY (RFC 3501 §2.3.1.1): when the server reports another value than
// the one stored, every UID we hold is void: the folder is scanned from UID 0
// and the accept path turns what we already have into duplicates.
//
// Slices: a poll stops after PollOptions::max_messages or max_seconds and
// leaves the mailbox due at once, so a 10,000-message first import proceeds in
// slices and other mailboxes (and their new mail) get their turn in between.
//
// Failures end the poll; the account records the human message as last_error
// and the next poll waits poll_interval * 2^failures (at most an hour).
//
// Thread safety: one MailboxPoller per thread (it uses one Store).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "domain/mailbox_account.h"
#include "services/inbound_service.h"
#include "services/inbound_worker.h"
#include "services/ingest_settings.h"
#include "services/ports/remote_mailbox.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/secret_box.h"

namespace replydesk::services {

struct PollProgress {
  int64_t done = 0;   // messages handled in this poll (imported, duplicate or refused)
  int64_t total = 0;  // messages to handle in this poll (new on the server, within the cap)
};

struct PollOptions {
  int batch = 50;          // messages per accept transaction and progress commit
  int max_messages = 500;  // per poll, then the mailbox is due again at once; 0: no limit
  int max_seconds = 30;    // per poll (checked between batches); 0: no limit
  std::function<void(const PollProgress&)> progress;  // after each batch
  // Set (by serve's shutdown): the poll ends after the batch in hand, as at the cap.
  const std::atomic<bool>* stop = nullptr;
};

struct PollResult {
  int64_t listed = 0;      // new messages on the server when the poll began
  int64_t imported = 0;    // accepted as new
  int64_t duplicates = 0;  // already stored (a rescan, or a repeat after a crash)
  int64_t refused = 0;     // over the size limit: left on the server, not fetched again
  int64_t remaining = 0;   // left for the next poll by the per-poll cap
  bool uid_validity_changed = false;
};

class MailboxPoller {
 public:
  // `key` decrypts the stored passwords; nullptr (no server key configured)
  // makes every poll fail with kPermissionDenied "mailbox.no_key".
  MailboxPoller(store::Store& store, RemoteMailboxFactory& factory, const util::SecretBox* key,
                const util::Clock& clock, IngestSettings settings);

  // Polls `account` (as read from the store) and records the outcome on it:
  // success, or last_error with backoff. Returns what was done, or the error
  // that ended the poll (already recorded). Messages handled before a failure
  // stay committed and counted.
  util::Result<PollResult> PollOnce(const domain::MailboxAccount& account,
                                    const PollOptions& options);

  // Claims the enabled mailbox due soonest (see Tx::ClaimDueMailbox) and polls
  // it. false when none is due. The error of the poll itself is recorded on
  // the account (and logged), not returned: only the claim's store error is.
  util::Result<bool> PollNextDue(const PollOptions& options, int lease_seconds = 600);

  // Processes what the poll accepts in the accepting transaction
  // (InboundWorker::AcceptAndComplete) on `committer`, which must have a
  // store of its own: each batch commits in a second thread while the poll
  // fetches and parses the next one with `preparer` (on this poller's
  // store). One commit per batch and no jobs: a first import (`mailbox
  // fetch`). Without it the accepted messages wait as jobs for the workers.
  // `committer_store` is the committer's: the progress of a batch is
  // committed on it too, between two batches (while it is idle), so that on
  // SQLite no other connection's write empties its page cache every batch.
  // All must outlive the poller.
  void ProcessInline(InboundWorker* preparer, InboundService* committer_service,
                     InboundWorker* committer, store::Store* committer_store) {
    preparer_ = preparer;
    committer_service_ = committer_service;
    committer_ = committer;
    progress_store_ = committer_store;
  }
  // Called after every committed accept batch (serve wakes its workers).
  void set_on_accepted(std::function<void()> fn) { on_accepted_ = std::move(fn); }
  // Tests: called at each named step (besides util::FaultPoint), may throw to
  // simulate a crash there: "mailbox.after_accept", "mailbox.after_dispose",
  // "mailbox.after_progress".
  void set_step_hook(std::function<void(std::string_view)> fn) { step_hook_ = std::move(fn); }

  // The account's settings for the port, with the password decrypted.
  // kPermissionDenied "mailbox.no_key" / "mailbox.decrypt" ("cannot decrypt
  // mailbox password: server key changed?").
  static util::Result<RemoteMailboxConfig> MakeConfig(const domain::MailboxAccount& account,
                                                      const util::SecretBox* key);
  // The message stored as last_error: what went wrong, in words, for an admin.
  static std::string Describe(const util::Error& e);

 private:
  struct Run;
  util::Status Poll(Run& run);
  util::Status ListImap(Run& run);
  util::Status ListPop3(Run& run);
  struct Batch;
  // Fetches todo[begin, end) (what is over the size limit is left on the server).
  util::Status FetchBatch(Run& run, Batch& batch);
  // ProcessInline: parses a fetched batch (PrepareNew).
  util::Status PrepareBatch(Batch& batch);
  // Accepts a fetched batch, or with ProcessInline starts its commit.
  util::Status StartBatch(Batch& batch);
  // Waits for the batch's commit, then disposes it on the server and
  // records the progress.
  util::Status FinishBatch(Run& run, Batch& batch);
  util::Status CommitProgress(Run& run, size_t begin, size_t end, int64_t imported);
  void Step(const char* name);

  store::Store& store_;
  RemoteMailboxFactory& factory_;
  const util::SecretBox* key_;
  const util::Clock& clock_;
  IngestSettings settings_;
  InboundService inbound_;
  InboundWorker* preparer_ = nullptr;  // ProcessInline
  InboundService* committer_service_ = nullptr;
  InboundWorker* committer_ = nullptr;
  store::Store* progress_store_ = nullptr;  // CommitProgress on it instead of store_
  std::function<void()> on_accepted_;
  std::function<void(std::string_view)> step_hook_;
};

}  // namespace replydesk::services
