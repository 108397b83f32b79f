// A private, throwaway Dovecot instance for integration tests: its own config,
// passwd-file users with plain passwords and Maildirs under one temp folder;
// IMAP and POP3 (plain + STARTTLS) and IMAPS/POP3S listeners on 127.0.0.1
// free ports, with a self-signed certificate made by the openssl CLI (the
// certificate is its own CA: trust ca_file()). The system Dovecot in
// /etc/dovecot is neither read nor changed, and need not be running.
// Works as root (mail is owned by `nobody`) and as an ordinary user.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace replydesk::testing {

class DovecotInstance {
 public:
  struct User {
    std::string name;
    std::string password;
  };

  // Empty when a private instance can run here; otherwise why not (for GTEST_SKIP).
  static std::string SkipReason();

  // Writes the configuration and starts `dovecot -F`; waits until the ports
  // answer. ok() is false with error() when it could not start; Log() may say why.
  explicit DovecotInstance(std::vector<User> users = {{"alice", "alice-secret"}});
  // Stops the server, then removes the temp folder.
  ~DovecotInstance();
  DovecotInstance(const DovecotInstance&) = delete;
  DovecotInstance& operator=(const DovecotInstance&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }
  const std::string& ca_file() const { return ca_file_; }  // PEM to trust for TLS
  int imap_port() const { return imap_port_; }             // plaintext, STARTTLS offered
  int imaps_port() const { return imaps_port_; }           // implicit TLS
  int pop3_port() const { return pop3_port_; }             // plaintext, STLS offered
  int pop3s_port() const { return pop3s_port_; }           // implicit TLS

  // Stops the server (ports refuse connections) and starts it again on the
  // same ports with the same mail. Empty string on success, else the error.
  std::string Stop();
  std::string Start();

  // Appends one message (bytes as given; use CRLF line ends to compare with
  // what IMAP/POP3 return) to `folder` with `doveadm save`; "" on success.
  std::string DeliverMessage(const std::string& user, const std::string& folder,
                             const std::string& message);
  // Bulk variant for benchmarks: writes files straight into the folder's
  // Maildir new/ (UIDs are assigned at the next access). "" on success.
  std::string DeliverMessages(const std::string& user, const std::string& folder,
                              const std::vector<std::string>& messages);
  // Creates a folder (UTF-8 name, "/" separates levels); "" on success.
  std::string CreateFolder(const std::string& user, const std::string& folder);
  // Messages in the folder, -1 when it cannot be read (missing folder).
  int CountMessages(const std::string& user, const std::string& folder);
  // The folder's UIDVALIDITY, 0 on error.
  uint32_t UidValidity(const std::string& user, const std::string& folder);
  // Gives the folder a new UIDVALIDITY (as after a server rebuild); returns
  // it, 0 on error.
  uint32_t ResetUidValidity(const std::string& user, const std::string& folder);
  // UID -> flags as Dovecot lists them ("\Seen \Deleted"; \Recent left out).
  std::map<uint32_t, std::string> ListFlags(const std::string& user, const std::string& folder);

  // Runs `doveadm -c CONF args...`.
  ProcessResult Doveadm(const std::vector<std::string>& args, const std::string& input = "") const;
  std::string Log() const;  // the instance's log so far

 private:
  std::string WriteConfig(const std::vector<User>& users);
  std::string MakeCertificate();
  bool WaitForPorts(int timeout_seconds) const;

  std::string dir_, conf_, ca_file_, error_;
  int imap_port_ = 0, imaps_port_ = 0, pop3_port_ = 0, pop3s_port_ = 0;
  int mail_uid_ = -1, mail_gid_ = -1;
  std::unique_ptr<BackgroundProcess> server_;
};

}  // namespace replydesk::testing
