#include "checkers/convergence/lost_update.h"

#include "checkers/history/history.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

// A committed (or not) read-modify-write of `key` after reading version `cv`.
void Rmw(history::HistoryBuilder& b, int64_t client, int64_t t, const std::string& key,
         const std::string& cv, bool committed) {
  const int64_t id = b.Invoke(client, "A", t, history::DOCUMENT_TRANSACTION, "");
  history::DocumentDetails* d = b.MutableOperation(id)->mutable_document();
  d->set_database("db");
  d->set_session_id(absl::StrCat("s", client));
  history::ReadVersion* r = d->add_reads();
  r->set_key(key);
  r->set_change_vector(cv);
  d->add_writes()->set_key(key);
  if (committed) b.Ok(id, t + 5);
  else b.Fail(id, t + 5, "concurrency exception");
}

TEST(LostUpdateTest, TwoCommittedWritersOfTheSameVersion) {
  history::HistoryBuilder b;
  Rmw(b, 1, 0, "acct/1", "A:5-a", true);
  Rmw(b, 2, 10, "acct/1", "A:5-a", true);   // read the same version: lost update
  Rmw(b, 3, 15, "acct/1", "A:5-a", false);  // rejected: not a writer
  Rmw(b, 4, 20, "acct/1", "A:6-a", true);  // read the newer version: fine
  Rmw(b, 5, 30, "acct/2", "", true);       // created from absent, alone: fine
  const std::vector<Finding> f = FindLostUpdates(std::move(b).Finish("t"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].check, "elle-lost-update");
  EXPECT_EQ(f[0].document, "acct/1");
  EXPECT_EQ(f[0].operations, (std::vector<int64_t>{0, 1}));
  EXPECT_NE(f[0].message.find("read version [A:5-a]"), std::string::npos) << f[0].message;
}

TEST(LostUpdateTest, ReadOnlyOrDisjointTransactionsAreFine) {
  history::HistoryBuilder b;
  Rmw(b, 1, 0, "a", "A:1-a", true);
  Rmw(b, 2, 10, "b", "A:1-a", true);
  EXPECT_TRUE(FindLostUpdates(std::move(b).Finish("t")).empty());
}

}  // namespace
}  // namespace ravensim::checkers
