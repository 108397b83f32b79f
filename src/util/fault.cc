// Fault points: see fault.h.
#include "util/fault.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace replydesk::util {
namespace {

struct FaultConfig {
  std::string name;
  long nth = 1;
};

const FaultConfig* Config() {
  static const FaultConfig* config = []() -> const FaultConfig* {
    const char* env = std::getenv("REPLYDESK_FAULT");
    if (env == nullptr || *env == '\0') return nullptr;
    auto* c = new FaultConfig;
    std::string spec = env;
    auto at = spec.find('@');
    c->name = spec.substr(0, at);
    if (at != std::string::npos)
      c->nth = std::max(1L, std::strtol(spec.c_str() + at + 1, nullptr, 10));
    return c;
  }();
  return config;
}

}  // namespace

void FaultPoint(const char* name) {
  const FaultConfig* c = Config();
  if (c == nullptr || c->name != name) return;
  static std::atomic<long> hits{0};
  if (++hits < c->nth) return;
  const char msg[] = "replydesk: fault point reached, SIGKILL\n";
  [[maybe_unused]] auto n = write(2, msg, sizeof msg - 1);
  kill(getpid(), SIGKILL);
}

}  // namespace replydesk::util
