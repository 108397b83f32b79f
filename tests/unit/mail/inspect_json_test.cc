// The inspect JSON contract (docs/inspect-json.md) and the text summary.
#include "mail/inspect_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
            R"("content_id":""}],"auto_submitted":false,"flags":["repair.charset_guessed"],)"
            R"("visible_text":"Hallo","signature":""})");
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

// The example of docs/inspect-json.md: new text, signature and quote split.
TEST(InspectJson, VisibleTextAndSignatureOfAReply) {
  ParsedMessage m;
  m.text =
      "Да, всё верно.\n\n-- \nОльга\n\nпн, 12 мая 2025 г. в 10:15, Служба поддержки "
      "<support@shop.example>:\n> Подтвердите адрес.";
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(InspectJson(m, false));
  EXPECT_EQ(j["text"], m.text);
  EXPECT_EQ(j["visible_text"], "Да, всё верно.");
  EXPECT_EQ(j["signature"], "-- \nОльга");
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  ASSERT_GE(keys.size(), 2u);  // new keys go last (docs/inspect-json.md)
  EXPECT_EQ(keys[keys.size() - 2], "visible_text");
  EXPECT_EQ(keys.back(), "signature");
}

TEST(InspectJson, VisibleTextIsValidUtf8) {
  ParsedMessage m;
  m.text = "cut \xd0\n\nOn Mon, May 12, 2025, X <x@y.example> wrote:\n> hi";
  nlohmann::json j = nlohmann::json::parse(InspectJson(m, false));
  EXPECT_EQ(j["visible_text"], "cut \xEF\xBF\xBD");
  EXPECT_EQ(j["signature"], "");
}

TEST(InspectText, ShowsTheSplitOfAReply) {
  ParsedMessage m;
  m.text =
      "Thanks!\n\nSent from my iPhone\n\n> On 12 May 2025, at 10:15, S <s@x.example> "
      "wrote:\n>\n> Shipped.\n";
  std::string text = InspectText(m);
  EXPECT_NE(text.find("\n\nThanks!\n\n[signature]\nSent from my iPhone\n\n[quoted: 3 lines]\n"),
            std::string::npos)
      << text;
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
