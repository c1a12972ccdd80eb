#include "checkers/models.h"

#include "checkers/history/history.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

TEST(RegisterModelTest, CasSucceedsOnlyOnMatch) {
  RegisterModel m;
  const int32_t one = m.values().Intern(history::IntValue(1));
  const int32_t two = m.values().Intern(history::IntValue(2));
  RegisterModel::Input cas{history::REGISTER_CAS, two, one, 0, true};
  int32_t next;
  EXPECT_TRUE(m.Step(one, cas, false, &next));
  EXPECT_EQ(next, two);
  EXPECT_FALSE(m.Step(two, cas, false, &next));  // claimed success, but 2 != 1
  cas.successful = false;
  EXPECT_TRUE(m.Step(two, cas, false, &next));
  EXPECT_EQ(next, two);
  EXPECT_TRUE(m.Step(one, cas, true, &next));  // unknown: takes effect where it can
  EXPECT_EQ(next, two);
  EXPECT_EQ(m.DescribeState(two), "2");
  EXPECT_EQ(m.DescribeState(m.Init()), "nil");
}

TEST(KvModelTest, AppendsConcatenateAndGetsCompareExactly) {
  KvModel m;
  const int32_t a = m.InternValue("ab"), b = m.InternValue("c");
  const int32_t abc = m.InternValue("abc"), abd = m.InternValue("abd");
  int32_t s1, s2, s3;
  ASSERT_TRUE(m.Step(m.Init(), {history::KV_APPEND, a, 0}, false, &s1));
  ASSERT_TRUE(m.Step(s1, {history::KV_APPEND, b, 0}, false, &s2));
  EXPECT_TRUE(m.Step(s2, {history::KV_GET, 0, abc}, false, &s3));
  EXPECT_FALSE(m.Step(s2, {history::KV_GET, 0, abd}, false, &s3));
  EXPECT_EQ(m.DescribeState(s2), "\"abc\"");
  ASSERT_TRUE(m.Step(s2, {history::KV_PUT, b, 0}, false, &s3));
  EXPECT_TRUE(m.Step(s3, {history::KV_GET, 0, b}, false, &s1));
  EXPECT_TRUE(m.Step(m.Init(), {history::KV_GET, 0, m.InternValue("")}, false, &s1));
}

TEST(CmpxchgModelTest, FollowsRavenDbRules) {
  CmpxchgModel m;
  using Kind = CmpxchgModel::Kind;
  const int32_t v = m.values().Intern(history::StrValue("v"));
  CmpxchgModel::State absent, next;
  // Put on an absent key creates it whatever the expected index (RAVENDB_MODEL.md §4.1).
  CmpxchgModel::Input put{Kind::kPut, 42, v, 7, true, 7, true, v};
  ASSERT_TRUE(m.Step(absent, put, false, &next));
  EXPECT_EQ(next, (CmpxchgModel::State{true, 7, v}));
  // Index mismatch: unsuccessful, returns the current version.
  CmpxchgModel::Input stale{Kind::kPut, 3, v, 9, false, 7, true, v};
  CmpxchgModel::State after;
  EXPECT_TRUE(m.Step(next, stale, false, &after));
  EXPECT_EQ(after, next);
  stale.successful = true;
  EXPECT_FALSE(m.Step(next, stale, false, &after));
  // Delete on an absent key reports success.
  CmpxchgModel::Input del{Kind::kDelete, 5, 0, 0, true, 11, false, 0};
  EXPECT_TRUE(m.Step(absent, del, false, &after));
  EXPECT_FALSE(after.exists);
  // Delete with the right index removes.
  del.expected_index = 7;
  EXPECT_TRUE(m.Step(next, del, false, &after));
  EXPECT_FALSE(after.exists);
  EXPECT_EQ(m.DescribeState(next), "index=7 value=\"v\"");
}

}  // namespace
}  // namespace ravensim::checkers
