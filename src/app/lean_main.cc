// `replydesk`: the launcher. Every command but one is run by the full binary
// beside it (`replydesk-full`, main.cc), which this process exec()s with the
// same arguments (same pid, same stdin/stdout, same exit code).
//
// The exception is the MTA pipe transport: `replydesk ingest` starts once per
// message, and the full binary loads ~60 shared libraries (GMime, ICU, libpq,
// libcurl and theirs) in ~35 ms before main() — more than the whole budget of
// 100 messages/s. When a `serve` is running on the same SQLite database (it
// is bound to the wake socket, wake_socket.h) and the command line holds only
// the options below, this launcher, which links little more than SQLite,
// accepts the message itself through the same accept path (ingest_core.h),
// wakes serve's workers to process it, and exits. In every other case
// (PostgreSQL, no serve, any other option) the full binary runs the ingest and
// processes the message inline, as before.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "app/ingest_core.h"
#include "app/wake_socket.h"

namespace replydesk::app {
namespace {

struct LeanIngest {
  std::string db = "var/replydesk.db";  // as GlobalOptions
  std::string blob_dir;
  size_t max_message_bytes = 50u << 20;
  IngestEnvelope envelope;
};

std::optional<size_t> ParseSize(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  return v;
}

// The command line as the lean path understands it, or nullopt when it holds
// anything else (the full binary then parses it, with its errors and help).
// Environment first, then options (as CLI11 does in the full binary).
std::optional<LeanIngest> ParseLean(int argc, char** argv) {
  LeanIngest o;
  if (const char* v = getenv("REPLYDESK_DB"); v && *v) o.db = v;
  if (const char* v = getenv("REPLYDESK_BLOB_DIR"); v && *v) o.blob_dir = v;
  if (const char* v = getenv("REPLYDESK_MAX_MESSAGE_BYTES"); v && *v) {
    auto n = ParseSize(v);
    if (!n) return std::nullopt;
    o.max_message_bytes = *n;
  }
  bool ingest = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "ingest" && !ingest) {
      ingest = true;
      continue;
    }
    std::string_view name = arg, value;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return std::nullopt;
    }
    if (name == "--db") {
      o.db = value;
    } else if (name == "--blob-dir") {
      o.blob_dir = value;
    } else if (name == "--log-level") {
      // Only errors are printed here.
    } else if (name == "--max-message-bytes") {
      auto n = ParseSize(value);
      if (!n) return std::nullopt;
      o.max_message_bytes = *n;
    } else if (ingest && name == "--sender") {
      o.envelope.sender = value;
    } else if (ingest && name == "--recipient") {
      o.envelope.recipients.emplace_back(value);
    } else if (ingest && name == "--channel") {
      o.envelope.channel = value;
    } else {
      return std::nullopt;
    }
  }
  if (!ingest) return std::nullopt;
  return o;
}

// Accepts with the lean path when a serve will process the message; nullopt
// when the full binary must do the ingest (nothing has been read from stdin).
std::optional<int> TryLeanIngest(int argc, char** argv) {
  std::optional<LeanIngest> o = ParseLean(argc, argv);
  if (!o) return std::nullopt;
  std::optional<std::string> name = WakeSocketName(o->db);
  if (!name) return std::nullopt;  // PostgreSQL, or no database yet
  int wake = ConnectWake(*name);
  if (wake < 0) return std::nullopt;  // no serve: the full binary processes inline
  store::StoreOptions options;
  options.url = o->db;
  options.blob_dir = o->blob_dir;
  options.trust_schema = true;  // the running serve migrated it
  auto store = store::Store::OpenSqlite(options);
  if (!store.ok()) {
    close(wake);
    PrintError(store.error());
    return kExTempFail;
  }
  services::IngestSettings settings;
  settings.max_message_bytes = o->max_message_bytes;
  auto accepted = IngestStdin(**store, settings, o->envelope);
  if (!accepted.ok()) {
    close(wake);
    PrintError(accepted.error());
    return IngestExitCode(accepted.error());
  }
  SendWakeAndClose(wake);
  return kExOk;
}

// Runs the full binary in this process. Returns only on failure.
int ExecFull(int argc, char** argv) {
  std::string self(4096, '\0');
  ssize_t n = readlink("/proc/self/exe", self.data(), self.size() - 1);
  std::string full = "replydesk-full";
  if (n > 0) {
    self.resize(static_cast<size_t>(n));
    full = self.substr(0, self.rfind('/') + 1) + full;
  }
  execv(full.c_str(), argv);
  std::fprintf(stderr, "replydesk: cannot run %s: %s\n", full.c_str(), std::strerror(errno));
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "ingest") return kExTempFail;  // the MTA keeps the message
  }
  return kExSoftware;
}

}  // namespace
}  // namespace replydesk::app

int main(int argc, char** argv) {
  using namespace replydesk::app;
  if (std::optional<int> rc = TryLeanIngest(argc, argv)) return *rc;
  return ExecFull(argc, argv);
}
