#include "sim/prng.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

// Published reference outputs. If any of these change, every seed's run changes.

TEST(SplitMix64Test, MatchesReferenceForSeed1234567) {
  uint64_t state = 1234567;
  const uint64_t expected[] = {6457827717110365317ULL, 3203168211198807973ULL,
                               9817491932198370423ULL, 4593380528125082431ULL,
                               16408922859458223821ULL};
  for (uint64_t e : expected) EXPECT_EQ(SplitMix64(&state), e);
}

TEST(SplitMix64Test, MatchesReferenceForSeedZero) {
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64(&state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64(&state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(SplitMix64(&state), 0x06c45d188009454fULL);
  EXPECT_EQ(SplitMix64(&state), 0xf88bb8a8724c81ecULL);
}

TEST(PrngTest, XoshiroMatchesReferenceFromState1234) {
  Prng prng = Prng::FromState({1, 2, 3, 4});
  const uint64_t expected[] = {11520ULL,
                               0ULL,
                               1509978240ULL,
                               1215971899390074240ULL,
                               1216172134540287360ULL,
                               607988272756665600ULL,
                               16172922978634559625ULL,
                               8476171486693032832ULL,
                               10595114339597558777ULL,
                               2904607092377533576ULL};
  for (uint64_t e : expected) EXPECT_EQ(prng.Next(), e);
}

TEST(PrngTest, SeedingUsesSplitMix64) {
  // The state of Prng(seed) is four consecutive splitmix64 outputs of the seed.
  uint64_t s = 42;
  std::array<uint64_t, 4> state;
  for (auto& w : state) w = SplitMix64(&s);
  Prng seeded(42);
  Prng from_state = Prng::FromState(state);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(seeded.Next(), from_state.Next());
}

TEST(PrngTest, PinnedFirstOutputsOfSeed1) {
  // Pins the whole pipeline (splitmix64 seeding + xoshiro256**) for one seed, computed
  // from the two reference algorithms above.
  Prng prng(1);
  uint64_t s = 1;
  std::array<uint64_t, 4> st;
  for (auto& w : st) w = SplitMix64(&s);
  Prng reference = Prng::FromState(st);
  std::vector<uint64_t> got, want;
  for (int i = 0; i < 8; ++i) {
    got.push_back(prng.Next());
    want.push_back(reference.Next());
  }
  EXPECT_EQ(got, want);
  EXPECT_NE(got[0], got[1]);
}

TEST(PrngTest, SameSeedSameSequenceDifferentSeedDifferent) {
  Prng a(7), b(7), c(8);
  bool any_difference = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    if (x != c.Next()) any_difference = true;
  }
  EXPECT_TRUE(any_difference);
}

TEST(PrngTest, ForkedStreamsAreIndependentOfDrawsOnOtherStreams) {
  Prng root1(99), root2(99);
  Prng net1 = root1.Fork(StreamId::kNetwork);
  Prng disk1 = root1.Fork(StreamId::kDisk);
  // Extra draws on root2's network stream and on root2 itself.
  Prng net2 = root2.Fork(StreamId::kNetwork);
  for (int i = 0; i < 1000; ++i) net2.Next();
  for (int i = 0; i < 1000; ++i) root2.Next();
  Prng disk2 = root2.Fork(StreamId::kDisk);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(disk1.Next(), disk2.Next());
  // And distinct ids give distinct streams.
  EXPECT_NE(net1.Next(), root1.Fork(StreamId::kDisk).Next());
}

TEST(PrngTest, NestedForksDependOnPath) {
  Prng root(5);
  Prng a = root.Fork(StreamId::kTimers).Fork(0);
  Prng b = root.Fork(StreamId::kTimers).Fork(1);
  Prng c = root.Fork(StreamId::kWorkload).Fork(0);
  const uint64_t x = a.Next(), y = b.Next(), z = c.Next();
  EXPECT_NE(x, y);
  EXPECT_NE(x, z);
  EXPECT_EQ(root.Fork(StreamId::kTimers).Fork(0).Next(), x);
}

TEST(PrngTest, UniformBelowStaysInRangeAndCoversIt) {
  Prng prng(3);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = prng.UniformBelow(10);
    ASSERT_LT(v, 10u);
    ++counts[v];
  }
  for (int c : counts) {
    EXPECT_GT(c, 9500);
    EXPECT_LT(c, 10500);
  }
  EXPECT_EQ(prng.UniformBelow(1), 0u);
}

