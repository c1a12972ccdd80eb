// FaultInjector: carries out scenario fault events (scenario.proto FaultEvent) against a
// harness::World, and records the *realized* schedule: every fault as it actually
// happened, at its exact true time, with every target resolved to a node tag ("the
// leader" -> "B", "a follower" -> "D", isolate_leader -> isolate "B", a shape's drawn
// node order written out). Replaying the realized schedule as an explicit timeline
// reproduces the faults of the run; `ravensim shrink` starts from it.
//
// Partitions compose: each partition event contributes a reachability matrix, and the
// network sees their intersection, so overlapping partitions (and the end of one
// while another is in force) behave as they would with two firewalls. A `duration`
// schedules the undo (heal that partition, restart, resume, drift back, a well-behaved
// disk again). A membership event is the leader's topology change (§1.5), carried
// out through SetMembershipChange, and a step_down event the leader's handover
// (SetStepDown); neither has an undo.
//
// Runtime draws (which follower, a shape's order when the scenario leaves it open) use
// Prng(seed).Fork(kFaultSchedule).Fork(kRuntimeStream), independent of the plan's draws.
//
// Ownership: borrows the World, the ClusterView and the Timeline (may be null), which
// must outlive it. Thread-compatible; called from scheduler events.
#ifndef RAVENSIM_TOOLS_SCENARIO_FAULT_INJECTOR_H_
#define RAVENSIM_TOOLS_SCENARIO_FAULT_INJECTOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "scenarios/scenario.pb.h"
#include "sim/harness/world.h"
#include "sim/partition.h"
#include "sim/prng.h"
#include "tools/scenario/cluster_view.h"
#include "tools/scenario/timeline.h"

namespace ravensim::tools {

inline constexpr uint64_t kRuntimeStream = 2;

class FaultInjector {
 public:
  // `base_drift_ppm[i]` is node i's configured drift (what an undone drift returns to).
  FaultInjector(harness::World* world, ClusterView* view, Timeline* timeline,
                uint64_t seed, std::vector<int64_t> base_drift_ppm);

  // How a membership event is carried out: asks `leader` to make `node` a `kind`
  // (RAVENDB_MODEL.md §1.5) and returns the leader's answer. Without one, membership
  // events are skipped.
  using MembershipChange = std::function<absl::Status(
      int32_t leader, int32_t node, scenarios::MembershipKind kind)>;
  void SetMembershipChange(MembershipChange change) { membership_change_ = std::move(change); }
  // How a step_down event is carried out: asks `leader` to step down.
  using StepDownRequest = std::function<absl::Status(int32_t leader)>;
  void SetStepDown(StepDownRequest step_down) { step_down_ = std::move(step_down); }

  // Injects `event` now (its `at`/`on` are ignored). Faults whose target does not exist
  // at this moment (no leader, the node is already down) are skipped and not recorded.
  void Inject(const scenarios::FaultEvent& event);

  // The heal-and-quiesce phase: heal every partition and clog, restart crashed nodes,
  // resume paused ones, return drifts to their configured values, cancel pending undos.
  void HealAll();

  const std::vector<scenarios::FaultEvent>& realized() const { return realized_; }
  int64_t injected_count() const { return static_cast<int64_t>(realized_.size()); }
  // True time of the last injection or undo.
  sim::SimTime last_fault_time() const { return last_fault_time_; }
  // Closes open timeline spans at `end`.
  void FinishTimeline(sim::SimTime end);

 private:
  int32_t Resolve(const scenarios::NodeRef& ref);
  void Record(scenarios::FaultEvent realized);
  void ScheduleUndo(const scenarios::FaultEvent& event, std::function<void()> undo);
  // A `heal {}` event and the heal phase alike: every partition and every clog ends.
  void HealNetwork();
  void InjectPartition(const scenarios::FaultEvent& event);
  void InjectProcessFault(const scenarios::FaultEvent& event);
  void InjectOther(const scenarios::FaultEvent& event);
  void InjectDisk(const scenarios::FaultEvent& event);
  void InjectMembership(const scenarios::FaultEvent& event);
  void InjectStepDown(const scenarios::FaultEvent& event);
  sim::Reachability PartitionMatrix(scenarios::Partition* partition);
  void ApplyPartitions();
  void OpenSpan(const std::string& key, Timeline::Track track, std::string name,
                std::string category);
  void CloseSpan(const std::string& key);

  harness::World* world_;
  ClusterView* view_;
  Timeline* timeline_;
  sim::Prng prng_;
  std::vector<int64_t> base_drift_ppm_;
  int32_t cluster_nodes_;
  uint64_t next_partition_id_ = 1;
  std::map<uint64_t, sim::Reachability> partitions_;  // Active, by id.
  std::vector<sim::TimerId> pending_undos_;
  // Nodes whose disk has faults set, with the number of the disk event that set them
  // (an undo clears only its own event's faults, not a later event's).
  std::map<int32_t, uint64_t> faulty_disks_;
  uint64_t next_disk_event_ = 1;
  MembershipChange membership_change_;
  StepDownRequest step_down_;
  std::vector<scenarios::FaultEvent> realized_;
  sim::SimTime last_fault_time_;
  struct OpenTimelineSpan {
    Timeline::Track track;
    sim::SimTime start;
    std::string name;
    std::string category;
  };
  std::map<std::string, OpenTimelineSpan> open_spans_;
};

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_FAULT_INJECTOR_H_
