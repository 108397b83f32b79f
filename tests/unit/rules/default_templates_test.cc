// The shipped templates: every one exists in every language, renders with a
// realistic set of variables (and with almost none), leaves no tag behind,
// uses only documented variables, and keeps the languages' conventions.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <string_view>

#include "rules/templates.h"

namespace replydesk::rules {
namespace {

using nlohmann::json;

const std::vector<std::string> kNames = {"acknowledgement", "agent_notification", "greeting",
                                         "need_more_info", "resolved"};
const std::vector<std::string> kLanguages = {"bg", "en", "ro", "ru"};

// What services/template_vars.cc sends, as sla formats it in each language.
json Vars(const std::string& language) {
  static const std::map<std::string, json> kByLanguage = {
      {"en",
       {{"customer_name", "Anna Smith"},
        {"company", "Northwind Ltd"},
        {"working_hours", "Monday to Friday 09:00–18:00 (Sofia time)"},
        {"first_response_due", "Tuesday, 24 November 2026 at 14:00 (Sofia time, UTC+2)"},
        {"agent_name", "Maria Georgieva"},
        {"agent_position", "Support engineer"},
        {"team_name", "Customer Care"},
        {"subject", "Cannot log in after the update"}}},
      {"ru",
       {{"customer_name", "Иван Петров"},
        {"company", "Ромашка Софт"},
        {"working_hours", "понедельник–пятница 09:00–18:00 (часовой пояс: Москва)"},
        {"first_response_due", "вторник, 24 ноября 2026 г. в 14:00 (часовой пояс: Москва)"},
        {"agent_name", "Ольга Смирнова"},
        {"agent_position", "специалист службы поддержки"},
        {"team_name", "Служба поддержки"},
        {"subject", "Не могу войти после обновления"}}},
      {"bg",
       {{"customer_name", "Георги Иванов"},
        {"company", "Балкан Софт ООД"},
        {"working_hours", "понеделник–петък 09:00–18:00 (часова зона: София)"},
        {"first_response_due", "вторник, 24 ноември 2026 г. в 14:00 ч. (часова зона: София)"},
        {"agent_name", "Мария Георгиева"},
        {"agent_position", "специалист „Поддръжка“"},
        {"team_name", "Обслужване на клиенти"},
        {"subject", "Не мога да вляза след обновяването"}}},
      {"ro",
       {{"customer_name", "Ion Popescu"},
        {"company", "Carpați Software SRL"},
        {"working_hours", "luni–vineri 09:00–18:00 (fus orar: București)"},
        {"first_response_due", "marți, 24 noiembrie 2026, ora 14:00 (fus orar: București)"},
        {"agent_name", "Elena Ionescu"},
        {"agent_position", "specialist suport clienți"},
        {"team_name", "Relații cu clienții"},
        {"subject", "Nu mă pot autentifica după actualizare"}}}};
  json v = kByLanguage.at(language);
  v["ticket_number"] = "100042";
  v["ticket_tag"] = "[#T-100042]";
  v["channel_name"] = "Support";
  v["channel_address"] = "support@northwind.example";
  v["open_now"] = "true";
  v["sender"] = "customer@example.com";
  v["excerpt"] = "Hello,\nsince yesterday I cannot log in.";
  v["new_ticket"] = "true";
  v["answer"] = "";
  return v;
}

// The variables every shipped template may use (templates.h).
const std::set<std::string> kDocumented = {"customer_name",   "company",       "ticket_number",
                                           "ticket_tag",      "subject",       "channel_name",
                                           "channel_address", "working_hours", "first_response_due",
                                           "open_now",        "agent_name",    "agent_position",
                                           "team_name",       "sender",        "excerpt",
                                           "new_ticket",      "answer"};

const TemplateText* Find(const std::string& name, const std::string& language) {
  for (const TemplateText& t : DefaultTemplates()) {
    if (t.name == name && t.language == language) return &t;
  }
  return nullptr;
}

std::string Render(const std::string& source, const json& vars) {
  auto r = RenderTemplate(source, vars);
  EXPECT_TRUE(r.ok()) << r.error().ToString() << "\n" << source;
  return r.ok() ? *r : "";
}

// No tag left, no doubled spaces or blank lines, no space at line ends.
void ExpectClean(const std::string& text, const std::string& what) {
  EXPECT_EQ(text.find("{{"), std::string::npos) << what << "\n" << text;
  EXPECT_EQ(text.find("}}"), std::string::npos) << what << "\n" << text;
  EXPECT_EQ(text.find("  "), std::string::npos) << what << "\n" << text;
  EXPECT_EQ(text.find("\n\n\n"), std::string::npos) << what << "\n" << text;
  EXPECT_EQ(text.find(" \n"), std::string::npos) << what << "\n" << text;
  EXPECT_EQ(text.find("\n "), std::string::npos) << what << "\n" << text;
  EXPECT_NE(text.substr(0, 1), "\n") << what << "\n" << text;
}

TEST(DefaultTemplatesTest, EveryNameInEveryLanguage) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const TemplateText& t : DefaultTemplates()) {
    EXPECT_TRUE(seen.insert({t.name, t.language}).second) << t.name << "." << t.language;
    EXPECT_FALSE(t.subject.empty()) << t.name << "." << t.language;
    EXPECT_EQ(t.subject.find('\n'), std::string::npos) << t.name << "." << t.language;
    ASSERT_FALSE(t.body.empty()) << t.name << "." << t.language;
    EXPECT_EQ(t.body.back(), '\n') << t.name << "." << t.language;
    EXPECT_NE(t.body.front(), '\n') << t.name << "." << t.language;
  }
  for (const auto& name : kNames) {
    for (const auto& language : kLanguages) {
      EXPECT_TRUE(seen.count({name, language})) << "missing " << name << "." << language;
    }
  }
  EXPECT_EQ(seen.size(), kNames.size() * kLanguages.size());
}

