// Translation of core Rachis observations into the checker's RaftObservation
// (checkers/raft/raft_observation.proto), and back out of harness observations.
//
// RachisHost emits each core observation as a harness Observation of kind
// "rachis.<name>" with value = index and detail = serialized RaftObservation (without
// time and node, which the World stamps on the ObservationRecord); a commit and the
// APPLIED observations that follow an append or a commit ride in its detail
// (FoldedIntoFirst). A runner's observer decodes every record with
// DecodeRachisObservation() into a reused checkers::raft::RaftObservationView (no
// copies, no allocations) and feeds it to a checkers::raft::RaftInvariantChecker, as
// the scenario runner does; RachisWorld takes the same views from its hosts as they
// emit the records (RachisHostOptions::observation_views), without the parse.
#ifndef RAVENSIM_SIM_HARNESS_RACHIS_OBSERVATIONS_H_
#define RAVENSIM_SIM_HARNESS_RACHIS_OBSERVATIONS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "checkers/raft/raft_observation.pb.h"
#include "checkers/raft/raft_observation_view.h"
#include "core/rachis/rachis_node.h"
#include "sim/harness/world.h"

namespace ravensim::harness {


// The core observations after observations[0] that are folded into it, so that they
// need no observations of their own. They share time, node, incarnation and tag, and
// must have the same term and nothing set that the folded form could not carry:
//  * after an APPENDED, a COMMIT_ADVANCED without quorum (a follower appends and
//    advances its commit index in one step) becomes the append's commit_index;
//  * after a COMMIT_ADVANCED (folded or not), each APPLIED (the node applies what it
//    commits in the same step) becomes an entry of the `applied` field.
// The checker checks and counts each folded observation as it would on its own.
size_t FoldedIntoFirst(std::span<const rachis::RachisObservation> observations);

// The checker's message for a core observation (without time and node), with `folded`
// (what FoldedIntoFirst folds into it) folded in. The host sends
// EncodeRachisObservation's bytes instead; this is the readable definition they are
// tested against.
checkers::raft::RaftObservation ToRaftObservation(
    const rachis::RachisObservation& observation, const std::string& tag,
    uint64_t incarnation, std::span<const rachis::RachisObservation> folded = {});

// The serialized ToRaftObservation(observation, tag, incarnation, folded), byte for
// byte, written straight into `out` (replacing its contents) without building the
// message: this runs for every observation of every node.
void EncodeRachisObservation(const rachis::RachisObservation& observation,
                             const std::string& tag, uint64_t incarnation, std::string* out,
                             std::span<const rachis::RachisObservation> folded = {});

// Appends to `out` the harness observations of a Ready's core observations, in order:
// one per core observation but those FoldedIntoFirst folds into the one before, each of
// kind RachisObservationKind(), value = index and detail EncodeRachisObservation().
void AppendRachisObservations(std::span<const rachis::RachisObservation> observations,
                              const std::string& tag, uint64_t incarnation,
                              std::vector<Observation>* out);

// AppendRachisObservations, which also hands `observe`, right after appending each
// observation, its view: what DecodeRachisObservation gives of its record, but time_ns
// and node, left 0 (built in `view` from the core observation, not parsed from the
// bytes; its text fields point into `observations`, `tag` and static strings). A host's
// direct observer (RachisHostOptions::observation_views) receives these, sparing it the
// parse of every observation's bytes.
void AppendRachisObservations(
    std::span<const rachis::RachisObservation> observations, const std::string& tag,
    uint64_t incarnation, std::vector<Observation>* out,
    checkers::raft::RaftObservationView* view,
    absl::FunctionRef<void(checkers::raft::RaftObservationView&)> observe);

// The harness Observation kind for a core observation kind ("rachis.appended", ...).
std::string RachisObservationKind(rachis::RachisObservation::Kind kind);

// True iff `kind` is one RachisObservationKind() returns: an observation whose detail is
// a RaftObservation. The host's own observations share the "rachis." prefix
// ("rachis.persist_failed", "rachis.recovery_dropped", ...) but carry text or nothing,
// which must never reach the checker as an observation.
bool IsCoreRachisObservationKind(std::string_view kind);

// True (and `out` filled, with time and node from the record) iff `record` is a core
// Rachis observation (IsCoreRachisObservationKind) whose detail parses. `out` points into
// the record's detail: valid while the record is.
bool DecodeRachisObservation(const ObservationRecord& record,
                             checkers::raft::RaftObservationView* out);

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_RACHIS_OBSERVATIONS_H_
