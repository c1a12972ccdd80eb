// The highest log index a majority of the members holds (RAVENDB_MODEL.md §1.4: the
// leader commits what a majority has), from each member's match index.
#ifndef RAVENSIM_CORE_RACHIS_QUORUM_H_
#define RAVENSIM_CORE_RACHIS_QUORUM_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/types/span.h"

namespace ravensim::rachis {

// The `majority`-th largest of `matches` (1 <= majority <= matches.size()): the largest
// value that at least `majority` members hold. Small clusters count in place, without
// copying or sorting; larger ones take QuorumIndexBySort, the reference.
uint64_t QuorumIndexBySort(absl::Span<const uint64_t> matches, int majority);

inline uint64_t QuorumIndex(absl::Span<const uint64_t> matches, int majority) {
  const size_t count = matches.size();
  if (count > 16) return QuorumIndexBySort(matches, majority);
  // v is the answer iff at least `majority` values are >= v and it is the largest such.
  uint64_t best = 0;
  for (size_t i = 0; i < count; ++i) {
    const uint64_t v = matches[i];
    if (v <= best) continue;  // cannot beat what is already known to qualify
    int at_least = 0;
    for (size_t j = 0; j < count; ++j) at_least += matches[j] >= v ? 1 : 0;
    if (at_least >= majority) best = v;
  }
  return best;
}

inline uint64_t QuorumIndexBySort(absl::Span<const uint64_t> matches, int majority) {
  std::vector<uint64_t> sorted(matches.begin(), matches.end());
  std::nth_element(sorted.begin(), sorted.begin() + (majority - 1), sorted.end(),
                   std::greater<>());
  return sorted[majority - 1];
}

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_QUORUM_H_
