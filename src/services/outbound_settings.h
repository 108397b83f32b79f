// Settings of outgoing mail in one struct, with their defaults (documented in
// docs/configuration.md with the CLI options that set them).
#pragma once

#include <string>

namespace replydesk::services {

struct OutboundSettings {
  // Domain of our Message-IDs; "" = the domain of the sending channel's address.
  std::string message_id_domain;
  // Temporary failures (4xx, server down) are retried with exponential backoff
  // from retry_base_seconds, capped at retry_max_seconds, max_attempts times in
  // all (the defaults give up after about a day); then the article shows "failed".
  int max_attempts = 30;
  int retry_base_seconds = 30;
  int retry_max_seconds = 3600;
  // Lease of a send job while a worker holds it: longer than one SMTP session.
  int job_lease_seconds = 300;
  // Automatic replies (acknowledgements) per recipient per hour; more are skipped.
  int auto_replies_per_hour = 3;
  // DKIM signing when all three are set (mail::DkimSigner).
  std::string dkim_selector;
  std::string dkim_domain;
  std::string dkim_private_key_pem;
};

}  // namespace replydesk::services
