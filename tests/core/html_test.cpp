#include <herald/core/html.hpp>

#include <gtest/gtest.h>

namespace herald::core {
namespace {

TEST(HtmlEscape, EscapesEveryCharacterThatCanEndTextOrAnAttribute) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
}

TEST(HtmlEscape, LeavesOtherTextAlone) {
  EXPECT_EQ(html_escape(""), "");
  EXPECT_EQ(html_escape("/docs/caf\xc3\xa9.txt?a=1"), "/docs/caf\xc3\xa9.txt?a=1");
}

}  // namespace
}  // namespace herald::core
