#include "core/rachis/quorum.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

TEST(QuorumIndexTest, Examples) {
  EXPECT_EQ(QuorumIndex(std::vector<uint64_t>{5, 3, 9, 3, 1}, 3), 3u);
  EXPECT_EQ(QuorumIndex(std::vector<uint64_t>{5, 3, 9, 4, 1}, 3), 4u);
  EXPECT_EQ(QuorumIndex(std::vector<uint64_t>{0, 0, 0}, 2), 0u);
  EXPECT_EQ(QuorumIndex(std::vector<uint64_t>{7}, 1), 7u);
  EXPECT_EQ(QuorumIndex(std::vector<uint64_t>{7, 2}, 2), 2u);
}

// The in-place count must agree with the sorting reference on every small cluster shape,
// ties and zeros included.
TEST(QuorumIndexTest, AgreesWithTheSortingReference) {
  uint64_t x = 99;
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  };
  for (int round = 0; round < 20000; ++round) {
    const size_t count = 1 + next() % 20;
    const uint64_t spread = 1 + next() % (round % 2 == 0 ? 4 : 1000);
    std::vector<uint64_t> matches(count);
    for (uint64_t& m : matches) m = next() % spread;
    const int majority = static_cast<int>(count / 2 + 1);
    for (int q = 1; q <= static_cast<int>(count); q += (q == majority ? 1 : 3)) {
      ASSERT_EQ(QuorumIndex(matches, q), QuorumIndexBySort(matches, q))
          << "round " << round << " count " << count << " q " << q;
    }
  }
}

}  // namespace
}  // namespace ravensim::rachis
