// Translation of core Rachis observations into the checker's RaftObservation
// (checkers/raft/raft_observation.proto), and back out of harness observations.
//
// RachisHost emits each core observation as a harness Observation of kind
// "rachis.<name>" with value = index and detail = serialized RaftObservation (without
// time and node, which the World stamps on the ObservationRecord). A runner's observer
// decodes every record and feeds the result to a checkers::raft::RaftInvariantChecker:
// with DecodeRachisObservation() into the message, or (cheaper: no copies, no
// allocations) with checkers::raft::ParseRaftObservationView() of the detail into a
// reused view, stamping time and node itself, as RachisWorld does.
#ifndef RAVENSIM_SIM_HARNESS_RACHIS_OBSERVATIONS_H_
#define RAVENSIM_SIM_HARNESS_RACHIS_OBSERVATIONS_H_

#include <cstdint>
#include <string>

#include "checkers/raft/raft_observation.pb.h"
#include "core/rachis/rachis_node.h"
#include "sim/harness/world.h"

namespace ravensim::harness {

inline constexpr char kRachisObservationPrefix[] = "rachis.";

// The checker's message for a core observation (without time and node). The host sends
// EncodeRachisObservation's bytes instead; this is the readable definition they are
// tested against.
checkers::raft::RaftObservation ToRaftObservation(
    const rachis::RachisObservation& observation, const std::string& tag,
    uint64_t incarnation);

// The serialized ToRaftObservation(observation, tag, incarnation), byte for byte, written
// straight into `out` (replacing its contents) without building the message: this runs
// for every observation of every node.
void EncodeRachisObservation(const rachis::RachisObservation& observation,
                             const std::string& tag, uint64_t incarnation,
                             std::string* out);

// The harness Observation kind for a core observation kind ("rachis.appended", ...).
std::string RachisObservationKind(rachis::RachisObservation::Kind kind);

// True (and `out` filled, with time and node from the record) iff `record` is a Rachis
// observation whose detail parses.
bool DecodeRachisObservation(const ObservationRecord& record,
                             checkers::raft::RaftObservation* out);

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_RACHIS_OBSERVATIONS_H_
