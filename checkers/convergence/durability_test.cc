#include "checkers/convergence/durability.h"

#include "checkers/history/history.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

observation::Observations Parse(const std::string& text) {
  observation::Observations obs;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &obs)) << text;
  return obs;
}

// Records an acknowledged put of `key` = `data` that the reply gave change vector `cv`.
int64_t Put(history::HistoryBuilder& b, int64_t client, const std::string& node, int64_t t,
            const std::string& key, const std::string& data, const std::string& cv,
            int replicas = 0, std::vector<std::string> replicated_to = {}) {
  const int64_t id = b.Invoke(client, node, t, history::DOCUMENT_PUT, key);
  history::DocumentDetails* d = b.MutableOperation(id)->mutable_document();
  d->set_database("db");
  d->set_write_assurance_replicas(replicas);
  for (const std::string& n : replicated_to) d->add_replicated_to(n);
  history::DocumentWrite* w = d->add_writes();
  w->set_key(key);
  *w->mutable_value() = history::StrValue(data);
  w->set_change_vector(cv);
  b.Ok(id, t + 10);
  return id;
}

std::vector<Finding> Check(const history::History& h, const std::string& obs) {
  absl::StatusOr<std::vector<Finding>> f = CheckDurability(h, Parse(obs));
  EXPECT_TRUE(f.ok()) << f.status();
  return f.value_or(std::vector<Finding>{});
}

TEST(DurabilityTest, PresentAndSupersededWritesAreFine) {
  history::HistoryBuilder b;
  Put(b, 1, "A", 100, "x", "1", "A:1-a");
  Put(b, 1, "A", 200, "x", "2", "A:2-a");  // causally after the first
  const history::History h = std::move(b).Finish("t");
  EXPECT_TRUE(Check(h, R"pb(databases { database: "db"
      nodes { node: "A" documents { id: "x" data: "2" change_vector: "A:2-a" } }
      nodes { node: "B" documents { id: "x" data: "2" change_vector: "A:2-a" } } })pb").empty());
}

// RAVENDB_MODEL.md §3.2/§3.5: concurrent writes on A and B; B's clock is 1 s behind
// (equivalently A's ahead), so ResolveToLatest keeps A's write although B's came later.
TEST(DurabilityTest, LostUpdateUnderResolveToLatestWithSkewedClocks) {
  history::HistoryBuilder b;
  const int64_t early = Put(b, 1, "A", 100, "x", "from A", "A:1-a");
  const int64_t late = Put(b, 2, "B", 5000, "x", "from B", "B:1-b");
  const history::History h = std::move(b).Finish("t");
  const std::vector<Finding> f = Check(h, R"pb(databases { database: "db"
      nodes { node: "A" clock_offset_ns: 1000000000
        documents { id: "x" data: "from A" change_vector: "A:2-a, B:1-b" resolved: true }
        conflicted_revisions { id: "x" data: "from A" change_vector: "A:1-a" last_modified_ns: 1000000100 }
        conflicted_revisions { id: "x" data: "from B" change_vector: "B:1-b" last_modified_ns: 5000 } }
      nodes { node: "B"
        documents { id: "x" data: "from A" change_vector: "A:2-a, B:1-b" resolved: true }
        conflicted_revisions { id: "x" data: "from A" change_vector: "A:1-a" last_modified_ns: 1000000100 }
        conflicted_revisions { id: "x" data: "from B" change_vector: "B:1-b" last_modified_ns: 5000 } } })pb");
  ASSERT_EQ(f.size(), 1u) << FormatFinding(f[0]);
  EXPECT_EQ(f[0].check, "lost-update");
  EXPECT_EQ(f[0].operations, (std::vector<int64_t>{early, late}));
  EXPECT_EQ(f[0].nodes, (std::vector<std::string>{"A", "B"}));
  EXPECT_NE(f[0].message.find("in favour of #0"), std::string::npos) << f[0].message;
  EXPECT_NE(f[0].message.find("ResolveToLatest"), std::string::npos);
  EXPECT_NE(f[0].message.find("clocks were skewed (the winner was written earlier in true time"),
            std::string::npos) << f[0].message;
}

TEST(DurabilityTest, MissingWriteIsReportedUnlessItsNodeLostData) {
  history::HistoryBuilder b;
  Put(b, 1, "A", 100, "x", "1", "A:1-a");
  const history::History h = std::move(b).Finish("t");
  const std::string obs = R"pb(databases { database: "db"
      nodes { node: "A" LOST documents { id: "y" data: "2" change_vector: "B:1-b" } }
      nodes { node: "B" documents { id: "y" data: "2" change_vector: "B:1-b" } } })pb";
  std::string kept = obs, lost = obs;
  kept.replace(kept.find("LOST"), 4, "");
  lost.replace(lost.find("LOST"), 4, "lost_data: true");
  const std::vector<Finding> f = Check(h, kept);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].check, "missing-write");
  EXPECT_EQ(f[0].nodes, (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(Check(h, lost).empty());
}

// Write assurance to 1 replica (RAVENDB_MODEL.md §3.4): A and B held the write; only B
// lost its data (fewer than 2 of the replicas), so the write must have survived.
TEST(DurabilityTest, WriteAssuranceViolation) {
  history::HistoryBuilder b;
  Put(b, 1, "A", 100, "x", "1", "A:1-a", /*replicas=*/1, {"A", "B"});
  Put(b, 1, "A", 300, "z", "1", "A:2-a", /*replicas=*/2, {"A"});  // reply too short
  const history::History h = std::move(b).Finish("t");
  const std::vector<Finding> f = Check(h, R"pb(databases { database: "db"
      nodes { node: "A" documents { id: "z" data: "1" change_vector: "A:2-a" } }
      nodes { node: "B" lost_data: true documents { id: "z" data: "1" change_vector: "A:2-a" } }
      nodes { node: "C" documents { id: "z" data: "1" change_vector: "A:2-a" } } })pb");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].check, "write-assurance");
  EXPECT_EQ(f[0].document, "x");
  EXPECT_NE(f[0].message.find("fewer than 2 of its replicas lost data"), std::string::npos)
      << f[0].message;
  EXPECT_EQ(f[1].check, "write-assurance");
  EXPECT_NE(f[1].message.find("names 1 nodes"), std::string::npos) << f[1].message;
}

TEST(DurabilityTest, BadInputIsAnError) {
  history::HistoryBuilder b;
  Put(b, 1, "A", 100, "x", "1", "A1a");
  const auto r = CheckDurability(std::move(b).Finish("t"), Parse(R"pb(databases { database: "db" })pb"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("field 'document.writes.change_vector'"), std::string::npos);
}

}  // namespace
}  // namespace ravensim::checkers
