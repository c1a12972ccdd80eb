// sim::Prng: the one source of randomness in a simulation (DESIGN.md §2, STYLE.md §C).
//
// xoshiro256** (Blackman & Vigna) seeded through splitmix64. Every distribution here is
// written with integer (or fixed-point) arithmetic so a run draws exactly the same values
// with any compiler or standard library; std:: distributions are banned because their
// algorithms differ between library versions.
//
// Streams: Fork(stream_id) derives an independent generator from this generator's *seed*
// and the id, never from its current state, so extra draws on one stream cannot shift
// another. Give each component a fixed id (see StreamId) and fork again for per-node
// streams: root.Fork(StreamId::kTimers).Fork(node_index).
//
// Thread-compatible: a Prng belongs to one simulation, which runs on one thread.
#ifndef RAVENSIM_SIM_PRNG_H_
#define RAVENSIM_SIM_PRNG_H_

#include <array>
#include <cstdint>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"

namespace ravensim::sim {

// Fixed sub-stream ids. Never renumber: that would change every seed's run.
enum class StreamId : uint64_t {
  kNetwork = 1,
  kDisk = 2,
  kTimers = 3,
  kWorkload = 4,
  kFaultSchedule = 5,
  kProcess = 6,
  kClock = 7,
  kScenario = 8,
  kNodes = 9,
};

// One step of splitmix64: advances *state and returns the mixed output.
uint64_t SplitMix64(uint64_t* state);

class Prng {
 public:
  explicit Prng(uint64_t seed);

  // A generator whose xoshiro256** state is exactly `state` (for reference-vector tests;
  // simulations always seed through the constructor). REQUIRES: state is not all zero.
  static Prng FromState(const std::array<uint64_t, 4>& state);

  // The seed this generator was built from (forks derive from it).
  uint64_t seed() const { return seed_; }

  // A generator independent of this one, fixed by (seed(), stream_id).
  Prng Fork(uint64_t stream_id) const;
  Prng Fork(StreamId stream_id) const { return Fork(static_cast<uint64_t>(stream_id)); }

