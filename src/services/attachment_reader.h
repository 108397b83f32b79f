// The bytes of an attachment. An inbound message's attachments are not
// stored apart from it: the raw message holds them, so they are decoded from
// it again, by the same parser, and recognised by their SHA-256. Attachments
// of outgoing mail (and of messages imported before this rule) are blobs of
// their own and read as such.
#pragma once

#include <string>

#include "mail/mime_parser.h"
#include "store/store.h"

namespace replydesk::services {

struct AttachmentContent {
  domain::Attachment attachment;
  std::string data;  // decoded bytes
};

class AttachmentReader {
 public:
  AttachmentReader(store::Store& store, mail::ParseLimits limits = {})
      : store_(store), parser_(limits) {}

  // kNotFound "store.not_found" (no such attachment), "attachment.missing"
  // (neither a blob nor a part of its message has these bytes any more);
  // kUnavailable when the store cannot answer.
  util::Result<AttachmentContent> Read(domain::Id attachment_id);

 private:
  store::Store& store_;
  mail::MimeParser parser_;
};

}  // namespace replydesk::services