// The names in the tags of `source`: "{{#a}}x{{b}}" -> a, b. (No std::regex:
// GCC 12 warns inside it under the sanitizer build.)
std::vector<std::string> TagNames(const std::string& source) {
  std::vector<std::string> names;
  for (size_t at = source.find("{{"); at != std::string::npos; at = source.find("{{", at)) {
    at += 2;
    while (at < source.size() && std::string_view(" #^/&{").find(source[at]) != std::string::npos)
      ++at;
    size_t end = at;
    while (end < source.size() && (std::isalnum(static_cast<unsigned char>(source[end])) ||
                                   source[end] == '_' || source[end] == '.'))
      ++end;
    names.push_back(source.substr(at, end - at));
  }
  return names;
}

TEST(DefaultTemplatesTest, UseOnlyDocumentedVariables) {
  EXPECT_EQ(TagNames("{{#a}}x{{ b }}{{/a}}"), (std::vector<std::string>{"a", "b", "a"}));
  for (const TemplateText& t : DefaultTemplates()) {
    for (const std::string& name : TagNames(t.subject + "\n" + t.body)) {
      EXPECT_TRUE(kDocumented.count(name)) << t.name << "." << t.language << ": " << name;
    }
  }
}

TEST(DefaultTemplatesTest, RenderWithRealisticVariables) {
  for (const TemplateText& t : DefaultTemplates()) {
    const std::string what = t.name + "." + t.language;
    const json vars = Vars(t.language);
    const std::string subject = Render(t.subject, vars);
    const std::string body = Render(t.body, vars);
    ExpectClean(subject, what + " subject");
    ExpectClean(body, what);
    EXPECT_NE(body.find("100042"), std::string::npos) << what << "\n" << body;
    EXPECT_NE(body.find(vars["customer_name"].get<std::string>()), std::string::npos) << what;
    if (t.name != "agent_notification") {
      EXPECT_NE(subject.find(vars["subject"].get<std::string>()), std::string::npos) << what;
    }
  }
}

TEST(DefaultTemplatesTest, AcknowledgementStatesHoursPromiseAndHowToReply) {
  for (const auto& language : kLanguages) {
    const TemplateText* t = Find("acknowledgement", language);
    ASSERT_NE(t, nullptr) << language;
    json vars = Vars(language);
    const std::string due = vars["first_response_due"];
    std::string body = Render(t->body, vars);
    EXPECT_NE(body.find(vars["working_hours"].get<std::string>()), std::string::npos) << body;
    EXPECT_NE(body.find(due), std::string::npos) << body;
    EXPECT_NE(body.find("[#T-100042]"), std::string::npos) << body;
    EXPECT_NE(body.find(vars["company"].get<std::string>()), std::string::npos) << body;
    EXPECT_NE(body.find(vars["team_name"].get<std::string>()), std::string::npos) << body;

    // No promise: another sentence instead, nothing dangling.
    vars["first_response_due"] = "";
    const std::string without = Render(t->body, vars);
    ExpectClean(without, "acknowledgement." + language + " without promise");
    EXPECT_EQ(without.find(due), std::string::npos) << without;
    EXPECT_NE(without, body);
    EXPECT_NE(without.find(vars["working_hours"].get<std::string>()), std::string::npos);
  }
}