  // Next raw 64-bit output of xoshiro256**. Inline: every draw starts here.
  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n), unbiased (Lemire's multiply-and-reject). REQUIRES: n > 0.
  uint64_t UniformBelow(uint64_t n);

  // Uniform in [a, b], both inclusive. REQUIRES: a <= b.
  int64_t UniformIn(int64_t a, int64_t b);

  // True with probability numerator/denominator. REQUIRES: denominator > 0;
  // numerator >= denominator is always true, numerator == 0 always false.
  bool Chance(uint64_t numerator, uint64_t denominator);

  // Exponentially distributed integer with the given mean: inverse transform through a
  // 1024-entry fixed-point table of -ln(1 - u) (a compile-time constant, from Log2Q32's
  // algorithm) with linear interpolation; capped at 64 * mean so one draw can never
  // stall a run, and at INT64_MAX so a mean of centuries cannot wrap.
  // REQUIRES: mean >= 0.
  // Inline for the first table round (all but 1 draw in 1024); the rest out of line.
  int64_t Exponential(int64_t mean);

  // A right-skewed delay in [min, max] whose median is about `median`: median scaled by
  // 2^z, z approximately normal with standard deviation `spread_eighths`/8 (sum of four
  // uniforms), then clamped. Integer-only. Models network latency with a long tail.
  // REQUIRES: 0 <= min <= median <= max, spread_eighths <= 64.
  int64_t LogNormalish(int64_t min, int64_t median, int64_t max,
                       int64_t spread_eighths = 4);

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  // Exponential out of line: mean == 0, negative (checked) or above kExpFastMeanMax.
  __attribute__((noinline)) int64_t ExponentialSlow(int64_t mean);
  // The first table round, for a positive mean (saturating above kExpFastMeanMax).
  int64_t ExponentialFirstRound(int64_t mean);
  // The first round fell in the table's last interval.
  __attribute__((noinline)) int64_t ExponentialTail(int64_t mean);

  uint64_t seed_;
  std::array<uint64_t, 4> state_;
};

namespace prng_internal {

// The largest mean whose first-round draws (under 7 * mean) cannot pass INT64_MAX.
inline constexpr int64_t kExpFastMeanMax = INT64_MAX / 7;

// Exponential's largest draw: 64 * mean, or INT64_MAX when that is larger.
constexpr unsigned __int128 ExponentialCap(int64_t mean) {
  const unsigned __int128 cap = static_cast<unsigned __int128>(mean) * 64;
  constexpr unsigned __int128 kMax = static_cast<uint64_t>(INT64_MAX);
  return cap < kMax ? cap : kMax;
}

// Log2Q32 without its argument check: log2(x) for x >= 1, as Q32. Normalizes x into
// [1, 2) as a Q62 mantissa, then extracts 32 fractional bits by repeated squaring (the
// classic binary logarithm algorithm). constexpr, so the exponential's table is a
// constant.
constexpr uint64_t Log2Q32Unchecked(uint64_t x) {
  const int integer_part = 63 - __builtin_clzll(x);
  unsigned __int128 mantissa =
      integer_part <= 62 ? static_cast<unsigned __int128>(x) << (62 - integer_part)
                         : static_cast<unsigned __int128>(x) >> (integer_part - 62);
  const unsigned __int128 kTwoQ62 = static_cast<unsigned __int128>(1) << 63;
  uint64_t fraction = 0;
  for (int bit = 31; bit >= 0; --bit) {
    mantissa = (mantissa * mantissa) >> 62;
    if (mantissa >= kTwoQ62) {
      mantissa >>= 1;
      fraction |= (1ULL << bit);
    }
  }
  return (static_cast<uint64_t>(integer_part) << 32) | fraction;
}

inline constexpr int kExpTableBits = 10;
inline constexpr int kExpTableSize = 1 << kExpTableBits;
// ln(2) in Q32: round(0.6931471805599453 * 2^32).
inline constexpr uint64_t kLn2Q32 = 2977044472ULL;

// kNegLnTable[k] = -ln(1 - k/1024) as Q32 for k in [0, 1024), with the exact fixed-point
// log2: -ln(1 - k/B) = (log2 B - log2(B - k)) * ln 2. Built at compile time.
constexpr std::array<uint64_t, kExpTableSize> MakeNegLnTable() {
  std::array<uint64_t, kExpTableSize> t{};
  for (int k = 0; k < kExpTableSize; ++k) {
    const uint64_t neg_log2 = (uint64_t{kExpTableBits} << 32) -
                              Log2Q32Unchecked(static_cast<uint64_t>(kExpTableSize - k));
    t[k] = static_cast<uint64_t>((static_cast<unsigned __int128>(neg_log2) * kLn2Q32) >> 32);
  }
  return t;
}
inline constexpr std::array<uint64_t, kExpTableSize> kNegLnTable = MakeNegLnTable();

}  // namespace prng_internal

// Inverse transform: -ln(1 - U) with U's top 10 bits choosing a table interval and the
// next 22 bits interpolating inside it. The last interval, where -ln diverges, uses
// memorylessness: the value is that interval's start plus a fresh draw
// (ExponentialTail). Capped at 64 * mean so one draw can never stall a run.
// Below the last interval the draw is under 7 * mean, so up to kExpFastMeanMax neither
// cap can bind and none is applied; a larger mean takes the same first round out of
// line, saturating at INT64_MAX.
inline int64_t Prng::Exponential(int64_t mean) {
  if (ABSL_PREDICT_FALSE(mean <= 0 || mean > prng_internal::kExpFastMeanMax)) {
    return ExponentialSlow(mean);
  }
  return ExponentialFirstRound(mean);
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline int64_t Prng::ExponentialFirstRound(int64_t mean) {
  using prng_internal::kExpTableBits;
  using prng_internal::kExpTableSize;
  using prng_internal::kNegLnTable;
  const uint64_t r = Next();
  const uint64_t k = r >> (64 - kExpTableBits);
  if (ABSL_PREDICT_FALSE(k + 1 == kExpTableSize)) return ExponentialTail(mean);
  // Below the last interval the sum is under 7 * 2^32: one word.
  const uint64_t fraction = (r >> (32 - kExpTableBits)) & 0xffffffffULL;
  const uint64_t low = kNegLnTable[k];
  const uint64_t total = low + (((kNegLnTable[k + 1] - low) * fraction) >> 32);
  unsigned __int128 value =
      (static_cast<unsigned __int128>(total) * static_cast<uint64_t>(mean)) >> 32;
  if (mean > prng_internal::kExpFastMeanMax) {
    const unsigned __int128 cap = prng_internal::ExponentialCap(mean);
    if (value > cap) value = cap;
  }
  return static_cast<int64_t>(value);
}

// Fixed-point helpers, exposed for tests. Values are Q32 (value * 2^32).
// log2(x) for x >= 1, as Q32.
uint64_t Log2Q32(uint64_t x);
// 2^f for a Q32 exponent f in [-32·2^32, 32·2^32], as Q32. (Returns 0 on underflow.)
uint64_t Exp2Q32(int64_t f);

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_PRNG_H_
