// Small value types shared by the simulated world's parts (network, disk, process,
// harness): node ids and integer probability ratios.
//
// Header-only; no state. Thread-compatible.
#ifndef RAVENSIM_SIM_NETWORK_TYPES_H_
#define RAVENSIM_SIM_NETWORK_TYPES_H_

#include <cstdint>

#include "sim/prng.h"

namespace ravensim::sim {

// A simulated node (cluster member or client). Ids are dense: 0 .. node_count-1.
using NodeId = int32_t;
inline constexpr NodeId kNoNode = -1;

// A probability as an exact integer fraction (STYLE.md §C: no doubles).
// Invariant: denominator > 0. numerator >= denominator means "always".
struct Ratio {
  uint64_t numerator = 0;
  uint64_t denominator = 1;

  static constexpr Ratio Never() { return Ratio{0, 1}; }
  static constexpr Ratio Always() { return Ratio{1, 1}; }
  static constexpr Ratio PerMillion(uint64_t ppm) { return Ratio{ppm, 1'000'000}; }
  bool never() const { return numerator == 0; }
};

// One draw: true with probability `ratio`. Draws nothing when the ratio is zero, so a
// disabled fault does not consume randomness (and enabling one later does not shift
// other draws of the same stream before that point).
inline bool Happens(Prng& prng, const Ratio& ratio) {
  if (ratio.numerator == 0) return false;
  return prng.Chance(ratio.numerator, ratio.denominator);
}

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_NETWORK_TYPES_H_
