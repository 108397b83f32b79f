// A private Postfix instance for tests: see postfix_instance.h.
// What Debian 12's Postfix 3.7 needed, found by trying:
// - `postfix -c DIR start` and `postqueue -c DIR` as root work without listing
//   DIR in the system main.cf's alternate_config_directories (that list guards
//   the set-gid programs run by other users), so /etc/postfix stays untouched.
// - mail_owner (postfix) and setgid_group (postdrop) are Debian's compiled-in
//   defaults; compatibility_level = 3.6 as in Debian's main.cf silences the
//   backwards-compatibility notices; smtputf8_enable stays at its default.
// - data_directory must not exist beforehand: `postfix start` (post-install
//   create-missing) creates it owned by mail_owner; a root-owned one stops the
//   master ("open lock file ... master.lock: Permission denied").
// - chroot off for every service (Debian's master.cf chroots smtpd etc. into the
//   queue, which would need /etc files copied in); maillog_file needs the
//   postlog service and its folder listed in maillog_file_prefixes.
// - the queue folder's parent must be world-searchable (daemons run as postfix).
#include "postfix_instance.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "process.h"

namespace replydesk::testing {
namespace {

constexpr const char* kPostfix = "/usr/sbin/postfix";
constexpr const char* kPostqueue = "/usr/sbin/postqueue";
constexpr const char* kPython = "/usr/bin/python3";  // Debian's, not one from PATH

// Sanitizer settings of the test run reach the pipe command only if the master
// imports them and pipe(8) exports them.
constexpr const char* kPassedEnvironment[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};

// Every service chroot-free ("n" in the 5th column); only what delivery needs.
constexpr const char* kMasterServices = R"(cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
lmtp      unix  - - n - - lmtp
smtp      unix  - - n - - smtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
)";

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string SanitizerEnvironment() {
  std::string names;
  for (const char* name : kPassedEnvironment) {
    if (std::getenv(name) != nullptr) names += std::string(" ") + name;
  }
  return names;
}

// What the routes add to main.cf and master.cf.
struct RouteConfig {
  std::string domains;     // relay_domains
  std::string transports;  // inline: transport map entries
  std::string limits;      // main.cf lines
  std::string pipes;       // master.cf services
  int count = 0;
};

// False when a pipe argument holds whitespace (master.cf would split it) or an smtp
// route has no port.
bool AddRoute(const PostfixInstance::Route& route, RouteConfig& config) {
  const std::string sep = config.count == 0 ? "" : ", ";
  config.domains += sep + route.domain;
  if (!route.lmtp.empty()) {
    config.transports += sep + route.domain + "=lmtp:inet:" + route.lmtp;
    ++config.count;
    return true;
  }
  if (!route.smtp.empty()) {
    const size_t colon = route.smtp.rfind(':');
    if (colon == std::string::npos) return false;
    config.transports += sep + route.domain + "=smtp:[" + route.smtp.substr(0, colon) + "]" +
                         route.smtp.substr(colon);
    ++config.count;
    return true;
  }
  const std::string service = "pipe" + std::to_string(config.count++);
  config.transports += sep + route.domain + "=" + service + ":";
  config.limits += service + "_destination_recipient_limit = 1\n";  // one ${recipient} per run
  config.pipes += service + " unix - n n - - pipe flags=" + route.pipe_flags +
                  " user=" + PostfixInstance::kPipeUser + ":" + PostfixInstance::kPipeGroup +
                  "\n  argv=";
  for (const std::string& arg : route.pipe_argv) {
    if (arg.find_first_of(" \t\n") != std::string::npos) return false;
    config.pipes += arg + " ";
  }
  config.pipes += "\n";
  return true;
}

std::string MainCf(const std::string& dir, const RouteConfig& config) {
  std::ostringstream cf;
  cf << "compatibility_level = 3.6\n"
     << "queue_directory = " << dir << "/queue\ndata_directory = " << dir << "/data\n"
     << "myhostname = mx.postfix-test.invalid\nmydomain = postfix-test.invalid\n"
     << "myorigin = $myhostname\nmydestination =\n"
     << "inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\nmynetworks = 127.0.0.0/8\n"
     << "relay_domains = " << config.domains << "\n"
     << "transport_maps = inline:{ " << config.transports << " }\n"
     << "smtpd_relay_restrictions = reject_unauth_destination\n"
     // Anything else, bounce notices to the test senders included, goes nowhere.
     << "default_transport = error:outbound mail is disabled in tests\n"
     << "relay_transport = error:outbound mail is disabled in tests\n"
     << "alias_maps =\nalias_database =\nbiff = no\nsmtpd_banner = $myhostname ESMTP\n"
     << "maillog_file = " << dir << "/maillog\nmaillog_file_prefixes = " << dir
     << "\n"
     // A deferred message is retried within seconds, not Postfix's 5 minutes.
     << "queue_run_delay = 1s\nminimal_backoff_time = 1s\nmaximal_backoff_time = 2s\n"
     << config.limits;
  if (std::string names = SanitizerEnvironment(); !names.empty()) {
    // Postfix 3.7's defaults plus the names.
    cf << "import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ XAUTHORITY DISPLAY LANG=C"
          " POSTLOG_SERVICE POSTLOG_HOSTNAME"
       << names << "\nexport_environment = TZ MAIL_CONFIG LANG" << names << "\n";
  }
  return cf.str();
}

}  // namespace

std::vector<int> FreeLoopbackPorts(std::size_t count) {
  // All sockets stay bound until every port is known: a port closed at once
  // may be handed out again by the next bind to port 0.
  std::vector<int> fds, ports;
  for (std::size_t i = 0; i < count; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    fds.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      break;
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) close(fd);
  ports.resize(count, 0);
  return ports;
}

