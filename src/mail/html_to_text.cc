// HTML rendering to text: see html_to_text.h. The walk is iterative (an
// explicit stack), so a message with 100 000 nested <div>s cannot exhaust
// the C++ stack. gumbo's tree building is quadratic in nesting depth (20 000
// unclosed <div>s took 30 s), so deeply nested markup is stripped by a
// plain tag scanner instead.
#include "mail/html_to_text.h"

#include <gumbo.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace replydesk::mail {
namespace {

struct GumboOutputFree {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};

bool IsSkipped(GumboTag tag) {
  return tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_HEAD ||
         tag == GUMBO_TAG_TITLE || tag == GUMBO_TAG_NOSCRIPT || tag == GUMBO_TAG_TEMPLATE;
}

// Line breaks an element puts around itself: 2 = paragraph, 1 = line.
int BlockBreaks(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_DL:
      return 2;
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT:
      return 1;
    default:
      return 0;
  }
}

class TextBuilder {
 public:
  void Text(std::string_view text, bool preformatted) {
    for (char c : text) {
      bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
      if (preformatted) {
        if (c == '\r') continue;
        if (c == '\n') {
          LineBreak();
          continue;
        }
        Emit(c);
      } else if (space) {
        pending_space_ = true;
      } else {
        Emit(c);
      }
    }
  }
  // Ends the current line (n = 1) or paragraph (n = 2).
  void Break(int n) {
    if (out_.empty()) return;
    pending_newlines_ = std::max(pending_newlines_, n);
  }
  // <br>: always a new line, even several in a row (kept up to one blank line).
  void LineBreak() { pending_newlines_ = std::min(pending_newlines_ + 1, 2); }
  void Prefix(std::string_view prefix) {
    FlushBreaks();
    out_ += prefix;
    pending_space_ = false;
  }
  std::string Finish() {
    std::string result;
    for (size_t i = 0; i < out_.size(); ++i) {  // drop spaces before line ends
      if (out_[i] == '\n') {
        while (!result.empty() && result.back() == ' ') result.pop_back();
      }
      result += out_[i];
    }
    while (!result.empty() && (result.back() == '\n' || result.back() == ' ')) result.pop_back();
    return result;
  }

 private:
  void FlushBreaks() {
    if (pending_newlines_ > 0) {
      size_t have = 0;
      while (have < out_.size() && out_[out_.size() - 1 - have] == '\n') ++have;
      if (!out_.empty() && have < static_cast<size_t>(pending_newlines_)) {
        out_.append(pending_newlines_ - have, '\n');
      }
      pending_space_ = false;
    }
    pending_newlines_ = 0;
  }
  void Emit(char c) {
    FlushBreaks();
    if (pending_space_ && !out_.empty() && out_.back() != '\n' && out_.back() != ' ') out_ += ' ';
    pending_space_ = false;
    out_ += c;
  }

  std::string out_;
  int pending_newlines_ = 0;
  bool pending_space_ = false;
};

struct Frame {
  const GumboNode* node;
  size_t next_child = 0;
  int list_counter = 0;  // for <ol>: number of the last item
  bool entered = false;
};

void Enter(Frame& frame, std::vector<Frame>& stack, TextBuilder& out) {
  const GumboElement& e = frame.node->v.element;
  if (e.tag == GUMBO_TAG_BR) out.LineBreak();
  out.Break(BlockBreaks(e.tag));
  if (e.tag == GUMBO_TAG_TD || e.tag == GUMBO_TAG_TH) out.Text(" ", false);
  if (e.tag == GUMBO_TAG_LI) {
    Frame* list = nullptr;
    for (auto it = stack.rbegin() + 1; it != stack.rend(); ++it) {
      GumboTag t = it->node->v.element.tag;
      if (t == GUMBO_TAG_OL || t == GUMBO_TAG_UL) {
        list = &*it;
        break;
      }
    }
    if (list != nullptr && list->node->v.element.tag == GUMBO_TAG_OL) {
      out.Prefix(std::to_string(++list->list_counter) + ". ");
    } else {
      out.Prefix("- ");
    }
  }
}

// Rough nesting depth: opening tags minus closing ones, ignoring void and
// implicitly closed elements. Cheap, and only used to avoid gumbo's worst case.
int EstimateDepth(std::string_view html) {
  static const char* kFlat[] = {"br",   "img",  "hr",  "meta", "input",  "link",
                                "area", "base", "col", "wbr",  "source", "p",
                                "li",   "td",   "tr",  "th",   "option"};
  int depth = 0, max_depth = 0;
  for (size_t i = 0; i + 1 < html.size(); ++i) {
    if (html[i] != '<') continue;
    bool closing = html[i + 1] == '/';
    size_t start = i + (closing ? 2 : 1), end = start;
    while (end < html.size() && isalnum(static_cast<unsigned char>(html[end]))) ++end;
    if (end == start) continue;
    std::string name(html.substr(start, end - start));
    for (char& c : name) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    if (std::find(std::begin(kFlat), std::end(kFlat), name) != std::end(kFlat)) continue;
    depth += closing ? -1 : 1;
    max_depth = std::max(max_depth, depth);
  }
  return max_depth;
}

// Fallback for pathological markup: tags dropped, <br> and block ends become
// line breaks, the common entities decoded.
std::string StripTags(std::string_view html) {
  TextBuilder out;
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      size_t end = html.find('>', i);
      std::string tag(html.substr(i + 1, end == html.npos ? html.npos : end - i - 1));
      for (char& c : tag) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
      if (tag.starts_with("br")) out.LineBreak();
      if (tag.starts_with("/p") || tag.starts_with("/div") || tag.starts_with("/li")) out.Break(1);
      if (end == html.npos) break;
      i = end + 1;
      continue;
    }
    if (html[i] == '&') {
      static const std::pair<const char*, const char*> kEntities[] = {
          {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&nbsp;", " "}};
      bool replaced = false;
      for (const auto& [entity, text] : kEntities) {
        if (html.substr(i).starts_with(entity)) {
          out.Text(text, false);
          i += strlen(entity);
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
    }
    out.Text(html.substr(i, 1), false);
    ++i;
  }
  return out.Finish();
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  if (EstimateDepth(html) > 1000) return StripTags(html);
  std::unique_ptr<GumboOutput, GumboOutputFree> output(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()));
  if (output == nullptr) return {};
  TextBuilder out;
  std::vector<Frame> stack;
  stack.push_back(Frame{output->root});
  int pre_depth = 0;
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const GumboElement& e = frame.node->v.element;
    if (!frame.entered) {
      frame.entered = true;
      Enter(frame, stack, out);
      if (e.tag == GUMBO_TAG_PRE) ++pre_depth;
    }
    if (frame.next_child >= e.children.length) {
      out.Break(BlockBreaks(e.tag));
      if (e.tag == GUMBO_TAG_PRE) --pre_depth;
      stack.pop_back();
      if (!stack.empty()) ++stack.back().next_child;
      continue;
    }
    auto* child = static_cast<const GumboNode*>(e.children.data[frame.next_child]);
    if (child->type == GUMBO_NODE_ELEMENT || child->type == GUMBO_NODE_TEMPLATE) {
      if (IsSkipped(child->v.element.tag)) {
        ++frame.next_child;
      } else {
        stack.push_back(Frame{child});
      }
      continue;
    }
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE ||
        child->type == GUMBO_NODE_CDATA) {
      out.Text(child->v.text.text, pre_depth > 0);
    }
    ++frame.next_child;
  }
  return out.Finish();
}

}  // namespace replydesk::mail