TEST(PrngTest, UniformInIsInclusive) {
  Prng prng(4);
  bool saw_low = false, saw_high = false;
  for (int i = 0; i < 10000; ++i) {
    const int64_t v = prng.UniformIn(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
    saw_low |= v == -3;
    saw_high |= v == 3;
  }
  EXPECT_TRUE(saw_low);
  EXPECT_TRUE(saw_high);
  EXPECT_EQ(prng.UniformIn(5, 5), 5);
}

TEST(PrngTest, ChanceMatchesRatio) {
  Prng prng(11);
  int hits = 0;
  for (int i = 0; i < 100000; ++i) hits += prng.Chance(1, 4);
  EXPECT_GT(hits, 24000);
  EXPECT_LT(hits, 26000);
  EXPECT_FALSE(prng.Chance(0, 10));
  EXPECT_TRUE(prng.Chance(10, 10));
}

TEST(FixedPointTest, Log2AndExp2) {
  EXPECT_EQ(Log2Q32(1), 0u);
  EXPECT_EQ(Log2Q32(2), uint64_t{1} << 32);
  EXPECT_EQ(Log2Q32(1024), uint64_t{10} << 32);
  EXPECT_EQ(Log2Q32(uint64_t{1} << 63), uint64_t{63} << 32);
  // log2(3 * 2^62) = 63.5849625007.
  EXPECT_NEAR(static_cast<double>(Log2Q32(uint64_t{3} << 62)),
              63.0 * 4294967296.0 + 2512394810.0, 8.0);
  // log2(3) = 1.5849625007; Q32 = 6807362106.0
  EXPECT_NEAR(static_cast<double>(Log2Q32(3)), 6807362106.0, 4.0);
  EXPECT_EQ(Exp2Q32(0), uint64_t{1} << 32);
  EXPECT_EQ(Exp2Q32(int64_t{3} << 32), uint64_t{8} << 32);
  EXPECT_EQ(Exp2Q32(-(int64_t{1} << 32)), uint64_t{1} << 31);
  // 2^0.5 = 1.41421356237; Q32 = 6074001000.1
  EXPECT_NEAR(static_cast<double>(Exp2Q32(int64_t{1} << 31)), 6074001000.0, 8.0);
}

TEST(PrngTest, ExponentialHasTheRequestedMean) {
  Prng prng(12);
  const int64_t mean = 1000000;
  int64_t sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const int64_t v = prng.Exponential(mean);
    ASSERT_GE(v, 0);
    ASSERT_LE(v, 64 * mean);
    sum += v;
  }
  EXPECT_NEAR(static_cast<double>(sum) / n, static_cast<double>(mean), mean * 0.01);
  EXPECT_EQ(prng.Exponential(0), 0);
}

// The exponential as it was written before its table became a compile-time constant and
// its first round moved inline: the table built at run time with the checked Log2Q32,
// every round in one loop. Prng::Exponential must draw exactly the same values.
int64_t ReferenceExponential(Prng& prng, int64_t mean) {
  constexpr int kBits = 10;
  constexpr int kSize = 1 << kBits;
  static const std::vector<uint64_t> table = [] {
    std::vector<uint64_t> t(kSize);
    for (int k = 0; k < kSize; ++k) {
      const uint64_t neg_log2 =
          (uint64_t{kBits} << 32) - Log2Q32(static_cast<uint64_t>(kSize - k));
      t[k] = static_cast<uint64_t>((static_cast<unsigned __int128>(neg_log2) * 2977044472ULL) >>
                                   32);
    }
    return t;
  }();
  if (mean == 0) return 0;
  const unsigned __int128 cap = static_cast<unsigned __int128>(mean) * 64;
  unsigned __int128 total = 0;
  while (true) {
    const uint64_t r = prng.Next();
    const uint64_t k = r >> (64 - kBits);
    if (k + 1 == kSize) {
      total += table[k];
      if (((total * static_cast<uint64_t>(mean)) >> 32) >= cap) {
        return static_cast<int64_t>(cap);
      }
      continue;
    }
    const uint64_t fraction = (r >> (32 - kBits)) & 0xffffffffULL;
    total += table[k] + (((table[k + 1] - table[k]) * fraction) >> 32);
    unsigned __int128 value = (total * static_cast<uint64_t>(mean)) >> 32;
    if (value > cap) value = cap;
    return static_cast<int64_t>(value);
  }
}

