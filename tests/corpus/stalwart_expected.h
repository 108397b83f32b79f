// Reading stalwart mail-parser's expected results (mime-stalwart/X.json, see
// its SOURCE.md) and comparing them with a ParsedMessage field by field:
// from, to, cc, subject, date, text, attachments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mail/parsed_message.h"

namespace replydesk::mail {

struct StalwartExpected {
  std::vector<Mailbox> from, to, cc;
  std::string subject;
  std::optional<long long> date;
  std::string text;  // text_body parts joined (HTML rendered by HtmlToText)
  std::vector<std::string> attachment_names;  // named attachments only
};

StalwartExpected ReadStalwartExpected(const std::string& json);

struct FieldComparison {
  std::string field;
  bool agree = false;
  std::string ours, expected;  // normalised, for the failure message
};

std::vector<FieldComparison> CompareWithStalwart(const StalwartExpected& expected,
                                                 const ParsedMessage& m);

}  // namespace replydesk::mail
