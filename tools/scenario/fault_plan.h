// Drawing a random fault profile (scenario.proto FaultProfile) into explicit fault
// events, as a pure function of the seed (DESIGN.md §2): every draw comes from the
// seed's fault-schedule stream, Prng(seed).Fork(StreamId::kFaultSchedule), so the plan
// never depends on how the run unfolds, and changes to the workload or the network do
// not shift it.
//
// Faults arrive as a Poisson process (exponential gaps with the profile's mean), each
// kind chosen by weight, each lasting a uniform draw in [min_duration, max_duration],
// with at most `max_concurrent` overlapping. Targets are concrete node tags, except
// that a third of crashes and pauses, and the isolate-leader partition shape, target
// "the leader when it fires" (NodeRef.leader / Partition.isolate_leader), resolved by
// the runner at injection time and recorded in the realized schedule.
#ifndef RAVENSIM_TOOLS_SCENARIO_FAULT_PLAN_H_
#define RAVENSIM_TOOLS_SCENARIO_FAULT_PLAN_H_

#include <cstdint>
#include <vector>

#include "scenarios/scenario.pb.h"
#include "sim/time.h"

namespace ravensim::tools {

inline constexpr int32_t kMaxRandomFaults = 10'000;

// REQUIRES: `scenario` passed validation. `fault_phase_end` is the end of the fault
// phase (the default stop). Events are sorted by time.
std::vector<scenarios::FaultEvent> DrawRandomFaults(const scenarios::Scenario& scenario,
                                                    uint64_t seed,
                                                    sim::SimTime fault_phase_end);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_FAULT_PLAN_H_
