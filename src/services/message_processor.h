// Turns one accepted message into domain records, inside the caller's
// transaction: customer (found by normalised address, created when new),
// channel (by receiving address), ticket (threaded, or new), article,
// attachments and the Message-ID index. Pure database work: parsing and blob
// writes happen before, outside the transaction (see InboundWorker).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"
#include "domain/ticket_tag.h"
#include "mail/bounce_parser.h"
#include "mail/parsed_message.h"
#include "services/ingest_settings.h"
#include "store/store.h"

namespace replydesk::services {

// A parsed message with its blobs already stored.
struct PreparedMessage {
  domain::Inbound inbound;
  mail::ParsedMessage parsed;
  std::optional<std::string> html_sha256;
  // Parallel to parsed.attachments: their digests only (the raw message holds
  // the bytes; AttachmentReader decodes them again).
  std::vector<std::string> attachment_sha256;
  bool blobs_stored = false;  // raw and HTML are stored already (not in the processing tx)
  // Filled by preparation outside the transaction (InboundWorker::Prepare):
  std::string visible_text;                  // new text without quoted history and signature
  std::string language;                      // detected from visible_text, "" when unsure
  std::optional<mail::BounceReport> bounce;  // set for automatic mail that is a bounce
};

struct ProcessOutcome {
  domain::Id ticket_id = 0;
  domain::Id article_id = 0;
  bool new_ticket = false;
  std::string threaded_by;  // "tag", "message_id", "subject", "" for a new ticket
  // A bounce of our own mail: recorded on the article it concerns (article_id
  // is that article, ticket_id its ticket); no article or ticket was created.
  bool bounce = false;
};

class MessageProcessor {
 public:
  explicit MessageProcessor(const IngestSettings& settings);

  util::Result<ProcessOutcome> Process(store::Tx& tx, const PreparedMessage& msg,
                                       util::UnixSeconds now) const;
  // Lets the store read ahead, in a few queries, what Process will look up
  // for each of these messages (their senders, their Message-IDs).
  util::Status ReadAhead(store::Tx& tx, const std::vector<const PreparedMessage*>& batch) const;

 private:
  util::Result<domain::Customer> FindOrCreateCustomer(store::Tx& tx, const PreparedMessage& msg,
                                                      util::UnixSeconds now) const;
  util::Result<std::optional<domain::Channel>> FindChannel(store::Tx& tx,
                                                           const PreparedMessage& msg) const;
  // The ticket this message belongs to, or nullopt for a new one.
  util::Result<std::optional<domain::Ticket>> FindThread(store::Tx& tx, const PreparedMessage& msg,
                                                         domain::Id customer_id,
                                                         util::UnixSeconds now,
                                                         std::string* threaded_by) const;
  util::Result<domain::Ticket> CreateTicket(store::Tx& tx, const PreparedMessage& msg,
                                            const domain::Customer& customer,
                                            const std::optional<domain::Channel>& channel,
                                            util::UnixSeconds now) const;
  util::Result<domain::Article> CreateArticle(store::Tx& tx, const PreparedMessage& msg,
                                              const domain::Ticket& ticket,
                                              const domain::Customer& customer) const;
  // Records a bounce on the outgoing message it concerns. nullopt when the
  // message is not a bounce or concerns no message we sent.
  util::Result<std::optional<ProcessOutcome>> HandleBounce(store::Tx& tx,
                                                           const PreparedMessage& msg) const;
  util::Status IndexMessageIds(store::Tx& tx, const PreparedMessage& msg, domain::Id ticket_id,
                               domain::Id article_id) const;

  IngestSettings settings_;
  domain::TicketTag tag_;
};

// "Name <address>, ..." for display.
std::string FormatMailboxes(const std::vector<mail::Mailbox>& list);

}  // namespace replydesk::services
