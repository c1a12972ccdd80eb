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

  // Next raw 64-bit output of xoshiro256**.
  uint64_t Next();

  // Uniform in [0, n), unbiased (Lemire's multiply-and-reject). REQUIRES: n > 0.
  uint64_t UniformBelow(uint64_t n);

  // Uniform in [a, b], both inclusive. REQUIRES: a <= b.
  int64_t UniformIn(int64_t a, int64_t b);

  // True with probability numerator/denominator. REQUIRES: denominator > 0;
  // numerator >= denominator is always true, numerator == 0 always false.
  bool Chance(uint64_t numerator, uint64_t denominator);

  // Exponentially distributed integer with the given mean: inverse transform through a
  // 1024-entry fixed-point table of -ln(1 - u) (built once with Log2Q32) with linear
  // interpolation; capped at 64 * mean so one draw can never stall a run.
  // REQUIRES: mean >= 0.
  int64_t Exponential(int64_t mean);

  // A right-skewed delay in [min, max] whose median is about `median`: median scaled by
  // 2^z, z approximately normal with standard deviation `spread_eighths`/8 (sum of four
  // uniforms), then clamped. Integer-only. Models network latency with a long tail.
  // REQUIRES: 0 <= min <= median <= max, spread_eighths <= 64.
  int64_t LogNormalish(int64_t min, int64_t median, int64_t max,
                       int64_t spread_eighths = 4);

 private:
  uint64_t seed_;
  std::array<uint64_t, 4> state_;
};

// Fixed-point helpers, exposed for tests. Values are Q32 (value * 2^32).
// log2(x) for x >= 1, as Q32.
uint64_t Log2Q32(uint64_t x);
// 2^f for a Q32 exponent f in [-32·2^32, 32·2^32], as Q32. (Returns 0 on underflow.)
uint64_t Exp2Q32(int64_t f);

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_PRNG_H_
