// A private Dovecot instance for tests: see dovecot_instance.h.
// What Debian 12's Dovecot 2.3.19 needed, found by trying:
// - passwd-file refuses UID 0 ("User alice has invalid UID '0'"), so as root the
//   mail belongs to `nobody` (and the temp folder is world-searchable); as an
//   ordinary user it belongs to that user.
// - `dovecot -F -c CONF` with log_path set writes nothing to stdout. `doveadm
//   stop` takes 3 s and SIGTERM 1 s; after SIGKILL to the master its children
//   exit by themselves at once.
// - `doveadm save` appends with the UID assigned at once; `doveadm mailbox
//   update --uid-validity N` changes UIDVALIDITY in place.
// - Dovecot runs pipelined IMAP commands concurrently: tagged replies may come
//   back out of order (a client must match them by tag).
#include "dovecot_instance.h"

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "postfix_instance.h"  // FreeLoopbackPorts

namespace replydesk::testing {
namespace {

constexpr const char* kDovecot = "/usr/sbin/dovecot";
constexpr const char* kDoveadm = "/usr/bin/doveadm";
constexpr const char* kOpenssl = "/usr/bin/openssl";
constexpr const char* kImapBinary = "/usr/lib/dovecot/imap";
constexpr const char* kPop3Binary = "/usr/lib/dovecot/pop3";

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

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// "INBOX messages=1 uidnext=2 uidvalidity=777" -> the value of `key`.
std::string StatusField(const std::string& out, const std::string& key) {
  size_t pos = out.find(" " + key + "=");
  if (pos == std::string::npos) return "";
  pos += key.size() + 2;
  size_t end = out.find_first_of(" \n", pos);
  return out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

std::string Listener(const std::string& name, int port, bool ssl) {
  return "  inet_listener " + name +
         " {\n    address = 127.0.0.1\n    port = " + std::to_string(port) + "\n" +
         (ssl ? "    ssl = yes\n" : "") + "  }\n";
}

}  // namespace

std::string DovecotInstance::SkipReason() {
  for (const char* path : {kDovecot, kDoveadm, kImapBinary, kPop3Binary, kOpenssl}) {
    if (access(path, X_OK) != 0) {
      return std::string("Dovecot test instance needs ") + path +
             " (dovecot-core, dovecot-imapd, dovecot-pop3d, openssl)";
    }
  }
  if (geteuid() == 0) {
    for (const char* user : {"nobody", "dovecot", "dovenull"}) {
      if (getpwnam(user) == nullptr) return std::string("no user ") + user;
    }
  }
  return "";
}

DovecotInstance::DovecotInstance(std::vector<User> users) {
  char tmpl[] = "/tmp/replydesk-dovecot-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  conf_ = dir_ + "/dovecot.conf";
  chmod(dir_.c_str(), 0755);  // mail processes run as the mail user
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("nobody");
    mail_uid_ = static_cast<int>(pw->pw_uid);
    mail_gid_ = static_cast<int>(pw->pw_gid);
  } else {
    mail_uid_ = static_cast<int>(getuid());
    mail_gid_ = static_cast<int>(getgid());
  }
  error_ = MakeCertificate();
  // A port found free may be taken by a parallel test before Dovecot binds
  // it; fresh ports and another try then.
  for (int attempt = 0; attempt < 3 && error_.empty(); ++attempt) {
    const std::vector<int> ports = FreeLoopbackPorts(4);
    imap_port_ = ports[0];
    imaps_port_ = ports[1];
    pop3_port_ = ports[2];
    pop3s_port_ = ports[3];
    error_ = WriteConfig(users);
    if (!error_.empty()) break;
    error_ = Start();
    if (error_.empty()) break;
    if (attempt < 2) error_.clear();
  }
}

DovecotInstance::~DovecotInstance() {
  if (server_) Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string DovecotInstance::MakeCertificate() {
  ca_file_ = dir_ + "/cert.pem";
  ProcessResult r = RunProcess(
      {kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", dir_ + "/key.pem", "-out", ca_file_, "-days", "3", "-subj",
       "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"},
      "", {}, 30);
  if (!r.Exited(0)) return "openssl req failed: " + r.err;
  return "";
}

std::string DovecotInstance::WriteConfig(const std::vector<User>& users) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const char* sub : {"run", "state", "mail", "home"})
    fs::create_directories(dir_ + "/" + sub, ec);
  std::string passwd_file;
  for (const User& user : users) {
    std::string home = dir_ + "/home/" + user.name;
    fs::create_directories(home, ec);
    if (chown(home.c_str(), mail_uid_, mail_gid_) != 0) return "chown " + home + " failed";
    passwd_file += user.name + ":{PLAIN}" + user.password + ":" + std::to_string(mail_uid_) + ":" +
                   std::to_string(mail_gid_) + "::" + home + "::\n";
  }
  const std::string mail = dir_ + "/mail";
  if (chown(mail.c_str(), mail_uid_, mail_gid_) != 0) return "chown " + mail + " failed";
  if (!WriteFile(dir_ + "/passwd", passwd_file)) return "cannot write passwd";

