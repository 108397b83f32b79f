// A private, throwaway Postfix instance for integration tests: its own main.cf
// and master.cf, queue and data directories under one temp folder, smtpd on
// 127.0.0.1:<free port> only, and relay domains routed to an LMTP listener
// (RFC 2033), an SMTP server (a test capture) or a pipe(8) command. The system Postfix in
// /etc/postfix is neither read nor changed, and need not be running.
// Needs root (the Postfix master does) and /usr/sbin/postfix; see SkipReason().
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace replydesk::testing {

class PostfixInstance {
 public:
  // Mail for `domain` goes to exactly one of:
  struct Route {
    std::string domain;
    std::string lmtp;                    // "127.0.0.1:PORT" -> lmtp:inet:127.0.0.1:PORT
    std::vector<std::string> pipe_argv;  // pipe(8) argv (absolute path first, no whitespace in
                                         // arguments); may use ${sender}, ${recipient}
    std::string pipe_flags = "FR";       // pipe(8) flags=, as in docs/cli.md
    std::string smtp;  // "127.0.0.1:PORT" -> smtp:[127.0.0.1]:PORT, e.g. an SmtpCapture
                       // (last member: positional initialisers above stay valid)
  };

  // pipe(8) refuses to run commands as root; they run as this user.
  static constexpr const char* kPipeUser = "nobody";
  static constexpr const char* kPipeGroup = "nogroup";

  // Empty when a private instance can run here; otherwise why not (for GTEST_SKIP).
  static std::string SkipReason();

  // Writes the configuration and starts the instance (`postfix -c DIR start`).
  // ok() is false with error() when it could not start; Log() may say why.
  explicit PostfixInstance(const std::vector<Route>& routes);
  // `postfix -c DIR stop`, then removes the temp folder. Should the test process
  // die first (a crash, SIGKILL), a watchdog child does both instead.
  ~PostfixInstance();
  PostfixInstance(const PostfixInstance&) = delete;
  PostfixInstance& operator=(const PostfixInstance&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int smtp_port() const { return smtp_port_; }
  const std::string& dir() const { return dir_; }

  // Submits `message` (LF or CRLF line ends) over SMTP to our smtpd, with the
  // given envelope. Returns "" when the server accepted it, else the error.
  std::string Submit(const std::string& sender, const std::string& recipient,
                     const std::string& message) const;

  // Polls `postqueue -j` until the queue is empty: every message delivered or
  // bounced (bounce notices included). False after `timeout_seconds`.
  bool WaitForEmptyQueue(int timeout_seconds = 30) const;

  std::string Log() const;          // the instance's maillog so far
  std::string Queue() const;        // `postqueue -p`
  std::string Diagnostics() const;  // queue and log, for a failure message

  // Runs argv as kPipeUser (setpriv, which execs: the pid stays the program's).
  // Whatever shares files with the pipe command (a SQLite folder) runs like this.
  static std::vector<std::string> AsPipeUser(std::vector<std::string> argv);
  // Gives `path` and everything under it to kPipeUser. False on failure.
  static bool GiveToPipeUser(const std::string& path);

 private:
  std::string WriteConfig(const std::vector<Route>& routes);
  void StartWatchdog();

  std::string dir_, conf_dir_, error_;
  int smtp_port_ = 0;
  pid_t watchdog_pid_ = -1;
  int watchdog_fd_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, closed).
int FreeLoopbackPort();
// COUNT distinct such ports (0 for any that could not be found).
std::vector<int> FreeLoopbackPorts(std::size_t count);

}  // namespace replydesk::testing
