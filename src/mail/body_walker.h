// The MIME walk (RFC 2045-2046, RFC 2387 related, RFC 3676 flowed): picks the
// text body, keeps the HTML body, collects attachments, inline images,
// forwarded messages (RFC 2046 §5.2.1) and TNEF blobs, within ParseLimits.
// One walker per parse; not shared between threads.
#pragma once

#include <gmime/gmime.h>

#include <string>
#include <vector>

#include "mail/mime_parser.h"
#include "mail/parsed_message.h"

namespace replydesk::mail {

class BodyWalker {
 public:
  // `flags` receives "limit.*" and "repair.*" flags (no duplicates); it must
  // outlive the walker.
  BodyWalker(const ParseLimits& limits, std::vector<std::string>* flags);

  // Walks the body of `root` (the message's top-level MIME part).
  void Walk(GMimeObject* root);

  std::string TakeText();  // text pieces joined, LF line ends, capped at max_text_bytes
  std::string TakeHtml();  // html pieces joined, capped at max_text_bytes
  std::vector<ParsedAttachment> TakeAttachments() { return std::move(attachments_); }

 private:
  // What a subtree contributes: kBody = text and HTML bodies (HTML also
  // rendered into the text), kHtmlOnly = the HTML alternative of a chosen
  // plain text, kNoText = an alternative not chosen (only non-text parts
  // become attachments).
  enum class Mode { kBody, kHtmlOnly, kNoText };

  void Visit(GMimeObject* object, int depth, Mode mode, bool in_related, bool first);
  void VisitMultipart(GMimeMultipart* multipart, int depth, Mode mode);
  void VisitAlternative(GMimeMultipart* multipart, int depth, Mode mode);
  void VisitLeaf(GMimePart* part, Mode mode, bool in_related, bool first);
  void VisitMessagePart(GMimeMessagePart* part);
  void AddAttachment(ParsedAttachment attachment);
  std::string DecodeText(GMimePart* part, bool html);
  void Flag(const std::string& flag);

  ParseLimits limits_;
  std::vector<std::string>* flags_;
  int parts_ = 0;
  size_t decoded_bytes_ = 0;
  std::vector<std::string> text_pieces_;
  std::vector<std::string> html_pieces_;
  std::vector<ParsedAttachment> attachments_;
};

// Decoded file name of a part: Content-Disposition filename, else
// Content-Type name; RFC 2231 and RFC 2047 (also inside quotes); raw 8-bit
// names are decoded with the charset guess. "" when none. Sets *repaired
// when a charset was guessed.
std::string PartFilename(GMimeObject* object, bool* repaired);

}  // namespace replydesk::mail
