// Corpus tests for the MIME parser (STYLE.md "Tests"): the shared real-world
// corpora must parse without a crash into valid JSON; mime-stalwart is
// compared field by field with stalwart mail-parser's expected results; our
// fixtures are compared exactly with their .expected.json.
// Set REPLYDESK_UPDATE_FIXTURES=1 to rewrite the .expected.json files (then
// review the diff).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mail/inspect_json.h"
#include "mail/mime_parser.h"
#include "stalwart_expected.h"

namespace replydesk::mail {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> EmlFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".eml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(MimeCorpus, EveryMessageParsesIntoValidJson) {
  MimeParser parser;
  size_t count = 0;
  for (const auto& dir : fs::directory_iterator(REPLYDESK_CORPORA_DIR)) {
    if (!dir.path().filename().string().starts_with("mime-")) continue;
    for (const fs::path& eml : EmlFiles(dir.path())) {
      ParsedMessage m = parser.Parse(ReadFile(eml));
      std::string json = InspectJson(m, false);
      EXPECT_TRUE(nlohmann::json::accept(json)) << eml;
      EXPECT_FALSE(InspectText(m).empty()) << eml;
      ++count;
    }
  }
  std::cout << "corpus mime-*: " << count << " messages parsed" << std::endl;
  EXPECT_GT(count, 200u);
}

TEST(MimeCorpus, RubyMailReportsAreAutoSubmitted) {
  MimeParser parser;
  fs::path dir = fs::path(REPLYDESK_CORPORA_DIR) / "mime-ruby-mail" / "multipart_report_emails";
  for (const fs::path& eml : EmlFiles(dir)) {
    EXPECT_TRUE(parser.Parse(ReadFile(eml)).auto_submitted) << eml;
  }
}

struct KnownDifference {
  std::string reason;
  bool seen = false;
};

// "legacy/001.eml subject: reason" -> key "legacy/001.eml subject".
std::map<std::string, KnownDifference> ReadKnownDifferences() {
  std::map<std::string, KnownDifference> out;
  std::istringstream in(ReadFile(REPLYDESK_KNOWN_DIFFERENCES));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    out[line.substr(0, colon)] = KnownDifference{line.substr(colon + 1)};
  }
  return out;
}

TEST(MimeCorpus, StalwartAgreement) {
  MimeParser parser;
  fs::path root = fs::path(REPLYDESK_CORPORA_DIR) / "mime-stalwart";
  std::map<std::string, KnownDifference> known = ReadKnownDifferences();
  std::map<std::string, std::pair<int, int>> agree;  // field -> (agree, total)
  std::vector<std::string> unexpected;
  for (const fs::path& eml : EmlFiles(root)) {
    fs::path json_path = eml;
    json_path.replace_extension(".json");
    if (!fs::exists(json_path)) continue;
    StalwartExpected expected = ReadStalwartExpected(ReadFile(json_path));
    ParsedMessage m = parser.Parse(ReadFile(eml));
    std::string rel = fs::relative(eml, root).string();
    for (const FieldComparison& c : CompareWithStalwart(expected, m)) {
      auto& [ok, total] = agree[c.field];
      ++total;
      std::string key = rel + " " + c.field;
      auto it = known.find(key);
      if (c.agree) ++ok;
      if (it != known.end()) {
        it->second.seen = true;
        if (c.agree) unexpected.push_back(key + ": listed as a known difference but now agrees");
      } else if (!c.agree) {
        unexpected.push_back(key + ": ours=" + c.ours + " expected=" + c.expected);
      }
    }
  }
  std::cout << "corpus mime-stalwart:";
  for (const auto& [field, counts] : agree) {
    std::cout << " " << field << " " << counts.first << "/" << counts.second << " agree;";
  }
  std::cout << std::endl;
  for (const auto& [key, difference] : known) {
    if (!difference.seen) unexpected.push_back(key + ": listed but no such file/field");
  }
  for (const std::string& u : unexpected) ADD_FAILURE() << u;
}

TEST(MimeCorpus, FixturesMatchExpectedJson) {
  MimeParser parser;
  bool update = std::getenv("REPLYDESK_UPDATE_FIXTURES") != nullptr;
  std::vector<fs::path> files = EmlFiles(REPLYDESK_FIXTURES_DIR);
  EXPECT_GE(files.size(), 5u);
  for (const fs::path& eml : files) {
    fs::path expected_path = eml;
    expected_path.replace_extension(".expected.json");
    std::string actual = InspectJson(parser.Parse(ReadFile(eml)), true) + "\n";
    if (update) {
      std::ofstream(expected_path, std::ios::binary) << actual;
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path)) << expected_path;
    EXPECT_EQ(ReadFile(expected_path), actual) << eml;
  }
}

}  // namespace
}  // namespace replydesk::mail
