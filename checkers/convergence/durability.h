// Durability of acknowledged writes and lost updates (DESIGN.md §6,
// RAVENDB_MODEL.md §3.2, §3.4, §3.5), judged on the final state of every node that
// must converge (convergence.h).
//
// For each acknowledged document write in the history (outcome OK, a DocumentWrite
// with the change vector the reply carried), on each such node:
//   - present, or superseded by a causally later write (the node's version contains
//     the write's change vector and the write did not lose a conflict): fine;
//   - one side of a conflict whose resolution kept a concurrent version: a
//     "lost-update" finding naming both writes, the rule (ResolveToLatest compares
//     LastModified, the writing nodes' wall clocks) and whether clocks were skewed
//     (the winner was written earlier in true time, or a writing node's clock was off);
//   - otherwise: a "missing-write" finding — unless the node it was written to (and,
//     with write assurance to N replicas, at least N+1 of the replicas the reply
//     named) lost its data, which the write did not have to survive.
// Write assurance (RAVENDB_MODEL.md §3.4): a write acknowledged with assurance to N
// replicas whose reply names fewer than N+1 nodes, or that is missing although fewer
// than N+1 of the named nodes lost data, is a "write-assurance" finding.
//
// Pure functions; thread-compatible.
#ifndef RAVENSIM_CHECKERS_CONVERGENCE_DURABILITY_H_
#define RAVENSIM_CHECKERS_CONVERGENCE_DURABILITY_H_

#include <vector>

#include "absl/status/statusor.h"
#include "checkers/convergence/findings.h"
#include "checkers/convergence/observation.pb.h"
#include "checkers/history/history.pb.h"

namespace ravensim::checkers {

// Writes naming a database not in `obs` (when `obs` has several) and malformed change
// vectors give InvalidArgument naming the operation and field.
absl::StatusOr<std::vector<Finding>> CheckDurability(const history::History& history,
                                                     const observation::Observations& obs);

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_CONVERGENCE_DURABILITY_H_
