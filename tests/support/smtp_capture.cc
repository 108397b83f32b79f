// The capturing SMTP server for tests: see smtp_capture.h (the protocol side lives in
// smtp_capture.py, next to this file; REPLYDESK_TEST_SUPPORT_DIR says where).
#include "smtp_capture.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace replydesk::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, which has aiosmtpd
constexpr const char* kOpenssl = "/usr/bin/openssl";

std::string Script() { return std::string(REPLYDESK_TEST_SUPPORT_DIR) + "/smtp_capture.py"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// NAME.env: "from X", "rcpt X"..., "tls yes|no", "auth USER" (see smtp_capture.py).
ReceivedMessage ReadMessage(const std::filesystem::path& env) {
  ReceivedMessage m;
  std::istringstream lines(ReadFile(env.string()));
  for (std::string line; std::getline(lines, line);) {
    const std::string key = line.substr(0, line.find(' '));
    const std::string value = line.size() > key.size() ? line.substr(key.size() + 1) : "";
    if (key == "from") m.envelope_from = value;
    if (key == "rcpt") m.recipients.push_back(value);
    if (key == "tls") m.tls = value == "yes";
    if (key == "auth") m.auth_user = value;
  }
  std::filesystem::path eml = env;
  m.data = ReadFile(eml.replace_extension(".eml").string());
  return m;
}

}  // namespace

std::string SmtpCapture::SkipReason() {
  static const std::string reason = [] {
    if (access(kPython, X_OK) != 0) return std::string("no /usr/bin/python3");
    if (access(kOpenssl, X_OK) != 0) return std::string("no /usr/bin/openssl");
    if (!RunProcess({kPython, "-c", "import aiosmtpd"}, "", {}, 30).Exited(0)) {
      return std::string("python3-aiosmtpd is not installed");
    }
    return std::string();
  }();
  return reason;
}

SmtpCapture::SmtpCapture(SmtpCaptureOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/replydesk-smtp-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  if (options_.starttls) error_ = MakeCertificate();
  if (error_.empty()) Start();
}

SmtpCapture::~SmtpCapture() {
  Kill();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string SmtpCapture::MakeCertificate() {
  // EC keys are made in milliseconds; the names cover both ways a test connects.
  cert_file_ = dir_ + "/cert.pem";
  key_file_ = dir_ + "/key.pem";
  ProcessResult r = RunProcess(
      {kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", key_file_, "-out", cert_file_, "-days", "2", "-subj", "/CN=localhost",
       "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"},
      "", {}, 30);
  return r.Exited(0) ? "" : "openssl req failed: " + r.err;
}

bool SmtpCapture::Start() {
  Kill();
  std::vector<std::string> argv = {kPython, Script(), "--dir",
                                   dir_,    "--port", std::to_string(port_)};
  if (options_.starttls) {
    argv.insert(argv.end(), {"--tls-cert", cert_file_, "--tls-key", key_file_});
    if (options_.require_tls) argv.push_back("--require-tls");
  }
  if (!options_.user.empty()) {
    argv.insert(argv.end(), {"--user", options_.user, "--password", options_.password});
    if (options_.require_auth) argv.push_back("--require-auth");
  }
  process_ = std::make_unique<BackgroundProcess>(argv);
  const std::string line = process_->WaitForLine("listening on ", 20);
  if (line.empty()) {
    error_ = "smtp_capture.py did not start listening (see its stderr above)";
    Kill();
    return false;
  }
  port_ = std::stoi(line.substr(line.rfind(' ') + 1));
  error_.clear();
  return true;
}

void SmtpCapture::Kill() {
  if (process_ && process_->Running()) process_->Kill(SIGKILL);
  process_.reset();
}

bool SmtpCapture::Running() { return process_ && process_->Running(); }

std::vector<ReceivedMessage> SmtpCapture::Messages() const {
  std::vector<std::filesystem::path> envs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() == ".env") envs.push_back(entry.path());
  }
  std::sort(envs.begin(), envs.end());  // names start with the arrival time in ns
  std::vector<ReceivedMessage> out;
  for (const auto& env : envs) out.push_back(ReadMessage(env));
  return out;
}

std::vector<ReceivedMessage> SmtpCapture::WaitForMessages(size_t count, int timeout_seconds) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    std::vector<ReceivedMessage> messages = Messages();
    if (messages.size() >= count || std::chrono::steady_clock::now() >= deadline) {
      return messages;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace replydesk::testing
