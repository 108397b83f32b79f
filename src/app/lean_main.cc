// `replydesk`: the launcher. Every command but one is run by the full binary
// beside it (`replydesk-full`, main.cc), which this process exec()s with the
// same arguments (same pid, same stdin/stdout, same exit code).
//
// The exception is the MTA pipe transport: `replydesk ingest` starts once per
// message, and the full binary loads ~60 shared libraries (GMime, ICU, libpq,
// libcurl and theirs) in ~35 ms before main() — more than the whole budget of
// 100 messages/s. When a `serve` runs on the same database (SQLite or
// PostgreSQL) and the command line holds only the options below, this
// launcher, which links little more than libc, hands the message to serve
// over its socket (handoff.h): serve accepts it with its open store and
// processes it. In every other case — no serve, any other option, serve gone
// before it answered — the full binary runs the ingest and processes the
// message inline, as before (with the message already read, from a memfd).
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "app/handoff.h"

namespace replydesk::app {
namespace {

constexpr int kHandoffTimeoutMs = 300'000;  // Postfix' pipe command_time_limit is 1000 s

struct LeanIngest {
  std::string db = kDefaultDb;
  size_t max_message_bytes = kDefaultMaxMessageBytes;
  IngestEnvelope envelope;
};

// The command line as the lean path understands it, or nullopt when it holds
// anything else (the full binary then parses it, with its errors and help).
// Environment first, then options (as CLI11 does in the full binary).
std::optional<LeanIngest> ParseLean(int argc, char** argv) {
  LeanIngest o;
  if (const char* v = getenv("REPLYDESK_DB"); v && *v) o.db = v;
  if (const char* v = getenv("REPLYDESK_MAX_MESSAGE_BYTES"); v && *v) {
    auto n = ParseDecimal(v);
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
    } else if (name == "--blob-dir" || name == "--log-level") {
      // serve's own apply to what it accepts (docs/cli.md).
    } else if (name == "--max-message-bytes") {
      auto n = ParseDecimal(value);
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

// Runs the full binary's ingest on a message already read from stdin: puts it
// on a memfd as the new stdin first.
int ExecFullWith(const std::string& message, int argc, char** argv) {
  int fd = memfd_create("replydesk-ingest", 0);
  size_t done = 0;
  while (fd >= 0 && done < message.size()) {
    ssize_t n = write(fd, message.data() + done, message.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  if (fd < 0 || done != message.size() || lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) != 0) {
    std::fprintf(stderr, "replydesk: cannot pass the message on: %s\n", std::strerror(errno));
    return kExTempFail;
  }
  close(fd);
  return ExecFull(argc, argv);
}

int PrintAndReturn(int code, const std::string& text) {
  if (code != kExOk) std::fprintf(stderr, "replydesk: %s\n", text.c_str());
  return code;
}

// Hands an ingest's message to a running serve, or runs the full binary.
int Run(int argc, char** argv) {
  std::optional<LeanIngest> o = ParseLean(argc, argv);
  if (!o) return ExecFull(argc, argv);
  std::optional<std::string> name = ServeSocketName(o->db);
  if (!name) return ExecFull(argc, argv);  // no database yet: no serve
  int fd = ConnectServe(*name);
  if (fd < 0) return ExecFull(argc, argv);  // no serve: the full binary processes inline
  auto message = ReadMessage(0, o->max_message_bytes);
  if (!message.ok()) {
    close(fd);
    return PrintAndReturn(IngestExitCode(message.error()), message.error().ToString());
  }
  std::optional<HandoffReply> reply = HandOff(fd, o->envelope, *message, kHandoffTimeoutMs);
  if (reply && reply->final()) return PrintAndReturn(reply->code, reply->text);
  return ExecFullWith(*message, argc, argv);  // refused, or serve went away
}

}  // namespace
}  // namespace replydesk::app

int main(int argc, char** argv) { return replydesk::app::Run(argc, argv); }
