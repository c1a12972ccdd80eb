// Convergence of database groups (DESIGN.md §6, RAVENDB_MODEL.md §3): after faults
// heal and the cluster quiesces, every member (and every rehab or promotable that
// caught up) holds identical documents, tombstones, change vectors and conflicts; and
// every resolved conflict has the outcome the configured policy prescribes.
//
// Pure functions of the observations; thread-compatible.
#ifndef RAVENSIM_CHECKERS_CONVERGENCE_CONVERGENCE_H_
#define RAVENSIM_CHECKERS_CONVERGENCE_CONVERGENCE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "checkers/convergence/findings.h"
#include "checkers/convergence/observation.pb.h"

namespace ravensim::checkers {

// Findings, sorted by database, document, check; empty when everything converged.
// Malformed change vectors give InvalidArgument naming the database, node and document.
//
// Divergence: for each document id held by any participating node, the nodes are
// grouped by what they hold (absent / tombstone / data, canonical change vector,
// conflict versions); more than one group is a finding naming the nodes of each.
//
// Policy (RAVENDB_MODEL.md §3.2): under RESOLVE_TO_LATEST, a document flagged
// `resolved` must hold the data of the conflicted revision (among those its change
// vector contains) with the largest LastModified, ties broken by the larger change
// vector string; the conflicts table must be empty. Under NO_RESOLVER no document may
// be flagged `resolved`. SCRIPT outcomes are not checked.
absl::StatusOr<std::vector<Finding>> CheckConvergence(const observation::Observations& obs);

// The nodes that must converge: members, and rehabs/promotables that caught up.
bool MustConverge(const observation::NodeState& node);

// The version ResolveToLatest picks among `versions` (RAVENDB_MODEL.md §3.2): sort by
// change vector string, take the largest LastModified (the last such in that order).
// REQUIRES: !versions.empty().
const observation::DocumentVersion& ResolveToLatestWinner(
    const std::vector<const observation::DocumentVersion*>& versions);

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_CONVERGENCE_CONVERGENCE_H_
