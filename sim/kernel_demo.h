// A small self-contained simulation that exercises the kernel end to end: `node_count`
// nodes gossip a counter to random peers over links with log-normal delays, each node
// with its own drifting clock and a heartbeat timer that is re-armed (and sometimes
// cancelled) on every message. Used by the kernel's determinism tests and by
// `//tools:kernel_demo`. It knows nothing of RavenDB; it only proves the kernel's
// contract: the run is a pure function of the seed.
#ifndef RAVENSIM_SIM_KERNEL_DEMO_H_
#define RAVENSIM_SIM_KERNEL_DEMO_H_

#include <cstdint>
#include <ostream>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/time.h"

namespace ravensim::sim {

struct KernelDemoOptions {
  uint64_t seed = 1;
  int node_count = 5;
  SimDuration duration = SimDuration::Seconds(10);
  uint64_t event_budget = 50'000'000;
  std::ostream* trace_jsonl = nullptr;  // Optional full trace.
  bool keep_event_hashes = false;
};

struct KernelDemoResult {
  SimTime end_time;
  uint64_t events_run = 0;
  uint64_t trace_events = 0;
  uint64_t messages_delivered = 0;
  uint64_t fingerprint = 0;
  std::vector<uint64_t> event_hashes;  // When keep_event_hashes.
};

absl::StatusOr<KernelDemoResult> RunKernelDemo(const KernelDemoOptions& options);

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_KERNEL_DEMO_H_
