// What `replydesk ingest` does with the message on stdin, shared by the lean
// launcher (lean_main.cc, the fast path while `serve` runs on the same SQLite
// database) and the full binary (cmd_ingest.cc): one accept path, one mapping
// of its errors onto sysexits(3) codes for the MTA.
#pragma once

#include <string>
#include <vector>

#include "services/inbound_service.h"
#include "store/store.h"
#include "util/result.h"

namespace replydesk::app {

constexpr int kExOk = 0;
constexpr int kExDataErr = 65;   // over the size limit: the MTA bounces
constexpr int kExSoftware = 70;  // broken installation (the full binary is missing)
constexpr int kExTempFail = 75;  // the store cannot take it now: the MTA retries

struct IngestEnvelope {
  std::string channel;  // --channel: receiving address, tried first
  std::string sender;   // --sender: envelope sender
  std::vector<std::string> recipients;
};

// Reads the message from stdin (at most settings.max_message_bytes) and
// accepts it into `store`. After ok the message is durable and queued.
// Errors: kResourceExhausted "inbound.too_large", or the store's.
util::Result<services::AcceptResult> IngestStdin(store::Store& store,
                                                 const services::IngestSettings& settings,
                                                 const IngestEnvelope& envelope);

// sysexits code for an ingest error (65 for a message too large, else 75).
int IngestExitCode(const util::Error& e);

// Prints "replydesk: <error>" to stderr.
void PrintError(const util::Error& e);

}  // namespace replydesk::app
