// sim::ProcessTable: the life cycle of each simulated node process (DESIGN.md §3,
// "Process").
//
//   kUp --Crash--> kCrashed --Restart--> kUp        (memory lost, synced disk kept)
//   kUp --Pause--> kPaused  --Resume---> kUp        (no steps while paused)
//   any --Wipe---> kCrashed (disk emptied), then Restart
// Crash is also allowed from kPaused (a paused machine can die). Every successful
// restart starts a new *incarnation* (1 at first boot), which the harness uses to
// discard events addressed to an earlier incarnation.
//
// The table only validates and records transitions; the harness carries out their
// effects (dropping memory, breaking connections, reading the disk). Invalid
// transitions are operating errors (a fault schedule may ask to crash a crashed node):
// FailedPrecondition, state unchanged.
//
// Thread-compatible value type.
#ifndef RAVENSIM_SIM_PROCESS_H_
#define RAVENSIM_SIM_PROCESS_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "core/base/check.h"
#include "sim/network_types.h"
#include "sim/time.h"

namespace ravensim::sim {

enum class ProcessState { kDown, kUp, kCrashed, kPaused };
const char* ProcessStateName(ProcessState state);

class ProcessTable {
 public:
  // All nodes start kDown (never booted). REQUIRES: node_count >= 0.
  explicit ProcessTable(int32_t node_count);

  int32_t node_count() const { return static_cast<int32_t>(nodes_.size()); }
  // Inline: the World asks these on every event it delivers.
  ProcessState state(NodeId node) const { return At(node).state; }
  // 0 before the first boot.
  uint64_t incarnation(NodeId node) const { return At(node).incarnation; }
  // True time the current pause began. REQUIRES: state(node) == kPaused.
  SimTime paused_at(NodeId node) const;

  // kDown or kCrashed -> kUp; increments the incarnation.
  absl::Status Start(NodeId node);
  // kUp or kPaused -> kCrashed.
  absl::Status Crash(NodeId node);
  // kUp -> kPaused at `now`.
  absl::Status Pause(NodeId node, SimTime now);
  // kPaused -> kUp; returns the pause length in *length.
  absl::Status Resume(NodeId node, SimTime now, SimDuration* length);

  int32_t up_count() const;

 private:
  struct Entry {
    ProcessState state = ProcessState::kDown;
    uint64_t incarnation = 0;
    SimTime paused_at;
  };
  // One unsigned comparison inline; the CHECKs that name the bad id run out of line.
  const Entry& At(NodeId node) const {
    if (ABSL_PREDICT_FALSE(static_cast<uint64_t>(static_cast<uint32_t>(node)) >=
                           nodes_.size())) {
      BadNode(node);
    }
    return nodes_[static_cast<size_t>(node)];
  }
  [[noreturn]] __attribute__((noinline, cold)) void BadNode(NodeId node) const;
  std::vector<Entry> nodes_;
};

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_PROCESS_H_
