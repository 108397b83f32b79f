// Settings of the inbound pipeline in one struct, with their defaults. The
// configuration registry (docs/configuration.md) documents each key.
#pragma once

#include <cstddef>
#include <string>

#include "mail/mime_parser.h"

namespace replydesk::services {

struct IngestSettings {
  // Larger messages are refused at the door (LMTP 552, ingest exit 65).
  size_t max_message_bytes = 50u << 20;
  // Subject tag prefix: "[#T-104233]".
  std::string ticket_tag_prefix = "T-";
  // Threading fallback: same customer and subject joins a ticket updated this recently.
  int fallback_window_days = 14;
  // Processing job: lease while a worker holds it, retries with backoff, then parked.
  int job_lease_seconds = 300;
  int max_attempts = 5;
  int retry_base_seconds = 30;
  mail::ParseLimits parse_limits;
};

}  // namespace replydesk::services
