// `replydesk ingest`'s accept: see ingest_core.h.
#include "app/ingest_core.h"

#include <iostream>

#include "util/clock.h"

namespace replydesk::app {

util::Result<services::AcceptResult> IngestStdin(store::Store& store,
                                                 const services::IngestSettings& settings,
                                                 const IngestEnvelope& envelope) {
  RD_ASSIGN_OR_RETURN(std::string raw, ReadMessage(0, settings.max_message_bytes));
  services::AcceptRequest req{std::move(raw), "pipe", envelope.sender,
                              envelope.RoutingRecipients()};
  services::InboundService inbound(store, util::SystemClock::Instance(), settings);
  return inbound.Accept(req);
}

void PrintError(const util::Error& e) { std::cerr << "replydesk: " << e.ToString() << "\n"; }

}  // namespace replydesk::app
