// JSON views: see json_views.h.
#include "app/json_views.h"

namespace replydesk::app {
namespace {

using nlohmann::json;

json OptId(const std::optional<domain::Id>& id) { return id ? json(*id) : json(nullptr); }
json Time(util::UnixSeconds t) { return util::FormatIso8601Utc(t); }
json OptTime(const std::optional<util::UnixSeconds>& t) {
  return t ? json(util::FormatIso8601Utc(*t)) : json(nullptr);
}

}  // namespace

json ToJson(const domain::Ticket& t) {
  return {{"id", t.id},
          {"number", t.number},
          {"subject", t.subject},
          {"status", domain::TicketStatusName(t.status)},
          {"priority", domain::PriorityName(t.priority)},
          {"customer_id", t.customer_id},
          {"team_id", OptId(t.team_id)},
          {"channel_id", OptId(t.channel_id)},
          {"assignee_id", OptId(t.assignee_id)},
          {"language", t.language},
          {"first_response_due", OptTime(t.first_response_due)},
          {"resolution_due", OptTime(t.resolution_due)},
          {"first_responded_at", OptTime(t.first_responded_at)},
          {"created_at", Time(t.created_at)},
          {"updated_at", Time(t.updated_at)}};
}

json ToJson(const domain::Customer& c) {
  json identities = json::array();
  for (const auto& i : c.identities) {
    identities.push_back({{"kind", domain::IdentityKindName(i.kind)}, {"value", i.value}});
  }
  return {{"id", c.id},
          {"name", c.name},
          {"language", c.language},
          {"organisation_id", OptId(c.organisation_id)},
          {"identities", identities},
          {"created_at", Time(c.created_at)}};
}

json ToJson(const domain::Article& a) {
  return {{"id", a.id},
          {"kind", domain::ArticleKindName(a.kind)},
          {"direction", domain::DirectionName(a.direction)},
          {"customer_id", OptId(a.customer_id)},
          {"from", {{"name", a.sender_name}, {"address", a.sender_address}}},
          {"to", a.to},
          {"cc", a.cc},
          {"subject", a.subject},
          {"message_id", a.message_id},
          {"in_reply_to", a.in_reply_to},
          {"text", a.body_text},
          {"html", a.body_html_sha256.has_value()},
          {"inbound_id", OptId(a.inbound_id)},
          {"flags", a.flags},
          {"author_user_id", OptId(a.author_user_id)},
          {"auto_reply", a.auto_reply},
          {"delivery_status", a.delivery_status},
          {"delivery_error", a.delivery_error},
          {"duration_seconds", a.duration_seconds},
          {"created_at", Time(a.created_at)}};
}

json ToJson(const domain::Attachment& a) {
  return {{"id", a.id},
          {"filename", a.filename},
          {"content_type", a.content_type},
          {"size", a.size},
          {"sha256", a.sha256},
          {"content_id", a.content_id},
          {"inline", a.inline_part}};
}

json ToJson(const domain::Inbound& i) {
  return {{"id", i.id},
          {"state", domain::InboundStateName(i.state)},
          {"source", i.source},
          {"size", i.size},
          {"raw_sha256", i.raw_sha256},
          {"envelope_from", i.envelope_from},
          {"recipients", i.recipients},
          {"message_id", i.message_id},
          {"received_at", Time(i.received_at)},
          {"attempts", i.attempts},
          {"error", i.error},
          {"ticket_id", OptId(i.ticket_id)},
          {"article_id", OptId(i.article_id)}};
}

json ToJson(const domain::Channel& c) {
  return {{"id", c.id},
          {"address", c.address},
          {"name", c.name},
          {"team_id", OptId(c.team_id)},
          {"language", c.language},
          {"kind", c.kind},
          {"hours", c.hours},
          {"first_response_minutes", c.first_response_minutes},
          {"resolution_minutes", c.resolution_minutes}};
}

json ToJson(const domain::Outbound& o) {
  return {{"id", o.id},
          {"article_id", o.article_id},
          {"ticket_id", o.ticket_id},
          {"envelope_from", o.envelope_from},
          {"recipients", o.recipients},
          {"message_id", o.message_id},
          {"automatic", o.automatic},
          {"state", domain::OutboundStateName(o.state)},
          {"attempts", o.attempts},
          {"smtp_code", o.smtp_code},
          {"last_error", o.last_error},
          {"created_at", Time(o.created_at)},
          {"sent_at", OptTime(o.sent_at)}};
}

json ToJson(const domain::Template& t) {
  return {{"name", t.name}, {"language", t.language}, {"subject", t.subject}, {"body", t.body}};
}

std::string Dump(const json& j, bool pretty) {
  return j.dump(pretty ? 2 : -1, ' ', false, json::error_handler_t::replace);
}

}  // namespace replydesk::app
