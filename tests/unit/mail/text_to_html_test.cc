// Plain text to HTML for outgoing mail: escaped, quotes as blockquote, links.
#include "mail/text_to_html.h"

#include <gtest/gtest.h>

namespace replydesk::mail {
namespace {

bool Has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

TEST(TextToHtmlTest, EscapesQuotesAndLinks) {
  const std::string html = TextToHtml(
      "Hello <b>Ivan</b> & co,\r\nsee https://help.example/kb?a=1&b=2.\n\n"
      "On Monday you wrote:\n> It jams.\n> Every day.\nThanks\n");
  EXPECT_TRUE(Has(html, "Hello &lt;b&gt;Ivan&lt;/b&gt; &amp; co,<br>")) << html;
  EXPECT_TRUE(Has(html, "<a href=\"https://help.example/kb?a=1&amp;b=2\">")) << html;
  EXPECT_TRUE(Has(html, "</a>.<br>")) << html;  // the full stop is not part of the link
  EXPECT_TRUE(Has(html, "<blockquote")) << html;
  EXPECT_TRUE(Has(html, "It jams.<br>\nEvery day.<br>\n</blockquote>\nThanks<br>")) << html;
  EXPECT_FALSE(Has(html, "<b>"));
}

TEST(TextToHtmlTest, CyrillicPassesThroughAndQuoteAtEndIsClosed) {
  const std::string html = TextToHtml("Здравствуйте!\n> Вопрос");
  EXPECT_TRUE(Has(html, "Здравствуйте!<br>"));
  EXPECT_TRUE(Has(html, "Вопрос<br>\n</blockquote>"));
}

}  // namespace
}  // namespace replydesk::mail
