// Talking to a running `replydesk serve` from tests: see serve_process.h.
#include "serve_process.h"

namespace replydesk::testing {

std::string ServePort(BackgroundProcess& serve) {
  std::string line = serve.WaitForLine("LMTP on 127.0.0.1:");
  auto colon = line.find("127.0.0.1:");
  if (colon == std::string::npos) return "";
  return line.substr(colon + 10, line.find(',', colon) - colon - 10);
}

ProcessResult LmtpSend(const std::string& port, const std::string& raw,
                       const std::vector<std::string>& recipients, const std::string& sender) {
  std::string rcpts;
  for (const auto& r : recipients) rcpts += (rcpts.empty() ? "'" : ", '") + r + "'";
  const std::string script =
      "import smtplib, sys\n"
      "data = sys.stdin.buffer.read()\n"
      "try:\n"
      "    c = smtplib.LMTP('127.0.0.1', " +
      port +
      ", timeout=20)\n"
      "    refused = c.sendmail('" +
      sender + "', [" + rcpts +
      "], data)\n"
      "    c.quit()\n"
      "    sys.exit(1 if refused else 0)\n"
      "except Exception as e:\n"
      "    print(repr(e)); sys.exit(1)\n";
  return RunProcess({"/usr/bin/python3", "-c", script}, raw);
}

}  // namespace replydesk::testing
