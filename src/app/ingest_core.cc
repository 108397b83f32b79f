// `replydesk ingest`'s accept: see ingest_core.h.
#include "app/ingest_core.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "util/clock.h"

namespace replydesk::app {
namespace {

util::Result<std::string> ReadStdin(size_t limit) {
  std::string data;
  char buf[1 << 16];
  while (true) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return util::MakeError(util::ErrorCode::kUnavailable, "ingest.read", strerror(errno));
    }
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > limit) {
      return util::MakeError(util::ErrorCode::kResourceExhausted, "inbound.too_large",
                             "message over " + std::to_string(limit) + " bytes");
    }
  }
  return data;
}

}  // namespace

util::Result<services::AcceptResult> IngestStdin(store::Store& store,
                                                 const services::IngestSettings& settings,
                                                 const IngestEnvelope& envelope) {
  RD_ASSIGN_OR_RETURN(std::string raw, ReadStdin(settings.max_message_bytes));
  services::AcceptRequest req{std::move(raw), "pipe", envelope.sender, envelope.recipients};
  if (!envelope.channel.empty()) req.recipients.insert(req.recipients.begin(), envelope.channel);
  services::InboundService inbound(store, util::SystemClock::Instance(), settings);
  return inbound.Accept(req);
}

int IngestExitCode(const util::Error& e) {
  return e.detail == "inbound.too_large" ? kExDataErr : kExTempFail;
}

void PrintError(const util::Error& e) { std::cerr << "replydesk: " << e.ToString() << "\n"; }

}  // namespace replydesk::app
