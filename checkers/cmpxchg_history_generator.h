// Generates linearizable compare-exchange histories for tests and benchmarks: clients
// issue puts (with the current or a stale expected index), deletes and GETs on random
// keys; each operation takes effect at a random point inside its interval, against a
// reference store that follows RAVENDB_MODEL.md §4.1 with one global Raft index.
// A share of operations end UNKNOWN (half of those took effect, half did not).
// Values written are unique per operation. Deterministic for a given seed.
#ifndef RAVENSIM_CHECKERS_CMPXCHG_HISTORY_GENERATOR_H_
#define RAVENSIM_CHECKERS_CMPXCHG_HISTORY_GENERATOR_H_

#include <cstdint>

#include "checkers/history/history.pb.h"

namespace ravensim::checkers {

struct CmpxchgHistoryOptions {
  int operation_count = 1000;
  int client_count = 10;
  int key_count = 10;
  int unknown_per_mille = 50;
  int delete_per_mille = 50;
  int local_get_per_mille = 100;
  int get_per_mille = 350;  // linearizable GETs; the rest are puts
  int64_t max_duration_ns = 1000;
};

history::History GenerateCmpxchgHistory(const CmpxchgHistoryOptions& options, uint64_t seed);

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_CMPXCHG_HISTORY_GENERATOR_H_