// What a fresh installation may know: a ticket number and a company name.
TEST(DefaultTemplatesTest, RenderWithAlmostNothingKnown) {
  for (const TemplateText& t : DefaultTemplates()) {
    const std::string what = t.name + "." + t.language + " (sparse)";
    const json vars = {{"ticket_number", "7"}, {"company", "Support"}};
    const std::string subject = Render(t.subject, vars);
    const std::string body = Render(t.body, vars);
    ExpectClean(body, what);
    EXPECT_NE(body.find('7'), std::string::npos) << what;
    EXPECT_EQ(body.find(" ,"), std::string::npos) << what << "\n" << body;
    EXPECT_EQ(body.find("()"), std::string::npos) << what << "\n" << body;
    EXPECT_EQ(body.find("<>"), std::string::npos) << what << "\n" << body;
    EXPECT_EQ(subject.find("{{"), std::string::npos) << what;
  }
}

TEST(DefaultTemplatesTest, GreetingPlacesTheAnswer) {
  for (const auto& language : kLanguages) {
    json vars = Vars(language);
    vars["answer"] = "Please clear the browser cache.";
    const std::string body = Render(Find("greeting", language)->body, vars);
    EXPECT_NE(body.find("\n\nPlease clear the browser cache.\n"), std::string::npos) << body;
    EXPECT_NE(body.find(vars["agent_name"].get<std::string>()), std::string::npos) << body;
  }
}

TEST(DefaultTemplatesTest, AgentNotificationNewTicketOrReply) {
  for (const auto& language : kLanguages) {
    json vars = Vars(language);
    const TemplateText* t = Find("agent_notification", language);
    const std::string created = Render(t->subject, vars) + Render(t->body, vars);
    vars["new_ticket"] = "";
    const std::string replied = Render(t->subject, vars) + Render(t->body, vars);
    EXPECT_NE(created, replied);
    for (const std::string& s : {created, replied}) {
      EXPECT_NE(s.find("customer@example.com"), std::string::npos) << s;
      EXPECT_NE(s.find("since yesterday I cannot log in."), std::string::npos) << s;
    }
  }
}

// Romanian with comma-below ș ț (not the cedilla look-alikes) and its
// diacritics; Russian and Bulgarian address the customer formally, with the
// pronoun capitalised as in business letters.
TEST(DefaultTemplatesTest, LanguageConventions) {
  for (const TemplateText& t : DefaultTemplates()) {
    const std::string text = t.subject + "\n" + t.body;
    const std::string what = t.name + "." + t.language;
    if (t.language == "ro") {
      for (const char* cedilla : {"ş", "ţ", "Ş", "Ţ"}) {
        EXPECT_EQ(text.find(cedilla), std::string::npos) << what;
      }
      EXPECT_NE(text.find("ă"), std::string::npos) << what;
    }
    if (t.language == "ru") {
      for (const char* informal : {" ты", " тебе", " твой", " вы ", " вас ", " вам ", " ваш"}) {
        EXPECT_EQ(text.find(informal), std::string::npos) << what << ": " << informal;
      }
    }
    if (t.language == "bg") {
      for (const char* informal : {" ти ", " теб", " твое", " вие ", " ви ", " ви,", " ваш"}) {
        EXPECT_EQ(text.find(informal), std::string::npos) << what << ": " << informal;
      }
    }
    if (t.name != "agent_notification" && (t.language == "ru" || t.language == "bg")) {
      EXPECT_TRUE(text.find("Вас") != std::string::npos || text.find("Ви") != std::string::npos ||
                  text.find("Ваш") != std::string::npos || text.find("Вам") != std::string::npos)
          << what;
    }
  }
}

}  // namespace
}  // namespace replydesk::rules
