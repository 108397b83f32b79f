// `replydesk import PATH...`: Maildir folders, mbox files and single .eml
// files. Messages are accepted and processed in batches (one filesystem sync
// and one transaction per batch — the source stays on disk, so a crash loses
// nothing and a rerun skips what was imported as duplicates). A progress bar
// is drawn on a terminal; a summary ends the run.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "app/context.h"
#include "channels/mailbox_source.h"
#include "services/inbound_service.h"
#include "services/inbound_worker.h"

namespace replydesk::app {
namespace {

struct ImportOptions {
  std::vector<std::string> paths;
  std::string channel;
  int batch = 200;
  bool no_process = false;
};

struct ImportCounts {
  size_t seen = 0, imported = 0, duplicates = 0, refused = 0, failed = 0, total = 0;
};

class Progress {
 public:
  explicit Progress(size_t total) : total_(total), tty_(isatty(2)) {}
  void Update(const ImportCounts& c, bool final = false) {
    if (!tty_ || total_ == 0) return;
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const int width = 40;
    int filled = static_cast<int>(width * c.seen / total_);
    std::fprintf(stderr, "\r[%s%s] %zu/%zu", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), c.seen, total_);
    if (final) std::fputc('\n', stderr);
  }

 private:
  size_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point last_{};
};

// One batch at a time from one thread to the next. Put waits while the
// slot is full; Take waits for a batch and returns none once the sender has
// closed the relay (or the run failed).
template <typename T>
class Relay {
 public:
  bool Put(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !slot_ || failed_; });
    if (failed_) return false;
    slot_ = std::move(item);
    cv_.notify_all();
    return true;
  }
  std::optional<T> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return slot_ || closed_ || failed_; });
    if (failed_ || !slot_) return std::nullopt;
    std::optional<T> out = std::move(slot_);
    slot_.reset();
    cv_.notify_all();
    return out;
  }
  void Close() { Set(closed_); }
  void Fail() { Set(failed_); }

 private:
  void Set(bool& flag) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      flag = true;
    }
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<T> slot_;
  bool closed_ = false, failed_ = false;
};

// The calling thread reads the messages and prepares each batch (size check,
// hash, parse: InboundWorker::PrepareNew); a second thread, with its own
// store connection, accepts and processes it in one transaction
// (AcceptAndComplete) while the next batch is parsed. One commit and one
// sync per batch, no job queued for what is processed here. On PostgreSQL
// with blobs in the database a thread in between writes each batch's blob
// rows on a third connection (StoreBlobsAhead), so parsing, storing bytes
// and writing rows overlap. With --no-process the batches are only
// accepted, each with its processing job.
class Importer {
  using Batch = std::vector<services::NewMessage>;

 public:
  Importer(store::Store& store, const GlobalOptions& g, const services::IngestSettings& settings,
           const ImportOptions& o)
      : o_(o),
        g_(g),
        settings_(settings),
        service_(store, util::SystemClock::Instance(), settings),
        preparer_(store, util::SystemClock::Instance(), settings, WorkerName()) {
    if (o_.no_process) return;
    committer_ = std::thread([this] { Commit(); });
    if (preparer_.StoresBlobsAhead()) blob_writer_ = std::thread([this] { WriteBlobs(); });
  }
  ~Importer() { [[maybe_unused]] util::Status st = Finish(); }