int FreeLoopbackPort() { return FreeLoopbackPorts(1)[0]; }

std::string PostfixInstance::SkipReason() {
  if (access(kPostfix, X_OK) != 0) return "Postfix is not installed (no /usr/sbin/postfix)";
  if (geteuid() != 0) return "a private Postfix instance needs root (its master runs as root)";
  if (getpwnam(kPipeUser) == nullptr) return std::string("no user ") + kPipeUser;
  return "";
}

PostfixInstance::PostfixInstance(const std::vector<Route>& routes) {
  char tmpl[] = "/tmp/replydesk-postfix-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  conf_dir_ = dir_ + "/conf";
  chmod(dir_.c_str(), 0755);  // Postfix daemons (user postfix) reach the queue through it
  StartWatchdog();
  error_ = WriteConfig(routes);
  if (!error_.empty()) return;
  ProcessResult r = RunProcess({kPostfix, "-c", conf_dir_, "start"}, "", {}, 60);
  if (!r.Exited(0)) error_ = "postfix start failed: " + r.out + r.err;
}

PostfixInstance::~PostfixInstance() {
  if (!dir_.empty()) RunProcess({kPostfix, "-c", conf_dir_, "stop"}, "", {}, 30);
  if (watchdog_fd_ >= 0) {
    // Tell the watchdog we cleaned up ourselves; it exits without acting.
    if (write(watchdog_fd_, "done\n", 5) != 5) {
      // It will see EOF instead, and stop an already stopped instance: harmless.
    }
    close(watchdog_fd_);
    int status = 0;
    waitpid(watchdog_pid_, &status, 0);
  }
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string PostfixInstance::WriteConfig(const std::vector<Route>& routes) {
  smtp_port_ = FreeLoopbackPort();
  if (smtp_port_ == 0) return "no free port on 127.0.0.1";
  RouteConfig config;
  for (const Route& route : routes) {
    if (!AddRoute(route, config)) return "bad smtp route or pipe argument for " + route.domain;
  }
  std::ostringstream master_cf;
  master_cf << "127.0.0.1:" << smtp_port_ << " inet n - n - - smtpd\n"
            << kMasterServices << config.pipes;
  std::filesystem::create_directories(conf_dir_);
  std::filesystem::create_directories(dir_ + "/queue");
  if (!WriteFile(conf_dir_ + "/main.cf", MainCf(dir_, config)) ||
      !WriteFile(conf_dir_ + "/master.cf", master_cf.str())) {
    return "cannot write " + conf_dir_;
  }
  return "";
}

void PostfixInstance::StartWatchdog() {
  // Should this process die before its destructor runs, the child sees EOF on
  // the pipe and stops the instance, so no master keeps running on its own.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    setsid();  // outlives a signal sent to the test's process group
    dup2(fds[0], 0);
    int devnull = open("/dev/null", O_WRONLY);  // not ctest's output pipe
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl("/bin/sh", "sh", "-c",
          "read line; [ \"$line\" = done ] && exit 0; /usr/sbin/postfix -c \"$1/conf\" stop;"
          " rm -rf \"$1\"",
          "postfix-watchdog", dir_.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  if (pid < 0) {
    close(fds[1]);
    return;
  }
  watchdog_pid_ = pid;
  watchdog_fd_ = fds[1];
}

std::string PostfixInstance::Submit(const std::string& sender, const std::string& recipient,
                                    const std::string& message) const {
  // smtplib turns bare LF into CRLF and dot-stuffs.
  static constexpr const char* kScript =
      "import smtplib, sys\n"
      "with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:\n"
      "    s.sendmail(sys.argv[2], [sys.argv[3]], sys.stdin.buffer.read())\n";
  ProcessResult r = RunProcess(
      {kPython, "-c", kScript, std::to_string(smtp_port_), sender, recipient}, message, {}, 60);
  if (r.Exited(0)) return "";
  return "SMTP submission failed (exit " + std::to_string(r.exit_code) + "): " + r.err;
}

bool PostfixInstance::WaitForEmptyQueue(int timeout_seconds) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    // One JSON line per queued message; none at all when the queue is empty.
    ProcessResult r = RunProcess({kPostqueue, "-c", conf_dir_, "-j"}, "", {}, 30);
    if (r.Exited(0) && r.out.empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

std::string PostfixInstance::Log() const { return ReadFile(dir_ + "/maillog"); }

std::string PostfixInstance::Queue() const {
  ProcessResult r = RunProcess({kPostqueue, "-c", conf_dir_, "-p"}, "", {}, 30);
  return r.out + r.err;
}

std::string PostfixInstance::Diagnostics() const {
  return "--- postqueue -p\n" + Queue() + "--- " + dir_ + "/maillog\n" + Log();
}

std::vector<std::string> PostfixInstance::AsPipeUser(std::vector<std::string> argv) {
  std::vector<std::string> out = {"/usr/bin/setpriv", std::string("--reuid=") + kPipeUser,
                                  std::string("--regid=") + kPipeGroup, "--clear-groups"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

bool PostfixInstance::GiveToPipeUser(const std::string& path) {
  const passwd* pw = getpwnam(kPipeUser);
  const group* gr = getgrnam(kPipeGroup);
  if (pw == nullptr || gr == nullptr) return false;
  const uid_t uid = pw->pw_uid;
  const gid_t gid = gr->gr_gid;
  if (lchown(path.c_str(), uid, gid) != 0) return false;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (lchown(it->path().c_str(), uid, gid) != 0) return false;
  }
  return !ec;
}

}  // namespace replydesk::testing
