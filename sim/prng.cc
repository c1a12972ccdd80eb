#include "sim/prng.h"

#include "core/base/check.h"

namespace ravensim::sim {
namespace {

inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// ln(2) in Q32: round(0.6931471805599453 * 2^32).
constexpr uint64_t kLn2Q32 = 2977044472ULL;

}  // namespace

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

uint64_t Prng::Next() {
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
  const int integer_part = 63 - __builtin_clzll(x);
  // Normalize x into [1, 2) as a Q62 mantissa, then extract 32 fractional bits by
  // repeated squaring (the classic binary logarithm algorithm).
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

constexpr int kTableBits = 10;
constexpr int kTableSize = 1 << kTableBits;

// kNegLnTable[k] = -ln(1 - k/1024) as Q32 for k in [0, 1024), computed once with the exact
// fixed-point Log2Q32: -ln(1 - k/B) = (log2 B - log2(B - k)) * ln 2.
const std::array<uint64_t, kTableSize>& NegLnTable() {
  static const std::array<uint64_t, kTableSize> table = [] {
    std::array<uint64_t, kTableSize> t{};
    for (int k = 0; k < kTableSize; ++k) {
      const uint64_t neg_log2 = (uint64_t{kTableBits} << 32) -
                                Log2Q32(static_cast<uint64_t>(kTableSize - k));
      t[k] = static_cast<uint64_t>((static_cast<unsigned __int128>(neg_log2) * kLn2Q32) >> 32);
    }
    return t;
  }();
  return table;
}

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

int64_t Prng::Exponential(int64_t mean) {
  if (ABSL_PREDICT_FALSE(mean < 0)) NegativeMean(mean);  // CHECK_GE(mean, 0)
  if (mean == 0) return 0;
  // Inverse transform: -ln(1 - U) with U's top 10 bits choosing a table interval and the
  // next 22 bits interpolating inside it. The last interval, where -ln diverges, uses
  // memorylessness: the value is that interval's start plus a fresh draw. Capped at
  // 64 * mean so one draw can never stall a run.
  const auto& table = NegLnTable();
  const unsigned __int128 cap = static_cast<unsigned __int128>(mean) * 64;
  {
    // The first round, as in the loop below, with the sum in one word: below the last
    // interval it is under 7 * 2^32.
    const uint64_t r = Next();
    const uint64_t k = r >> (64 - kTableBits);
    if (k + 1 != kTableSize) {
      const uint64_t fraction = (r >> (32 - kTableBits)) & 0xffffffffULL;
      const uint64_t low = table[k];
      const uint64_t total = low + (((table[k + 1] - low) * fraction) >> 32);
      unsigned __int128 value =
          (static_cast<unsigned __int128>(total) * static_cast<uint64_t>(mean)) >> 32;
      if (value > cap) value = cap;
      return static_cast<int64_t>(value);
    }
  }
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
