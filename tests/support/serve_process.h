// Talking to a running `replydesk serve` from tests: its LMTP port from the
// start-up line, and delivery of one message over LMTP (RFC 2033) with
// Python's smtplib as an independent client.
#pragma once

#include <string>
#include <vector>

#include "process.h"

namespace replydesk::testing {

// The port from "replydesk serve: LMTP on 127.0.0.1:PORT, ..." ("" on timeout).
std::string ServePort(BackgroundProcess& serve);

// Exit 0 when every recipient got 250, 1 otherwise (refused, connection lost).
ProcessResult LmtpSend(const std::string& port, const std::string& raw,
                       const std::vector<std::string>& recipients = {"support@ours.example"},
                       const std::string& sender = "sender@example.com");

}  // namespace replydesk::testing
