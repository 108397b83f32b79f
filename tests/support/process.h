// Runs the replydesk binary (or any program) from tests: argv, extra
// environment, stdin bytes; collects exit status and output. Used by the
// integration and crash tests, which treat the binary as an MTA would.
#pragma once

#include <string>
#include <vector>

namespace replydesk::testing {

struct ProcessResult {
  int exit_code = -1;  // when exited normally
  int signal = 0;      // when killed by a signal (SIGKILL from a fault point)
  std::string out;
  std::string err;
  bool Exited(int code) const { return signal == 0 && exit_code == code; }
};

// Runs argv[0] (a path) with the current environment plus `env` ("K=V"), feeds
// `input` on stdin and waits at most `timeout_seconds` (then SIGKILL).
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input = "",
                         const std::vector<std::string>& env = {}, int timeout_seconds = 60);

// A background process (e.g. `replydesk serve`), killed on destruction.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~BackgroundProcess();
  int pid() const { return pid_; }
  // Reads stdout until a line containing `needle` appears (or timeout); returns that line.
  std::string WaitForLine(const std::string& needle, int timeout_seconds = 20);
  // Sends `sig` and waits; returns the wait status.
  int Kill(int sig);
  // Waits for the process to end by itself (SIGKILL after the timeout); returns the wait status.
  int Wait(int timeout_seconds);
  bool Running();

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
};

}  // namespace replydesk::testing
