// Corpus agreement of the reply trimmer (mail/reply_trimmer.h) with the
// shared reply corpora (../shared/corpora/reply-*, see their SOURCE.md):
// reply-github, reply-crisp and reply-willdurand hold a peer's output
// (email-reply-parser 2.3.9), compared on visible_text; reply-ru-bg-ro is
// ground truth, compared on visible_text, signature and whether a quote was
// found, and must agree on every file. Agreement per folder is printed. A
// peer disagreement fails unless reply_trim_known_differences.txt lists it
// with the reason; a listed file that agrees again fails too.
// Comparison ignores what the peers' outputs do not keep stable: CR before
// LF, trailing whitespace on each line, and blank lines at either end.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mail/reply_trimmer.h"

namespace replydesk::mail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGroundTruth = "reply-ru-bg-ro";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Normalize(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t end = line.find_last_not_of(" \t\r");
    lines.push_back(end == std::string::npos ? "" : line.substr(0, end + 1));
  }
  size_t first = 0, last = lines.size();
  while (first < last && lines[first].empty()) ++first;
  while (last > first && lines[last - 1].empty()) --last;
  std::string out;
  for (size_t k = first; k < last; ++k) out += (k > first ? "\n" : "") + lines[k];
  return out;
}

struct KnownDifference {
  std::string reason;
  bool seen = false;
};

// "reply-github/email_2_1.txt: reason" -> key "reply-github/email_2_1.txt".
std::map<std::string, KnownDifference> ReadKnownDifferences() {
  std::map<std::string, KnownDifference> out;
  std::istringstream in(ReadFile(REPLYDESK_REPLY_KNOWN_DIFFERENCES));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    out[line.substr(0, colon)] = KnownDifference{line.substr(colon + 1)};
  }
  return out;
}

std::string Percent(int ok, int total) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", total == 0 ? 0.0 : 100.0 * ok / total);
  return buf;
}

struct FolderResult {
  int files = 0;
  int visible_agree = 0;
  int signature_agree = 0;
  int quoted_agree = 0;
};

TEST(ReplyTrimCorpus, AgreementPerFolder) {
  std::map<std::string, KnownDifference> known = ReadKnownDifferences();
  std::vector<std::string> unexpected;
  for (const char* folder : {"reply-github", "reply-crisp", "reply-willdurand", kGroundTruth}) {
    fs::path dir = fs::path(REPLYDESK_CORPORA_DIR) / folder;
    nlohmann::json expected = nlohmann::json::parse(ReadFile(dir / "expected-visible.json"));
    bool ground_truth = std::string(folder) == kGroundTruth;
    FolderResult r;
    for (const auto& [file, want] : expected.items()) {
      ASSERT_TRUE(fs::exists(dir / file)) << folder << "/" << file;
      TrimmedReply got = TrimReply(ReadFile(dir / file));
      bool visible = Normalize(got.visible_text) == Normalize(want["visible_text"]);
      bool signature = Normalize(got.signature) == Normalize(want["signature"]);
      bool quoted = got.quoted.empty() != want["quoted"].get<bool>();
      ++r.files;
      r.visible_agree += visible;
      r.signature_agree += signature;
      r.quoted_agree += quoted;
      bool agree = visible && (!ground_truth || (signature && quoted));
      std::string key = std::string(folder) + "/" + file;
      auto it = known.find(key);
      if (it != known.end()) {
        it->second.seen = true;
        if (ground_truth) unexpected.push_back(key + ": ground truth may not be listed");
        if (agree) unexpected.push_back(key + ": listed as a known difference but now agrees");
      } else if (!agree) {
        unexpected.push_back(key + ": visible_text ours=\n" + got.visible_text +
                             "\n--- expected=\n" + want["visible_text"].get<std::string>() +
                             "\n--- signature ours=\n" + got.signature);
      }
    }
    std::cout << "corpus " << folder << ": visible_text " << r.visible_agree << "/" << r.files
              << " agree (" << Percent(r.visible_agree, r.files) << "); signature "
              << r.signature_agree << "/" << r.files << " (" << Percent(r.signature_agree, r.files)
              << "); quote found " << r.quoted_agree << "/" << r.files << " ("
              << Percent(r.quoted_agree, r.files) << ")"
              << (ground_truth ? " [ground truth: all three must agree]" : "") << std::endl;
  }
  for (const auto& [key, difference] : known) {
    if (!difference.seen) unexpected.push_back(key + ": listed but no such fixture");
  }
  for (const std::string& u : unexpected) ADD_FAILURE() << u;
}

}  // namespace
}  // namespace replydesk::mail
