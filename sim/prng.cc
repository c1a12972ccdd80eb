#include "sim/prng.h"

#include "core/base/check.h"

namespace ravensim::sim {

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Prng::Prng(uint64_t seed) : seed_(seed) {
  uint64_t s = seed;
  for (uint64_t& word : state_) word = SplitMix64(&s);
  // xoshiro256** must not start from the all-zero state; splitmix64 never yields four
  // zeros in a row, but keep the guard explicit.
  CHECK(state_[0] != 0 || state_[1] != 0 || state_[2] != 0 || state_[3] != 0);
}

Prng Prng::FromState(const std::array<uint64_t, 4>& state) {
  Prng prng(0);
  prng.state_ = state;
  CHECK(state[0] != 0 || state[1] != 0 || state[2] != 0 || state[3] != 0);
  return prng;
}

Prng Prng::Fork(uint64_t stream_id) const {
  // Mix the parent seed and the id through two splitmix64 steps so that nearby ids and
  // nearby seeds give unrelated children.
  uint64_t s = seed_ ^ 0x5851f42d4c957f2dULL;
  uint64_t a = SplitMix64(&s);
  s = a ^ (stream_id * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
  return Prng(SplitMix64(&s));
}


uint64_t Prng::UniformBelow(uint64_t n) {
  CHECK_GT(n, 0u);
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(Next()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Prng::UniformIn(int64_t a, int64_t b) {
  CHECK_LE(a, b);
  const uint64_t span = static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
  if (span == UINT64_MAX) return static_cast<int64_t>(Next());
  return static_cast<int64_t>(static_cast<uint64_t>(a) + UniformBelow(span + 1));
}

bool Prng::Chance(uint64_t numerator, uint64_t denominator) {
  CHECK_GT(denominator, 0u);
  if (numerator == 0) return false;
  if (numerator >= denominator) return true;
  return UniformBelow(denominator) < numerator;
}

uint64_t Log2Q32(uint64_t x) {
  CHECK_GE(x, 1u);
  return prng_internal::Log2Q32Unchecked(x);
}

uint64_t Exp2Q32(int64_t f) {
  CHECK_LE(f, int64_t{32} << 32);
  CHECK_GE(f, -(int64_t{32} << 32));
  // Split into integer and fractional parts with a non-negative fraction.
  int64_t integer_part = f >> 32;  // Arithmetic shift: floor.
  uint64_t fraction = static_cast<uint64_t>(f) & 0xffffffffULL;
  // 2^fraction by multiplying the roots 2^(2^-k) for each set bit, in Q62.
  // Roots are computed by repeated square roots (integer Newton iteration), once.
  static const std::array<uint64_t, 32> kRootsQ62 = [] {
    std::array<uint64_t, 32> roots{};
    unsigned __int128 value = static_cast<unsigned __int128>(2) << 62;  // 2.0 in Q62.
    for (int k = 0; k < 32; ++k) {
      // value <- sqrt(value) in Q62: sqrt(v * 2^62) * 2^31.
      unsigned __int128 target = value << 62;  // value * 2^62 in Q124.
      unsigned __int128 root = value;          // Initial guess >= true root.
      while (true) {
        unsigned __int128 next = (root + target / root) / 2;
        if (next >= root) break;
        root = next;
      }
      value = root;
      roots[k] = static_cast<uint64_t>(value);  // 2^(2^-(k+1)) in Q62.
    }
    return roots;
  }();
  unsigned __int128 result = static_cast<unsigned __int128>(1) << 62;
  for (int k = 0; k < 32; ++k) {
    if (fraction & (1ULL << (31 - k))) {
      result = (result * kRootsQ62[k]) >> 62;
    }
  }
  // result is 2^fraction in Q62; convert to Q32 and apply the integer part.
  const int shift = 30 - static_cast<int>(integer_part);
  if (shift >= 127) return 0;
  if (shift >= 0) return static_cast<uint64_t>(result >> shift);
  return static_cast<uint64_t>(result << (-shift));
}

namespace {

constexpr int kTableBits = prng_internal::kExpTableBits;
constexpr int kTableSize = prng_internal::kExpTableSize;

// kExp2Table[k] = 2^(k/1024) as Q32 for k in [0, 1024], from the exact Exp2Q32.
const std::array<uint64_t, kTableSize + 1>& Exp2Table() {
  static const std::array<uint64_t, kTableSize + 1> table = [] {
    std::array<uint64_t, kTableSize + 1> t{};
    for (int k = 0; k <= kTableSize; ++k) {
      t[k] = Exp2Q32((static_cast<int64_t>(k) << 32) >> kTableBits);
    }
    return t;
  }();
  return table;
}

// 2^f for a Q32 exponent, by table lookup and linear interpolation (relative error below
// 1e-7). REQUIRES: |f| < 32 * 2^32.
uint64_t FastExp2Q32(int64_t f) {
  const int64_t integer_part = f >> 32;  // Floor.
  const uint64_t fraction = static_cast<uint64_t>(f) & 0xffffffffULL;
  const uint64_t k = fraction >> (32 - kTableBits);
  const uint64_t rest = fraction & ((uint64_t{1} << (32 - kTableBits)) - 1);
  const auto& table = Exp2Table();
  const uint64_t low = table[k];
  const uint64_t high = table[k + 1];
  const uint64_t mantissa = low + (((high - low) * rest) >> (32 - kTableBits));
  if (integer_part >= 0) return mantissa << integer_part;
  if (integer_part <= -64) return 0;
  return mantissa >> (-integer_part);
}

}  // namespace

namespace {

[[noreturn]] __attribute__((noinline, cold)) void NegativeMean(int64_t mean) {
  CHECK_GE(mean, 0);
  CHECK_UNREACHABLE("NegativeMean called for mean ", mean);
}

}  // namespace

int64_t Prng::ExponentialSlow(int64_t mean) {
  if (ABSL_PREDICT_FALSE(mean < 0)) NegativeMean(mean);  // CHECK_GE(mean, 0)
  if (mean == 0) return 0;
  return ExponentialFirstRound(mean);  // A mean past kExpFastMeanMax: saturating.
}

// The draw of the inline first round fell in the table's last interval (probability
// 1/1024): its start, plus fresh rounds by memorylessness, capped at 64 * mean (and at
// INT64_MAX).
int64_t Prng::ExponentialTail(int64_t mean) {
  const auto& table = prng_internal::kNegLnTable;
  const unsigned __int128 cap = prng_internal::ExponentialCap(mean);
  unsigned __int128 total = table[kTableSize - 1];  // Accumulated multiple of the mean, Q32.
  if (((total * static_cast<uint64_t>(mean)) >> 32) >= cap) return static_cast<int64_t>(cap);
  while (true) {
    const uint64_t r = Next();
    const uint64_t k = r >> (64 - kTableBits);
    if (k + 1 == kTableSize) {
      total += table[k];
      if (((total * static_cast<uint64_t>(mean)) >> 32) >= cap) {
        return static_cast<int64_t>(cap);
      }
      continue;  // Probability 1/1024 per round.
    }
    const uint64_t fraction = (r >> (32 - kTableBits)) & 0xffffffffULL;  // Q32 in [0, 1).
    const uint64_t low = table[k];
    const uint64_t high = table[k + 1];
    total += low + (((high - low) * fraction) >> 32);
    unsigned __int128 value = (total * static_cast<uint64_t>(mean)) >> 32;
    if (value > cap) value = cap;
    return static_cast<int64_t>(value);
  }
}

int64_t Prng::LogNormalish(int64_t min, int64_t median, int64_t max,
                           int64_t spread_eighths) {
  CHECK_LE(0, min);
  CHECK_LE(min, median);
  CHECK_LE(median, max);
  CHECK_LE(0, spread_eighths);
  CHECK_LE(spread_eighths, 64);
  if (median == 0 || spread_eighths == 0) return median;
  // Irwin-Hall: the sum of four U(0,1) has mean 2 and variance 1/3; scale by sqrt(3) to
  // unit variance. Work in Q32: each uniform is 32 bits.
  int64_t sum = 0;
  for (int i = 0; i < 4; ++i) sum += static_cast<int64_t>(Next() >> 32);
  const int64_t centered = sum - (int64_t{2} << 32);  // Mean zero, Q32.
  // z * spread/8, with sqrt(3) ~= 1.7320508 as 1773620/1024000 (error < 1e-6).
  const __int128 z_q32 = static_cast<__int128>(centered) * 1773620 / 1024000;
  const __int128 exponent_q32 = z_q32 * spread_eighths / 8;
  const unsigned __int128 factor_q32 = FastExp2Q32(static_cast<int64_t>(exponent_q32));
  unsigned __int128 value = (factor_q32 * static_cast<uint64_t>(median)) >> 32;
  if (value < static_cast<uint64_t>(min)) return min;
  if (value > static_cast<uint64_t>(max)) return max;
  return static_cast<int64_t>(value);
}

}  // namespace ravensim::sim