  // Waits until every batch handed over is committed; returns the first error.
  util::Status Finish() {
    (blob_writer_.joinable() ? to_blob_writer_ : to_committer_).Close();
    if (blob_writer_.joinable()) blob_writer_.join();
    if (committer_.joinable()) committer_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

  util::Status Add(const channels::MailboxMessage& m) {
    ++counts_.seen;
    if (m.data.size() > settings_.max_message_bytes) {
      ++counts_.refused;
      std::cerr << "replydesk: refused (over the size limit): " << m.origin << "\n";
      return util::OkStatus();
    }
    std::vector<std::string> rcpt;
    if (!o_.channel.empty()) rcpt.push_back(o_.channel);
    pending_.push_back({m.data, "import", "", std::move(rcpt)});
    if (static_cast<int>(pending_.size()) >= o_.batch) return Flush();
    return util::OkStatus();
  }

  util::Status Flush() {
    if (pending_.empty()) return util::OkStatus();
    std::vector<services::AcceptRequest> reqs;
    reqs.swap(pending_);
    if (o_.no_process) {
      RD_ASSIGN_OR_RETURN(auto results, service_.AcceptBatch(reqs));
      for (const services::AcceptResult& r : results) ++(r.duplicate ? duplicates_ : imported_);
      return util::OkStatus();
    }
    RD_ASSIGN_OR_RETURN(Batch batch, preparer_.PrepareNew(service_, std::move(reqs)));
    if (!(blob_writer_.joinable() ? to_blob_writer_ : to_committer_).Put(std::move(batch))) {
      std::lock_guard<std::mutex> lock(mu_);
      return error_;
    }
    return util::OkStatus();
  }

  ImportCounts& counts() {
    counts_.imported = imported_;
    counts_.duplicates = duplicates_;
    counts_.failed = failed_;
    return counts_;
  }

 private:
  struct Worker {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<services::InboundService> service;
    std::unique_ptr<services::InboundWorker> worker;
  };

  // A store connection of its own, for a thread.
  util::Result<Worker> OpenWorker() {
    RD_ASSIGN_OR_RETURN(auto store, OpenStore(g_));
    Worker w;
    w.service = std::make_unique<services::InboundService>(*store, util::SystemClock::Instance(),
                                                           settings_);
    w.worker = std::make_unique<services::InboundWorker>(
        *store, util::SystemClock::Instance(), settings_, WorkerName(), TriggerSettings(g_));
    w.store = std::move(store);
    return w;
  }

  void WriteBlobs() {
    auto w = OpenWorker();
    if (!w.ok()) return SetError(w.error());
    while (std::optional<Batch> batch = to_blob_writer_.Take()) {
      if (util::Status st = w->worker->StoreBlobsAhead(*batch); !st.ok())
        return SetError(st.error());
      if (!to_committer_.Put(std::move(*batch))) return;
    }
    to_committer_.Close();
  }

  void Commit() {
    auto w = OpenWorker();
    if (!w.ok()) return SetError(w.error());
    while (std::optional<Batch> batch = to_committer_.Take()) {
      auto r = w->worker->AcceptAndComplete(*w->service, *batch);
      if (!r.ok()) return SetError(r.error());
      for (const services::NewMessage& m : *batch)
        ++(m.accepted.duplicate ? duplicates_ : imported_);
      failed_ += r->failed;
    }
  }

  std::string WorkerName() const { return "import-" + std::to_string(getpid()); }

  void SetError(const util::Error& e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (error_.ok()) error_ = e;
    }
    to_blob_writer_.Fail();
    to_committer_.Fail();
  }

  const ImportOptions& o_;
  const GlobalOptions& g_;
  const services::IngestSettings& settings_;
  services::InboundService service_;
  services::InboundWorker preparer_;  // parses; blob files only, no transactions
  std::vector<services::AcceptRequest> pending_;
  ImportCounts counts_;
  std::atomic<size_t> imported_{0}, duplicates_{0}, failed_{0};
  Relay<Batch> to_blob_writer_, to_committer_;
  std::thread blob_writer_, committer_;
  std::mutex mu_;
  util::Status error_;
};

int RunImport(const GlobalOptions& g, const ImportOptions& o) {
  auto store = OpenStore(g);
  if (!store.ok()) {
    PrintError(store.error());
    return 1;
  }
  services::IngestSettings settings = MakeIngestSettings(g);
  Importer importer(**store, g, settings, o);
  size_t total = 0;
  if (isatty(2)) {
    for (const auto& path : o.paths) {
      auto n = channels::CountMessages(path);
      if (n.ok()) total += *n;
    }
  }
  Progress progress(total);
  auto started = std::chrono::steady_clock::now();
  for (const auto& path : o.paths) {
    util::Status st =
        channels::ForEachMessage(path, [&](const channels::MailboxMessage& m) -> util::Status {
          RD_RETURN_IF_ERROR(importer.Add(m));
          progress.Update(importer.counts());
          return util::OkStatus();
        });
    if (st.ok()) st = importer.Flush();
    if (!st.ok()) {
      PrintError(st.error());
      return 1;
    }
  }
  if (util::Status st = importer.Finish(); !st.ok()) {
    PrintError(st.error());
    return 1;
  }
  progress.Update(importer.counts(), true);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const ImportCounts& c = importer.counts();
  std::printf(
      "imported %zu, duplicates %zu, kept-but-failed %zu, refused %zu (%.1f s, %.0f messages/s)\n",
      c.imported, c.duplicates, c.failed, c.refused, secs, secs > 0 ? c.seen / secs : 0.0);
  return c.refused > 0 ? 65 : 0;
}

}  // namespace

void AddImportCommand(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("import", "Import Maildir folders, mbox files or .eml files");
  auto o = std::make_shared<ImportOptions>();
  cmd->add_option("paths", o->paths, "Maildir folders, mbox files, .eml files")->required();
  cmd->add_option("--channel", o->channel, "Receiving address (channel) for these messages");
  cmd->add_option("--batch", o->batch, "Messages per transaction")->capture_default_str();
  cmd->add_flag("--no-process", o->no_process, "Only accept; leave processing to `serve`");
  cmd->callback([&g, &exit_code, o] { exit_code = RunImport(g, *o); });
}

}  // namespace replydesk::app