  std::string service_user;
  if (geteuid() == 0) {
    service_user = "default_internal_user = dovecot\ndefault_login_user = dovenull\n";
  } else {
    const passwd* pw = getpwuid(getuid());
    std::string me = pw != nullptr ? pw->pw_name : "nobody";
    const group* gr = getgrgid(getgid());
    std::string my_group = gr != nullptr ? gr->gr_name : "nogroup";
    // Without the group, services' sockets are chowned to group "dovecot": EPERM.
    service_user = "default_internal_user = " + me + "\ndefault_login_user = " + me +
                   "\ndefault_internal_group = " + my_group + "\n";
  }
  std::ostringstream cf;
  cf << "base_dir = " << dir_ << "/run\nstate_dir = " << dir_ << "/state\n"
     << "log_path = " << dir_ << "/dovecot.log\n"
     << "protocols = imap pop3\nlisten = 127.0.0.1\n"
     << service_user << "first_valid_uid = 1\nfirst_valid_gid = 1\n"
     << "disable_plaintext_auth = no\nauth_mechanisms = plain login\n"
     << "ssl = yes\nssl_cert = <" << ca_file_ << "\nssl_key = <" << dir_ << "/key.pem\n"
     << "mail_location = maildir:" << mail << "/%u\n"
     << "namespace inbox {\n  inbox = yes\n  separator = /\n}\n"
     << "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u " << dir_
     << "/passwd\n}\n"
     << "userdb {\n  driver = passwd-file\n  args = username_format=%u " << dir_
     << "/passwd\n}\n"
     // No chroot: an ordinary user may not, and it buys a test nothing.
     << "service anvil {\n  chroot =\n}\n"
     << "service imap-login {\n  chroot =\n"
     << Listener("imap", imap_port_, false) << Listener("imaps", imaps_port_, true) << "}\n"
     << "service pop3-login {\n  chroot =\n"
     << Listener("pop3", pop3_port_, false) << Listener("pop3s", pop3s_port_, true) << "}\n"
     << "pop3_uidl_format = %08Xu%08Xv\n";
  if (!WriteFile(conf_, cf.str())) return "cannot write dovecot.conf";
  return "";
}

bool DovecotInstance::WaitForPorts(int timeout_seconds) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (server_ && !server_->Running()) return false;  // refused its configuration
    if (CanConnect(imap_port_) && CanConnect(imaps_port_) && CanConnect(pop3_port_) &&
        CanConnect(pop3s_port_)) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string DovecotInstance::Start() {
  if (server_) return "already running";
  // Sockets left by a killed master make the next one refuse to start, and
  // its dotlock on state/instances (killed while writing it) stalls the next
  // one for 10 s.
  std::error_code ec;
  std::filesystem::remove_all(dir_ + "/run", ec);
  std::filesystem::create_directories(dir_ + "/run", ec);
  std::filesystem::remove(dir_ + "/state/instances.lock", ec);
  server_ =
      std::make_unique<BackgroundProcess>(std::vector<std::string>{kDovecot, "-F", "-c", conf_});
  if (!WaitForPorts(20)) {
    server_.reset();
    return "dovecot did not open its ports: " + Log();
  }
  return "";
}

