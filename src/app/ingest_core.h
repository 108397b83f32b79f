// What the full binary's `replydesk ingest` (cmd_ingest.cc) and serve's
// hand-off (cmd_serve.cc) share: the accept of a message from an MTA pipe and
// one mapping of its errors onto sysexits(3) codes for the MTA.
#pragma once

#include "app/handoff.h"
#include "services/inbound_service.h"
#include "store/store.h"
#include "util/result.h"

namespace replydesk::app {

// Reads the message from stdin (at most settings.max_message_bytes) and
// accepts it into `store`. After ok the message is durable and queued.
// Errors: kResourceExhausted "inbound.too_large", or the store's.
util::Result<services::AcceptResult> IngestStdin(store::Store& store,
                                                 const services::IngestSettings& settings,
                                                 const IngestEnvelope& envelope);

// Prints "replydesk: <error>" to stderr.
void PrintError(const util::Error& e);

}  // namespace replydesk::app
