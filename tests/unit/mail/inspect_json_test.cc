// The inspect JSON contract (docs/inspect-json.md) and the text summary.
#include "mail/inspect_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace replydesk::mail {
namespace {

ParsedMessage Sample() {
  ParsedMessage m;
  m.from = {{"Anna", "anna@example.de"}};
  m.to = {{"", "support@replydesk.example"}};
  m.subject = "Grüße";
  m.date = 1795510525;
  m.message_id = "m1@example.de";
  m.in_reply_to = {"p1@x"};
  m.references = {"p0@x", "p1@x"};
  m.text = "Hallo";
  m.html = "<p>Hallo</p>";
  ParsedAttachment a;
  a.filename = "a.pdf";
  a.content_type = "application/pdf";
  a.data = "12345";
  a.size = 5;
  m.attachments.push_back(a);
  m.flags = {"repair.charset_guessed"};
  return m;
}

TEST(InspectJson, StableContract) {
  EXPECT_EQ(InspectJson(Sample(), false),
            R"({"from":[{"name":"Anna","address":"anna@example.de"}],)"
            R"("to":[{"name":"","address":"support@replydesk.example"}],"cc":[],)"
            R"("subject":"Grüße","date":"2026-11-24T08:55:25Z","message_id":"m1@example.de",)"
            R"("in_reply_to":["p1@x"],"references":["p0@x","p1@x"],"text":"Hallo","html":true,)"
            R"("attachments":[{"filename":"a.pdf","content_type":"application/pdf","size":5,)"
            R"("content_id":""}],"auto_submitted":false,"flags":["repair.charset_guessed"]})");
}

TEST(InspectJson, EmptyMessageHasNullDate) {
  nlohmann::json j = nlohmann::json::parse(InspectJson(ParsedMessage{}, true));
  EXPECT_TRUE(j["date"].is_null());
  EXPECT_EQ(j["html"], false);
  EXPECT_TRUE(j["attachments"].empty());
}

TEST(InspectJson, InvalidUtf8IsReplacedNotThrown) {
  ParsedMessage m;
  m.subject = "bad \xff\xfe";
  m.text = "cut \xd0";
  m.from = {{"\xc3", "x\x80@y"}};
  std::string json;
  ASSERT_NO_THROW(json = InspectJson(m, false));
  nlohmann::json j = nlohmann::json::parse(json);
  EXPECT_EQ(j["subject"], "bad \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(j["text"], "cut \xEF\xBF\xBD");
}

TEST(InspectText, Summary) {
  std::string text = InspectText(Sample());
  EXPECT_NE(text.find("From: Anna <anna@example.de>\n"), std::string::npos);
  EXPECT_NE(text.find("Subject: Grüße\n"), std::string::npos);
  EXPECT_NE(text.find("Date: 2026-11-24T08:55:25Z\n"), std::string::npos);
  EXPECT_NE(text.find("Attachment: a.pdf (application/pdf, 5 bytes)\n"), std::string::npos);
  EXPECT_NE(text.find("Flags: repair.charset_guessed\n"), std::string::npos);
  EXPECT_NE(text.find("\n\nHallo\n"), std::string::npos);
}

}  // namespace
}  // namespace replydesk::mail
