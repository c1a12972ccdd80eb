#include "checkers/convergence/change_vector.h"

#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

ChangeVector Cv(absl::string_view s) {
  absl::StatusOr<ChangeVector> cv = ChangeVector::Parse(s);
  EXPECT_TRUE(cv.ok()) << cv.status();
  return cv.value_or(ChangeVector());
}

TEST(ChangeVectorTest, ComparesEntryWiseByDbId) {
  EXPECT_EQ(Cv("A:1-x, B:2-y").Compare(Cv("B:2-y, A:1-x")), CvOrder::kEqual);
  EXPECT_EQ(Cv("A:1-x").Compare(Cv("A:2-x")), CvOrder::kBefore);
  EXPECT_EQ(Cv("A:2-x").Compare(Cv("A:1-x")), CvOrder::kAfter);
  EXPECT_EQ(Cv("A:2-x").Compare(Cv("A:1-x, B:1-y")), CvOrder::kConcurrent);
  EXPECT_EQ(Cv("").Compare(Cv("A:1-x")), CvOrder::kBefore);  // missing counts as 0
  // Same tag, different db ids (a restored node): different entries.
  EXPECT_EQ(Cv("A:5-x").Compare(Cv("A:1-z")), CvOrder::kConcurrent);
  EXPECT_TRUE(Cv("A:2-x, B:1-y").Contains(Cv("A:2-x")));
  EXPECT_FALSE(Cv("A:2-x").Contains(Cv("B:1-y")));
}

TEST(ChangeVectorTest, MergesAndPrintsCanonically) {
  EXPECT_EQ(Cv("B:3-y, A:1-x").Merge(Cv("A:4-x, C:1-z")).ToString(), "A:4-x, B:3-y, C:1-z");
  EXPECT_EQ(Cv("RAFT:12-tx1").ToString(), "RAFT:12-tx1");
}

TEST(ChangeVectorTest, RejectsMalformedEntries) {
  EXPECT_FALSE(ChangeVector::Parse("A7-x").ok());
  EXPECT_FALSE(ChangeVector::Parse("A:x-y").ok());
  EXPECT_FALSE(ChangeVector::Parse("A:1-").ok());
  EXPECT_NE(ChangeVector::Parse("A:1-x, junk").status().message().find("'junk'"),
            std::string::npos);
}

}  // namespace
}  // namespace ravensim::checkers
