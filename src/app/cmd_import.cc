// `replydesk import PATH...`: Maildir folders, mbox files and single .eml
// files. Messages are accepted in batches (one filesystem sync and one
// transaction per batch — the source stays on disk, so a crash loses nothing
// and a rerun skips what was imported as duplicates), then processed. A
// progress bar is drawn on a terminal; a summary ends the run.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "app/context.h"
#include "channels/mailbox_source.h"
#include "services/inbound_service.h"
#include "services/inbound_worker.h"
#include "services/raw_message_cache.h"

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

// Accepts in the calling thread; a second thread claims and parses batches
// and a third commits them, each with its own store connection, so parsing
// overlaps with the accept and processing transactions. The accepted bytes
// reach the parser in memory (raw_cache_); it reads the store only on a miss.
class Importer {
 public:
  Importer(store::Store& store, const GlobalOptions& g, const services::IngestSettings& settings,
           const ImportOptions& o)
      : o_(o),
        g_(g),
        settings_(settings),
        service_(store, util::SystemClock::Instance(), settings) {
    if (!o_.no_process) processor_ = std::thread([this] { Process(); });
  }
  ~Importer() { [[maybe_unused]] util::Status st = Finish(); }

  // Waits until everything accepted is processed; returns the first processing error.
  util::Status Finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (processor_.joinable()) processor_.join();
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
    RD_ASSIGN_OR_RETURN(auto results, service_.AcceptBatch(pending_));
    for (size_t i = 0; i < results.size(); ++i) {
      const services::AcceptResult& r = results[i];
      ++(r.duplicate ? counts_.duplicates : counts_.imported);
      if (!r.duplicate && !o_.no_process) raw_cache_.Put(r.raw_sha256, std::move(pending_[i].raw));
    }
    pending_.clear();
    cv_.notify_all();
    return util::OkStatus();
  }

  ImportCounts& counts() {
    counts_.failed = failed_;
    return counts_;
  }

 private:
  // Claims and prepares (reads, parses) batches; a second thread commits
  // them one batch behind, so parsing overlaps with the processing
  // transactions. Batches are committed in the order they were claimed.
  void Process() {
    std::thread committer([this] { Commit(); });
    auto store = OpenStore(g_);
    if (!store.ok()) SetError(store.error());
    std::optional<services::InboundWorker> preparer;
    if (store.ok())
      preparer.emplace(**store, util::SystemClock::Instance(), settings_, WorkerName(),
                       TriggerSettings(g_));
    if (preparer) preparer->UseRawCache(&raw_cache_);
    while (preparer && !Failed()) {
      // Read before claiming: once done_ is set every message is committed,
      // so an empty claim after it means there is nothing left.
      const bool accept_done = Done();
      auto batch = preparer->ClaimAndPrepare(o_.batch);
      if (!batch.ok()) {
        SetError(batch.error());
        break;
      }
      if (!batch->empty()) {
        Hand(std::move(batch).value());
        continue;
      }
      if (accept_done) break;
      std::unique_lock<std::mutex> lock(mu_);
      if (!done_) cv_.wait_for(lock, std::chrono::milliseconds(50));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      prepared_all_ = true;
    }
    cv_.notify_all();
    committer.join();
  }

  // Waits until the committer has taken the previous batch, then offers this one.
  void Hand(std::vector<services::PreparedJob> batch) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !ready_ || !error_.ok(); });
    if (!error_.ok()) return;
    ready_ = std::move(batch);
    cv_.notify_all();
  }

  void Commit() {
    auto store = OpenStore(g_);
    if (!store.ok()) return SetError(store.error());
    services::InboundWorker worker(**store, util::SystemClock::Instance(), settings_, WorkerName(),
                                   TriggerSettings(g_));
    while (true) {
      std::vector<services::PreparedJob> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return ready_ || prepared_all_ || !error_.ok(); });
        if (!ready_ || !error_.ok()) return;
        batch = std::move(*ready_);
        ready_.reset();
      }
      cv_.notify_all();
      auto r = worker.Complete(batch);
      if (!r.ok()) return SetError(r.error());
      failed_ += r->failed;
    }
  }

  std::string WorkerName() const { return "import-" + std::to_string(getpid()); }
  bool Done() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }
  bool Failed() {
    std::lock_guard<std::mutex> lock(mu_);
    return !error_.ok();
  }

  void SetError(const util::Error& e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (error_.ok()) error_ = e;
    }
    cv_.notify_all();
  }

  const ImportOptions& o_;
  const GlobalOptions& g_;
  const services::IngestSettings& settings_;
  services::InboundService service_;
  std::vector<services::AcceptRequest> pending_;
  // Bounded: when processing falls behind, later messages are read from the store.
  services::RawMessageCache raw_cache_{size_t{64} << 20};
  ImportCounts counts_;
  std::thread processor_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;                                        // everything is accepted
  std::optional<std::vector<services::PreparedJob>> ready_;  // prepared, not yet committed
  bool prepared_all_ = false;
  util::Status error_;
  std::atomic<size_t> failed_{0};
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