// A mean so long that 64 means, or even 7, pass INT64_MAX: draws saturate there instead
// of wrapping negative (a scenario's mean_interval of a million hours once made the
// fault plan schedule in the past). Below that bound the draws are unchanged.
TEST(PrngTest, ExponentialOfAHugeMeanSaturates) {
  for (const int64_t mean : {INT64_MAX / 64 + 1, INT64_MAX / 7, INT64_MAX / 2, INT64_MAX}) {
    Prng prng(5);
    int saturated = 0;
    for (int i = 0; i < 20'000; ++i) {
      const int64_t v = prng.Exponential(mean);
      ASSERT_GE(v, 0) << mean << " " << i;
      if (v == INT64_MAX) ++saturated;
    }
    // P(draw > INT64_MAX) is e^(-INT64_MAX / mean): some draws reach the cap unless the
    // mean is near INT64_MAX / 64.
    if (mean >= INT64_MAX / 7) {
      EXPECT_GT(saturated, 0) << mean;
    }
  }
  EXPECT_EQ(prng_internal::ExponentialCap(INT64_MAX / 64), (INT64_MAX / 64) * 64);
  EXPECT_EQ(prng_internal::ExponentialCap(INT64_MAX / 64 + 1),
            static_cast<unsigned __int128>(INT64_MAX));
}

TEST(PrngTest, ExponentialTableMatchesRuntimeLog2) {
  for (int k = 0; k < prng_internal::kExpTableSize; ++k) {
    const uint64_t neg_log2 =
        (uint64_t{10} << 32) - Log2Q32(static_cast<uint64_t>(prng_internal::kExpTableSize - k));
    ASSERT_EQ(prng_internal::kNegLnTable[k],
              static_cast<uint64_t>(
                  (static_cast<unsigned __int128>(neg_log2) * 2977044472ULL) >> 32))
        << k;
  }
}

TEST(PrngTest, ExponentialDrawsMatchTheReference) {
  // Means from 1 ns to beyond 2^40, so the cap and the 128-bit products are exercised;
  // 2.4 million draws in all reach the last-interval tail about 2,300 times.
  const int64_t means[] = {1, 3, 300'000, 400'000, 1'000'000'007, int64_t{1} << 42};
  int tail_rounds = 0;
  for (const int64_t mean : means) {
    Prng a(99), b(99);
    for (int i = 0; i < 400'000; ++i) {
      Prng peek = b;
      if ((peek.Next() >> 54) == 1023) ++tail_rounds;
      ASSERT_EQ(a.Exponential(mean), ReferenceExponential(b, mean)) << mean << " " << i;
    }
    ASSERT_EQ(a.Next(), b.Next());  // Both consumed the same number of draws.
  }
  EXPECT_GT(tail_rounds, 1000);
  // A state whose first draw falls in the last interval, twice in a row: the tail's
  // extra rounds and its cap check.
  Prng tail = Prng::FromState({1, 2, 3, 4});
  Prng reference = tail;
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_EQ(tail.Exponential(7), ReferenceExponential(reference, 7));
  }
  EXPECT_EQ(Prng(5).Exponential(0), 0);
}

TEST(PrngTest, LogNormalishRespectsBoundsAndMedian) {
  Prng prng(13);
  std::vector<int64_t> values;
  for (int i = 0; i < 20001; ++i) {
    const int64_t v = prng.LogNormalish(100, 1000, 50000);
    ASSERT_GE(v, 100);
    ASSERT_LE(v, 50000);
    values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  EXPECT_NEAR(static_cast<double>(values[10000]), 1000.0, 60.0);
  // Right-skewed: the 90th percentile is further from the median than the 10th.
  EXPECT_GT(values[18000] - 1000, 1000 - values[2000]);
}

}  // namespace
}  // namespace ravensim::sim
