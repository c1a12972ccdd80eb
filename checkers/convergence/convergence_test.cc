#include "checkers/convergence/convergence.h"

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

observation::Observations Parse(const std::string& text) {
  observation::Observations obs;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &obs)) << text;
  return obs;
}

std::vector<Finding> Check(const std::string& text) {
  absl::StatusOr<std::vector<Finding>> f = CheckConvergence(Parse(text));
  EXPECT_TRUE(f.ok()) << f.status();
  return f.value_or(std::vector<Finding>{});
}

constexpr char kConverged[] = R"pb(
  databases {
    database: "db"
    nodes { node: "A" documents { id: "users/1" data: "{\"n\":1}" change_vector: "A:2-a, B:1-b" }
            documents { id: "users/2" is_tombstone: true change_vector: "B:3-b" } }
    nodes { node: "B" documents { id: "users/2" is_tombstone: true change_vector: "B:3-b" }
            documents { id: "users/1" data: "{\"n\":1}" change_vector: "B:1-b, A:2-a" } }
    nodes { node: "C" role: REHAB caught_up: false }
  })pb";

TEST(ConvergenceTest, IdenticalNodesConvergeAndLaggingRehabIsIgnored) {
  EXPECT_TRUE(Check(kConverged).empty());
}

TEST(ConvergenceTest, ReportsEachDivergenceWithDocumentAndNodes) {
  std::string text = kConverged;
  text.replace(text.find("caught_up: false"), 16, "caught_up: true");  // C must match now
  const std::vector<Finding> f = Check(text);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].check, "divergence");
  EXPECT_EQ(f[0].document, "users/1");
  EXPECT_EQ(f[0].nodes, (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_NE(f[0].message.find("C hold absent"), std::string::npos) << f[0].message;
  EXPECT_EQ(f[1].document, "users/2");
  EXPECT_NE(FormatFinding(f[0]).find("[divergence] db/users/1 (nodes A,B,C)"), std::string::npos);
}

TEST(ConvergenceTest, ChangeVectorAndTombstoneDifferencesCount) {
  const std::vector<Finding> f = Check(R"pb(
    databases { database: "db"
      nodes { node: "A" documents { id: "x" data: "1" change_vector: "A:2-a" }
                        documents { id: "y" is_tombstone: true change_vector: "A:3-a" } }
      nodes { node: "B" documents { id: "x" data: "1" change_vector: "A:2-a, B:1-b" }
                        documents { id: "y" data: "" change_vector: "A:3-a" } } })pb");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].document, "x");
  EXPECT_EQ(f[1].document, "y");
}

TEST(ConvergenceTest, ConflictsMustMatchToo) {
  const std::vector<Finding> f = Check(R"pb(
    databases { database: "db" policy: NO_RESOLVER
      nodes { node: "A" conflicts { id: "x" versions { data: "1" change_vector: "A:1-a" }
                                             versions { data: "2" change_vector: "B:1-b" } } }
      nodes { node: "B" conflicts { id: "x" versions { data: "2" change_vector: "B:1-b" }
                                             versions { data: "1" change_vector: "A:1-a" } } }
      nodes { node: "C" documents { id: "x" data: "2" change_vector: "A:1-a, B:1-b, C:1-c" resolved: true } } })pb");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].check, "conflict-policy");  // C resolved with no resolver configured
  EXPECT_EQ(f[1].check, "divergence");
  EXPECT_EQ(f[1].nodes, (std::vector<std::string>{"A", "B", "C"}));
}

TEST(ConvergenceTest, ResolveToLatestMustKeepTheLargestLastModified) {
  const std::string base = R"pb(
    databases { database: "db"
      nodes { node: "A"
        documents { id: "x" data: "DATA" change_vector: "A:2-a, B:1-b" resolved: true }
        conflicted_revisions { id: "x" data: "from A" change_vector: "A:1-a" last_modified_ns: 500 }
        conflicted_revisions { id: "x" data: "from B" change_vector: "B:1-b" last_modified_ns: 200 } } })pb";
  std::string good = base, bad = base;
  good.replace(good.find("DATA"), 4, "from A");
  bad.replace(bad.find("DATA"), 4, "from B");
  EXPECT_TRUE(Check(good).empty());
  const std::vector<Finding> f = Check(bad);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].check, "conflict-policy");
  EXPECT_NE(f[0].message.find("LastModified 500"), std::string::npos) << f[0].message;
}

TEST(ConvergenceTest, MalformedChangeVectorIsAnError) {
  const auto r = CheckConvergence(Parse(R"pb(
    databases { database: "db" nodes { node: "A" documents { id: "x" change_vector: "bogus" } } })pb"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("db node A document x"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace ravensim::checkers
