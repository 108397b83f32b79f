// HTML rendering to text.
#include "mail/html_to_text.h"

#include <gtest/gtest.h>

#include <string>

namespace replydesk::mail {
namespace {

TEST(HtmlToText, SkipsHeadScriptStyle) {
  EXPECT_EQ(HtmlToText("<html><head><title>T</title><style>p{}</style></head>"
                       "<body><script>alert(1)</script><p>Hello</p></body></html>"),
            "Hello");
}

TEST(HtmlToText, BlocksBreaksAndWhitespace) {
  EXPECT_EQ(HtmlToText("<p>One\n   two</p><p>Three<br>Four</p><div>Five</div>"),
            "One two\n\nThree\nFour\n\nFive");
}

TEST(HtmlToText, ListsAndEntities) {
  EXPECT_EQ(
      HtmlToText("<ul><li>a &amp; b</li><li>&lt;c&gt;</li></ul><ol><li>x</li><li>y</li></ol>"),
      "- a & b\n- <c>\n\n1. x\n2. y");
  EXPECT_EQ(HtmlToText("caf&eacute; &#1055;&#1088;&#1080;"), "café При");
}

TEST(HtmlToText, PreKeepsLines) { EXPECT_EQ(HtmlToText("<pre>a  b\nc</pre>"), "a  b\nc"); }

TEST(HtmlToText, DeepNestingDoesNotOverflow) {
  std::string html;
  for (int i = 0; i < 20000; ++i) html += "<div>";
  html += "deep &amp; <br>deeper";
  EXPECT_EQ(HtmlToText(html), "deep &\ndeeper");  // the tag-stripping fallback, in milliseconds
}

TEST(HtmlToText, BrokenMarkup) {
  EXPECT_EQ(HtmlToText("<p>unclosed <b>bold <i>it</p>after"), "unclosed bold it\n\nafter");
  EXPECT_EQ(HtmlToText(""), "");
}

}  // namespace
}  // namespace replydesk::mail
