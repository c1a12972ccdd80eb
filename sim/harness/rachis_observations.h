// Translation of core Rachis observations into the checker's RaftObservation
// (checkers/raft/raft_observation.proto), and back out of harness observations.
//
// RachisHost emits each core observation as a harness Observation of kind
// "rachis.<name>" with value = index and detail = serialized RaftObservation (without
// time and node, which the World stamps on the ObservationRecord); the APPLIED
// observations that follow a commit ride in the commit's detail (FoldedIntoFirst). A
// runner's observer decodes every record and feeds the result to a
// checkers::raft::RaftInvariantChecker: with DecodeRachisObservation() into the message,
// or (cheaper: no copies, no allocations) with checkers::raft::ParseRaftObservationView()
// of the detail into a reused view, stamping time and node itself, as RachisWorld does.
#ifndef RAVENSIM_SIM_HARNESS_RACHIS_OBSERVATIONS_H_
#define RAVENSIM_SIM_HARNESS_RACHIS_OBSERVATIONS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "checkers/raft/raft_observation.pb.h"
#include "core/rachis/rachis_node.h"
#include "sim/harness/world.h"

namespace ravensim::harness {

inline constexpr char kRachisObservationPrefix[] = "rachis.";

// The core observations after observations[0] that are folded into it: an APPLIED
// observation right after a COMMIT_ADVANCED (or after another one folded into it), made
// with the same term, becomes an entry of the commit's `applied` field instead of an
// observation of its own (the node applies what it commits in the same step, so these
// share time, node, incarnation, tag and term). Nothing else is folded.
size_t FoldedIntoFirst(std::span<const rachis::RachisObservation> observations);

// The checker's message for a core observation (without time and node), with `applied`
// (what FoldedIntoFirst folds into it) as its applied entries. The host sends
// EncodeRachisObservation's bytes instead; this is the readable definition they are
// tested against.
checkers::raft::RaftObservation ToRaftObservation(
    const rachis::RachisObservation& observation, const std::string& tag,
    uint64_t incarnation, std::span<const rachis::RachisObservation> applied = {});

// The serialized ToRaftObservation(observation, tag, incarnation, applied), byte for
// byte, written straight into `out` (replacing its contents) without building the
// message: this runs for every observation of every node.
void EncodeRachisObservation(const rachis::RachisObservation& observation,
                             const std::string& tag, uint64_t incarnation, std::string* out,
                             std::span<const rachis::RachisObservation> applied = {});

// Appends to `out` the harness observations of a Ready's core observations, in order:
// one per core observation but those FoldedIntoFirst folds into the one before, each of
// kind RachisObservationKind(), value = index and detail EncodeRachisObservation().
void AppendRachisObservations(std::span<const rachis::RachisObservation> observations,
                              const std::string& tag, uint64_t incarnation,
                              std::vector<Observation>* out);

// The harness Observation kind for a core observation kind ("rachis.appended", ...).
std::string RachisObservationKind(rachis::RachisObservation::Kind kind);

// True (and `out` filled, with time and node from the record) iff `record` is a Rachis
// observation whose detail parses.
bool DecodeRachisObservation(const ObservationRecord& record,
                             checkers::raft::RaftObservation* out);

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_RACHIS_OBSERVATIONS_H_
