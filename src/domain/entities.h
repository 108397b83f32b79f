// The entities of Replydesk as plain values (no I/O). The store reads and
// writes them; services and rules reason about them. Words follow
// docs/glossary.md: a *ticket* holds *articles*; a *customer* has *identities*.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/clock.h"

namespace replydesk::domain {

using Id = int64_t;
using util::UnixSeconds;

struct Organisation {
  Id id = 0;
  std::string name;
  std::string domain;  // e-mail domain that maps senders to this organisation ("" = none)
};

enum class IdentityKind { kEmail, kPhone };
const char* IdentityKindName(IdentityKind kind);

struct Identity {
  IdentityKind kind = IdentityKind::kEmail;
  std::string value;  // normalised: lower-case address, E.164-ish phone digits
};

struct Customer {
  Id id = 0;
  std::string name;
  std::string language;  // "ru", "bg", "ro", "en" or "" when unknown
  std::optional<Id> organisation_id;
  UnixSeconds created_at = 0;
  std::vector<Identity> identities;
};

enum class Role { kAdmin, kAgent };
const char* RoleName(Role r);

// A login: agents and admins. Customers have no login (they use signed links).
struct User {
  Id id = 0;
  std::string email;  // normalised, unique
  std::string name;
  Role role = Role::kAgent;
  std::string password_hash;  // argon2id string (libsodium crypto_pwhash_str)
  UnixSeconds created_at = 0;
  std::string position;   // job title shown in signatures ("Support engineer")
  std::string signature;  // Mustache text appended to replies; "" = the default signature
};

struct Team {
  Id id = 0;
  std::string name;
};

// A receiving address (or form, or phone line) routed to a team.
struct Channel {
  Id id = 0;
  std::string address;  // normalised e-mail address, unique
  std::string name;
  std::optional<Id> team_id;
  std::string language;                // default language for replies
  std::string kind = "email";          // "email", "form", "phone"
  std::string hours = "24/7";          // business calendar, text form of sla::ParseCalendar
  int64_t first_response_minutes = 0;  // promise in business minutes; 0 = none
  int64_t resolution_minutes = 0;      // promise in business minutes; 0 = none
};

enum class TicketStatus { kNew, kOpen, kPending, kSolved, kClosed };
const char* TicketStatusName(TicketStatus s);
std::optional<TicketStatus> ParseTicketStatus(const std::string& s);

enum class Priority { kLow, kNormal, kHigh, kUrgent };
const char* PriorityName(Priority p);
std::optional<Priority> ParsePriority(const std::string& s);

struct Ticket {
  Id id = 0;
  int64_t number = 0;  // human ticket number, shown in the subject tag
  std::string subject;
  std::string normalized_subject;  // Re:/Fwd:/tags stripped, lower-case: for the fallback match
  TicketStatus status = TicketStatus::kNew;
  Priority priority = Priority::kNormal;
  Id customer_id = 0;
  std::optional<Id> team_id;
  std::optional<Id> channel_id;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  std::optional<UnixSeconds> closed_at;
  std::optional<Id> assignee_id;                  // agent (users.id)
  std::string language;                           // language of the conversation, "" unknown
  std::optional<UnixSeconds> first_response_due;  // from the channel's calendar and promise
  std::optional<UnixSeconds> resolution_due;
  std::optional<UnixSeconds> first_responded_at;  // first agent reply (not notes, not auto)
};

enum class Direction { kInbound, kOutbound, kInternal };
const char* DirectionName(Direction d);

enum class ArticleKind { kEmail, kNote, kPhone, kWeb };
const char* ArticleKindName(ArticleKind k);

struct Article {
  Id id = 0;
  Id ticket_id = 0;
  ArticleKind kind = ArticleKind::kEmail;
  Direction direction = Direction::kInbound;
  std::optional<Id> customer_id;  // sender when a customer
  std::string sender_name;
  std::string sender_address;
  std::string to;  // display form "Name <a@b>, ..."
  std::string cc;
  std::string subject;
  std::string message_id;  // without angle brackets; "" for notes
  std::string in_reply_to;
  std::string body_text;  // UTF-8 text (chosen body, HTML rendered when no text part)
  std::optional<std::string> body_html_sha256;  // blob holding the HTML body, if any
  std::optional<Id> inbound_id;                 // raw message it came from
  std::vector<std::string> flags;               // parser limits hit or repairs made
  UnixSeconds created_at = 0;
  std::optional<Id> author_user_id;  // agent who wrote it (replies, notes, calls)
  bool auto_reply = false;           // written by a trigger (acknowledgement), not a person
  // Outgoing mail: "" (not mail we send), "queued", "sent", "failed" (5xx or
  // given up), "bounced" (a DSN came back); delivery_error says why.
  std::string delivery_status;
  std::string delivery_error;
  int64_t duration_seconds = 0;  // phone calls
};

// An outgoing message in the outbox: composed once (raw bytes in a blob, so a
// resend carries the same Message-ID and bytes), queued in the same
// transaction as its article, sent by the outbound worker.
enum class OutboundState { kQueued, kSent, kFailed, kBounced };
const char* OutboundStateName(OutboundState s);
std::optional<OutboundState> ParseOutboundState(const std::string& s);

struct Outbound {
  Id id = 0;
  Id article_id = 0;
  Id ticket_id = 0;
  std::string envelope_from;            // "" = null sender
  std::vector<std::string> recipients;  // envelope recipients (normalised)
  std::string raw_sha256;               // blob with the composed (and signed) message
  std::string message_id;               // without angle brackets
  bool automatic = false;               // acknowledgement or notification
  OutboundState state = OutboundState::kQueued;
  int attempts = 0;
  int smtp_code = 0;       // last reply code, 0 when none
  std::string last_error;  // last failure text, "" when none
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> sent_at;
};

// A Mustache template (acknowledgements, canned responses, notifications),
// one row per name and language.
struct Template {
  Id id = 0;
  std::string name;
  std::string language;
  std::string subject;
  std::string body;
};

struct Attachment {
  Id id = 0;
  Id article_id = 0;
  std::string filename;
  std::string content_type;
  int64_t size = 0;          // decoded bytes
  std::string sha256;        // blob
  std::string content_id;    // without angle brackets; "" when none
  bool inline_part = false;  // Content-Disposition: inline with a Content-ID
};

// A raw message as accepted, and what processing made of it.
enum class InboundState { kQueued, kProcessed, kFailed, kDuplicate };
const char* InboundStateName(InboundState s);
std::optional<InboundState> ParseInboundState(const std::string& s);

struct Inbound {
  Id id = 0;
  std::string raw_sha256;
  int64_t size = 0;
  std::string source;  // "lmtp", "pipe", "import", "imap", "pop3"
  std::string envelope_from;
  std::vector<std::string> recipients;  // envelope recipients (normalised), may be empty
  std::string message_id;               // normalised, "" when the message has none
  std::string dedup_key;  // sha256 of normalised Message-ID + sender, "" when no Message-ID
  UnixSeconds received_at = 0;
  InboundState state = InboundState::kQueued;
  std::string error;  // last processing error, "" when none
  int attempts = 0;
  std::optional<Id> ticket_id;
  std::optional<Id> article_id;
  std::optional<Id> default_channel_id;  // polled mail: the mailbox's channel, used last
};

}  // namespace replydesk::domain
