// The ingest hand-off: while a `serve` runs on the database, `replydesk
// ingest` (the launcher, lean_main.cc) passes the message to it over an
// abstract Unix stream socket (unix(7)) and serve accepts it with its open
// store and wakes its workers, instead of the full binary loading ~60 shared
// libraries and opening the database for one message. SQLite and PostgreSQL.
//
// One request per connection:
//   "ingest 1\n" ["sender " S "\n"] {"recipient " R "\n"} "size " N "\n" "\n"
//   then N bytes of message;
// one reply line: CODE " " TEXT "\n". CODE is what the ingest exits with
// (sysexits(3)): 0 accepted (a duplicate too), 65 over the size limit, 75 try
// again later. A connection closed without a reply, or any other code, means
// "not taken": the ingest runs the full binary with the message itself.
//
// Trust: abstract names have no file permissions, so both ends check the
// other's uid (SO_PEERCRED): a hand-off goes only between processes of the
// same user (or root), never to a squatter on the name.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace replydesk::app {

// Defaults of the global options the launcher reads too (GlobalOptions, context.h).
inline constexpr const char* kDefaultDb = "var/replydesk.db";
inline constexpr size_t kDefaultMaxMessageBytes = 50u << 20;

constexpr int kExOk = 0;
constexpr int kExDataErr = 65;   // over the size limit: the MTA bounces
constexpr int kExSoftware = 70;  // broken installation (the full binary is missing)
constexpr int kExTempFail = 75;  // the store cannot take it now: the MTA retries
constexpr int kExNoPerm = 77;    // hand-off refused (another user): not final

struct IngestEnvelope {
  std::string channel;  // --channel: receiving address, tried first
  std::string sender;   // --sender: envelope sender
  std::vector<std::string> recipients;

  // The recipients as the accept path wants them: the channel first.
  std::vector<std::string> RoutingRecipients() const;
};

// The socket name serve binds for a database: for SQLite from the file's real
// path (nullopt when it does not exist yet), for PostgreSQL from the URL as
// written. Fixed length whatever the input (sun_path holds 107 bytes).
std::optional<std::string> ServeSocketName(const std::string& db_url);

// A decimal count ("1234"), nullopt for anything else or above 18 digits.
std::optional<size_t> ParseDecimal(std::string_view s);

// sockaddr_un for an abstract name (leading NUL, not NUL-terminated).
socklen_t AbstractAddress(const std::string& name, sockaddr_un* addr);

// True when a peer with `peer_uid` may hand off to (or serve) us: same user or root.
bool PeerTrusted(uid_t peer_uid);

// Reads fd to its end, at most `limit` bytes. Errors: kResourceExhausted
// "inbound.too_large"; kUnavailable "ingest.read".
util::Result<std::string> ReadMessage(int fd, size_t limit);
util::Error TooLarge(size_t limit);
// sysexits code for an ingest error (65 for a message too large, else 75).
int IngestExitCode(const util::Error& e);

// The request header (up to and including the blank line); nullopt when a
// value holds a line break or NUL (cannot be framed: take the full path).
std::optional<std::string> EncodeRequestHeader(const IngestEnvelope& envelope, size_t size);

struct RequestHeader {
  IngestEnvelope envelope;  // channel empty: it travels as the first recipient
  size_t size = 0;
};
// Parses a header without its blank line. Errors: kInvalidArgument "handoff.bad_request".
util::Result<RequestHeader> ParseRequestHeader(std::string_view header);

struct HandoffReply {
  int code = kExTempFail;
  std::string text;
  // 0, 65 and 75 end the ingest; anything else sends it to the full binary.
  bool final() const { return code == kExOk || code == kExDataErr || code == kExTempFail; }
};
std::string EncodeReply(const HandoffReply& reply);
std::optional<HandoffReply> ParseReply(std::string_view line);

// The client side, used by the launcher.
// A socket connected to the serve bound at `name`, or -1 when none is bound or
// its owner is not trusted (PeerTrusted): then nobody takes a hand-off.
int ConnectServe(const std::string& name);
// Sends one request on `fd` (from ConnectServe, closed here) and waits up to
// timeout_ms for the reply; nullopt when serve went away or never answered.
std::optional<HandoffReply> HandOff(int fd, const IngestEnvelope& envelope,
                                    std::string_view message, int timeout_ms);

}  // namespace replydesk::app
