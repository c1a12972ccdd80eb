#include "checkers/render.h"

#include "checkers/history/history.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

history::History StaleRead() {
  history::HistoryBuilder b;
  int64_t id = b.Invoke(1, "A", 0, history::REGISTER_WRITE, "x");
  *b.MutableOperation(id)->mutable_value() = history::IntValue(1);
  b.Ok(id, 10);
  id = b.Invoke(1, "A", 20, history::REGISTER_WRITE, "x");
  *b.MutableOperation(id)->mutable_value() = history::IntValue(2);
  b.Ok(id, 30);
  id = b.Invoke(2, "B", 40, history::REGISTER_READ, "x");
  *b.MutableOperation(id)->mutable_result() = history::IntValue(1);
  const int64_t unknown = b.Invoke(3, "C", 45, history::REGISTER_WRITE, "x");
  *b.MutableOperation(unknown)->mutable_value() = history::IntValue(3);
  b.Ok(id, 50);
  return std::move(b).Finish("t");  // #3 stays unknown
}

TEST(RenderTest, TextNamesCounterexampleAndPrefix) {
  const history::History h = StaleRead();
  const auto r = CheckLinearizability(h, LinearizabilityOptions());
  ASSERT_TRUE(r.ok());
  const std::string text = RenderText(h, *r);
  EXPECT_EQ(text.rfind("not linearizable: key 'x'", 0), 0u) << text;
  EXPECT_NE(text.find("counterexample for key 'x'"), std::string::npos) << text;
  EXPECT_NE(text.find("#2 c2@B register_read k=x -> ok 1"), std::string::npos) << text;
  EXPECT_NE(text.find("longest linearizable prefix (3 operations)"), std::string::npos) << text;
  EXPECT_NE(text.find("then no order can place #2"), std::string::npos) << text;
}

TEST(RenderTest, HtmlHasOneRowPerClientAndMarksFailures) {
  const history::History h = StaleRead();
  const auto r = CheckLinearizability(h, LinearizabilityOptions());
  ASSERT_TRUE(r.ok());
  const std::string html = RenderHtml(h, *r, "stale <read>");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("stale &lt;read&gt;"), std::string::npos);
  EXPECT_NE(html.find(">client 1<"), std::string::npos);
  EXPECT_NE(html.find(">client 3<"), std::string::npos);
  EXPECT_NE(html.find("fill='#fc9272'"), std::string::npos);     // counterexample
  EXPECT_NE(html.find("stroke-width='3'"), std::string::npos);    // stuck operation
  EXPECT_NE(html.find("stroke-dasharray"), std::string::npos);    // unknown outcome
  EXPECT_EQ(html.find("<script"), std::string::npos);             // self-contained, static
}

}  // namespace
}  // namespace ravensim::checkers
