// AttachmentReader: a blob of its own, else the part of the raw message.
#include "services/attachment_reader.h"

#include "util/sha256.h"

namespace replydesk::services {

using util::ErrorCode;
using util::MakeError;

util::Result<AttachmentContent> AttachmentReader::Read(domain::Id attachment_id) {
  AttachmentContent out;
  std::optional<std::string> raw_sha256;
  RD_RETURN_IF_ERROR(store_.Transact([&](store::Tx& tx) -> util::Status {
    RD_ASSIGN_OR_RETURN(out.attachment, tx.GetAttachment(attachment_id));
    RD_ASSIGN_OR_RETURN(domain::Article article, tx.GetArticle(out.attachment.article_id));
    raw_sha256.reset();
    if (article.inbound_id) {
      RD_ASSIGN_OR_RETURN(domain::Inbound in, tx.GetInbound(*article.inbound_id));
      raw_sha256 = in.raw_sha256;
    }
    return util::OkStatus();
  }));
  const std::string& sha = out.attachment.sha256;
  auto blob = store_.blobs().Get(sha);
  if (blob.ok()) {
    out.data = std::move(*blob);
    return out;
  }
  if (blob.error().code != ErrorCode::kNotFound || !raw_sha256) return blob.error();
  RD_ASSIGN_OR_RETURN(std::string raw, store_.blobs().Get(*raw_sha256));
  mail::ParsedMessage parsed = parser_.Parse(raw);
  for (mail::ParsedAttachment& part : parsed.attachments) {
    if (util::Sha256Hex(part.data) == sha) {
      out.data = std::move(part.data);
      return out;
    }
  }
  return MakeError(ErrorCode::kNotFound, "attachment.missing",
                   "attachment " + std::to_string(attachment_id) + ": no part of inbound message " +
                       *raw_sha256 + " has SHA-256 " + sha);
}

}  // namespace replydesk::services