std::string DovecotInstance::Stop() {
  if (!server_) return "";
  // SIGKILL, not `doveadm stop` (3 s) or SIGTERM (1 s): the master's children
  // see it gone and exit; every IMAP/POP3 command already finished is on disk.
  server_->Kill(SIGKILL);
  server_.reset();
  for (int i = 0; i < 250; ++i) {
    if (!CanConnect(imap_port_) && !CanConnect(imaps_port_) && !CanConnect(pop3_port_) &&
        !CanConnect(pop3s_port_)) {
      return "";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "dovecot's ports still answer after it was killed";
}

ProcessResult DovecotInstance::Doveadm(const std::vector<std::string>& args,
                                       const std::string& input) const {
  std::vector<std::string> argv = {kDoveadm, "-c", conf_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, input, {}, 60);
}

std::string DovecotInstance::DeliverMessage(const std::string& user, const std::string& folder,
                                            const std::string& message) {
  ProcessResult r = Doveadm({"save", "-u", user, "-m", folder}, message);
  return r.Exited(0) ? "" : "doveadm save failed: " + r.out + r.err;
}

std::string DovecotInstance::DeliverMessages(const std::string& user, const std::string& folder,
                                             const std::vector<std::string>& messages) {
  // Dovecot makes the Maildir (INBOX included) on first access, owned by the
  // mail user: one written by us would be root's and unwritable for it.
  if (CountMessages(user, folder) < 0) {
    if (std::string e = CreateFolder(user, folder); !e.empty()) return e;
  }
  ProcessResult r = Doveadm({"mailbox", "path", "-u", user, folder});
  if (!r.Exited(0)) return "doveadm mailbox path failed: " + r.err;
  const std::string new_dir = Trim(r.out) + "/new";
  if (!std::filesystem::is_directory(new_dir)) return "no Maildir at " + new_dir;
  static int batch = 0;
  ++batch;
  for (size_t i = 0; i < messages.size(); ++i) {
    char name[128];
    snprintf(name, sizeof name, "/%lld.B%dP%dQ%zu.replydesk-test",
             static_cast<long long>(time(nullptr)), batch, static_cast<int>(getpid()), i);
    const std::string path = new_dir + name;
    if (!WriteFile(path, messages[i])) return "cannot write " + path;
    if (chown(path.c_str(), mail_uid_, mail_gid_) != 0) return "chown " + path + " failed";
  }
  return "";
}

std::string DovecotInstance::CreateFolder(const std::string& user, const std::string& folder) {
  ProcessResult r = Doveadm({"mailbox", "create", "-u", user, folder});
  return r.Exited(0) ? "" : "doveadm mailbox create failed: " + r.out + r.err;
}

int DovecotInstance::CountMessages(const std::string& user, const std::string& folder) {
  ProcessResult r = Doveadm({"mailbox", "status", "-u", user, "messages", folder});
  if (!r.Exited(0)) return -1;
  std::string value = StatusField(r.out, "messages");
  return value.empty() ? -1 : std::stoi(value);
}

uint32_t DovecotInstance::UidValidity(const std::string& user, const std::string& folder) {
  ProcessResult r = Doveadm({"mailbox", "status", "-u", user, "uidvalidity", folder});
  if (!r.Exited(0)) return 0;
  std::string value = StatusField(r.out, "uidvalidity");
  return value.empty() ? 0 : static_cast<uint32_t>(std::stoul(value));
}

uint32_t DovecotInstance::ResetUidValidity(const std::string& user, const std::string& folder) {
  uint32_t next = UidValidity(user, folder) + 1;
  if (next <= 1) return 0;
  ProcessResult r =
      Doveadm({"mailbox", "update", "-u", user, "--uid-validity", std::to_string(next), folder});
  return r.Exited(0) && UidValidity(user, folder) == next ? next : 0;
}

std::map<uint32_t, std::string> DovecotInstance::ListFlags(const std::string& user,
                                                           const std::string& folder) {
  std::map<uint32_t, std::string> flags;
  ProcessResult r =
      Doveadm({"-f", "tab", "fetch", "-u", user, "uid flags", "mailbox", folder, "all"});
  if (!r.Exited(0)) return flags;
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);  // header: "uid\tflags"
  while (std::getline(lines, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string list;
    std::istringstream words(line.substr(tab + 1));
    for (std::string word; words >> word;) {
      if (word == "\\Recent") continue;
      list += (list.empty() ? "" : " ") + word;
    }
    flags[static_cast<uint32_t>(std::stoul(line.substr(0, tab)))] = list;
  }
  return flags;
}

std::string DovecotInstance::Log() const { return ReadFile(dir_ + "/dovecot.log"); }

}  // namespace replydesk::testing
