// Names of the enumerations in entities.h, as stored in the database and shown in JSON.
#include "domain/entities.h"

#include "domain/enum_names.h"

namespace replydesk::domain {

const char* IdentityKindName(IdentityKind kind) {
  return kind == IdentityKind::kEmail ? "email" : "phone";
}

const char* RoleName(Role r) { return r == Role::kAdmin ? "admin" : "agent"; }

const char* TicketStatusName(TicketStatus s) {
  switch (s) {
    case TicketStatus::kNew:
      return "new";
    case TicketStatus::kOpen:
      return "open";
    case TicketStatus::kPending:
      return "pending";
    case TicketStatus::kSolved:
      return "solved";
    case TicketStatus::kClosed:
      return "closed";
  }
  return "new";
}

std::optional<TicketStatus> ParseTicketStatus(const std::string& s) {
  static const TicketStatus kAll[] = {TicketStatus::kNew, TicketStatus::kOpen,
                                      TicketStatus::kPending, TicketStatus::kSolved,
                                      TicketStatus::kClosed};
  return ParseByName(s, kAll, TicketStatusName);
}

const char* PriorityName(Priority p) {
  switch (p) {
    case Priority::kLow:
      return "low";
    case Priority::kNormal:
      return "normal";
    case Priority::kHigh:
      return "high";
    case Priority::kUrgent:
      return "urgent";
  }
  return "normal";
}

std::optional<Priority> ParsePriority(const std::string& s) {
  static const Priority kAll[] = {Priority::kLow, Priority::kNormal, Priority::kHigh,
                                  Priority::kUrgent};
  return ParseByName(s, kAll, PriorityName);
}

const char* DirectionName(Direction d) {
  switch (d) {
    case Direction::kInbound:
      return "inbound";
    case Direction::kOutbound:
      return "outbound";
    case Direction::kInternal:
      return "internal";
  }
  return "inbound";
}

const char* ArticleKindName(ArticleKind k) {
  switch (k) {
    case ArticleKind::kEmail:
      return "email";
    case ArticleKind::kNote:
      return "note";
    case ArticleKind::kPhone:
      return "phone";
    case ArticleKind::kWeb:
      return "web";
  }
  return "email";
}

const char* InboundStateName(InboundState s) {
  switch (s) {
    case InboundState::kQueued:
      return "queued";
    case InboundState::kProcessed:
      return "processed";
    case InboundState::kFailed:
      return "failed";
    case InboundState::kDuplicate:
      return "duplicate";
  }
  return "queued";
}

std::optional<InboundState> ParseInboundState(const std::string& s) {
  static const InboundState kAll[] = {InboundState::kQueued, InboundState::kProcessed,
                                      InboundState::kFailed, InboundState::kDuplicate};
  return ParseByName(s, kAll, InboundStateName);
}

const char* OutboundStateName(OutboundState s) {
  switch (s) {
    case OutboundState::kQueued:
      return "queued";
    case OutboundState::kSent:
      return "sent";
    case OutboundState::kFailed:
      return "failed";
    case OutboundState::kBounced:
      return "bounced";
  }
  return "queued";
}

std::optional<OutboundState> ParseOutboundState(const std::string& s) {
  static const OutboundState kAll[] = {OutboundState::kQueued, OutboundState::kSent,
                                       OutboundState::kFailed, OutboundState::kBounced};
  return ParseByName(s, kAll, OutboundStateName);
}

}  // namespace replydesk::domain
