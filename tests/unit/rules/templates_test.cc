// RenderTemplate: plain-text Mustache (no HTML escaping), sections driven by
// "" / missing variables, JSON types, and syntax errors as values.
#include "rules/templates.h"

#include <gtest/gtest.h>

namespace replydesk::rules {
namespace {

using nlohmann::json;

std::string Render(std::string_view source, const json& vars) {
  auto r = RenderTemplate(source, vars);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? *r : "<error>";
}

std::string RenderError(std::string_view source, const json& vars = json::object()) {
  auto r = RenderTemplate(source, vars);
  if (r.ok()) return "<ok>";
  EXPECT_EQ(r.error().code, util::ErrorCode::kInvalidArgument);
  return r.error().detail;
}

TEST(TemplatesTest, NoHtmlEscaping) {
  const json vars = {{"company", "Smith & Sons <support@smith.example>"},
                     {"subject", "Счёт \"№ 5\" > 100 € & 'срочно'"}};
  EXPECT_EQ(Render("{{company}}", vars), "Smith & Sons <support@smith.example>");
  EXPECT_EQ(Render("{{{company}}}", vars), "Smith & Sons <support@smith.example>");
  EXPECT_EQ(Render("{{& subject}}", vars), "Счёт \"№ 5\" > 100 € & 'срочно'");
  EXPECT_EQ(Render("Re: {{subject}}", vars), "Re: Счёт \"№ 5\" > 100 € & 'срочно'");
}

TEST(TemplatesTest, VariablesAreNeverTemplates) {
  const json vars = {{"subject", "{{company}} {{#x}}y{{/x}} {{"}, {"company", "ACME"}};
  EXPECT_EQ(Render("{{subject}}", vars), "{{company}} {{#x}}y{{/x}} {{");
}

TEST(TemplatesTest, MissingAndEmptyVariables) {
  EXPECT_EQ(Render("Hello {{customer_name}}!", json::object()), "Hello !");
  EXPECT_EQ(Render("Hello {{customer_name}}!", {{"customer_name", ""}}), "Hello !");
  EXPECT_EQ(Render("Hello {{customer_name}}!", nullptr), "Hello !");
  const char* greeting =
      "{{#customer_name}}Dear {{customer_name}},{{/customer_name}}"
      "{{^customer_name}}Hello,{{/customer_name}}";
  EXPECT_EQ(Render(greeting, {{"customer_name", "Анна"}}), "Dear Анна,");
  EXPECT_EQ(Render(greeting, {{"customer_name", ""}}), "Hello,");
  EXPECT_EQ(Render(greeting, json::object()), "Hello,");
  EXPECT_EQ(Render(greeting, {{"customer_name", nullptr}}), "Hello,");
}

// Lines holding only section tags vanish, so optional lines leave no gaps.
TEST(TemplatesTest, StandaloneSectionLines) {
  const char* source =
      "Ticket {{ticket_number}}.\n"
      "{{#first_response_due}}\n"
      "Reply by {{first_response_due}}.\n"
      "{{/first_response_due}}\n"
      "{{^first_response_due}}\n"
      "Reply soon.\n"
      "{{/first_response_due}}\n"
      "Bye\n";
  EXPECT_EQ(Render(source, {{"ticket_number", "7"}, {"first_response_due", "Monday 10:00"}}),
            "Ticket 7.\nReply by Monday 10:00.\nBye\n");
  EXPECT_EQ(Render(source, {{"ticket_number", "7"}, {"first_response_due", ""}}),
            "Ticket 7.\nReply soon.\nBye\n");
}

// kainjow 4.1 alone leaves an empty line after a skipped section.
TEST(TemplatesTest, SkippedSectionsLeaveNoBlankLine) {
  const char* source =
      "{{#customer_name}}\n"
      "Dear {{customer_name}},\n"
      "{{/customer_name}}\n"
      "{{^customer_name}}\n"
      "Hello,\n"
      "{{/customer_name}}\n"
      "\n"
      "Thank you.\n"
      "  {{! a standalone comment, indented }}\n"
      "{{#answer}}\n"
      "\n"
      "{{answer}}\n"
      "{{/answer}}\n"
      "{{#items}}\n"
      "- {{.}}\n"
      "{{/items}}\n";
  EXPECT_EQ(Render(source, {{"customer_name", "Anna"}}), "Dear Anna,\n\nThank you.\n");
  EXPECT_EQ(Render(source, json::object()), "Hello,\n\nThank you.\n");
  EXPECT_EQ(Render(source, {{"answer", "Restart it."}, {"items", {"a", "b"}}}),
            "Hello,\n\nThank you.\n\nRestart it.\n- a\n- b\n");
  // CRLF templates (pasted from Windows) behave the same.
  EXPECT_EQ(Render("{{#x}}\r\nX\r\n{{/x}}\r\nY\r\n", json::object()), "Y\r\n");
  EXPECT_EQ(Render("{{#x}}\r\nX\r\n{{/x}}\r\nY\r\n", {{"x", "1"}}), "X\r\nY\r\n");
  // Inline sections are untouched.
  EXPECT_EQ(Render("a {{#x}}b{{/x}} c\n", json::object()), "a  c\n");
}

TEST(TemplatesTest, JsonTypes) {
  const json vars = {{"number", 12345},
                     {"negative", -3},
                     {"ratio", 1.5},
                     {"yes", true},
                     {"no", false},
                     {"items", {"один", "два"}},
                     {"none", json::array()},
                     {"customer", {{"name", "Ion Popescu"}, {"language", "ro"}}},
                     {"rows", {{{"n", "a"}}, {{"n", "b"}}}}};
  EXPECT_EQ(Render("{{number}} {{negative}} {{ratio}}", vars), "12345 -3 1.5");
  EXPECT_EQ(Render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}n{{/no}}", vars), "Yn");
  EXPECT_EQ(Render("[{{yes}}]", vars), "[]");
  EXPECT_EQ(Render("{{#items}}<{{.}}>{{/items}}", vars), "<один><два>");
  EXPECT_EQ(Render("{{#none}}x{{/none}}{{^none}}empty{{/none}}", vars), "empty");
  EXPECT_EQ(Render("{{customer.name}} ({{customer.language}})", vars), "Ion Popescu (ro)");
  EXPECT_EQ(Render("{{#customer}}{{name}}{{/customer}}", vars), "Ion Popescu");
  EXPECT_EQ(Render("{{#rows}}{{n}},{{/rows}}", vars), "a,b,");
  // Inside a section the outer variables stay visible.
  EXPECT_EQ(Render("{{#items}}{{number}}{{/items}}", vars), "1234512345");
}

TEST(TemplatesTest, SyntaxErrors) {
  EXPECT_EQ(RenderError("Hello {{name"), "rules.bad_template");
  EXPECT_EQ(RenderError("{{#a}}never closed"), "rules.bad_template");
  EXPECT_EQ(RenderError("{{#a}}x{{/b}}"), "rules.bad_template");
  EXPECT_EQ(RenderError("x{{/a}}"), "rules.bad_template");
  EXPECT_EQ(RenderError("{{=<% %>=}}<%x"), "rules.bad_template");
  auto r = RenderTemplate("{{#a}}never closed", json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message, "");
}

// kainjow looks partials up among the variables: that would make a customer's
// subject template text.
TEST(TemplatesTest, PartialsAreRefused) {
  EXPECT_EQ(RenderError("{{>subject}}", {{"subject", "{{company}}"}, {"company", "x"}}),
            "rules.bad_template");
  EXPECT_EQ(RenderError("{{>footer}}"), "rules.bad_template");
}

TEST(TemplatesTest, VariablesMustBeAnObject) {
  EXPECT_EQ(RenderError("x", json::array()), "rules.bad_template_vars");
  EXPECT_EQ(RenderError("x", "text"), "rules.bad_template_vars");
}

TEST(TemplatesTest, CommentsAndDelimiters) {
  EXPECT_EQ(Render("a{{! note for translators }}b", json::object()), "ab");
  EXPECT_EQ(Render("{{=<% %>=}}<%x%> {{x}}", {{"x", "1"}}), "1 {{x}}");
}

}  // namespace
}  // namespace replydesk::rules
