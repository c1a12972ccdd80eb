// Timeline: a run drawn as Chrome trace-event JSON (the "JSON Array/Object format" read
// by Perfetto's UI and chrome://tracing). One process "cluster" with a track (thread)
// per node plus a "faults" track, one process "clients" with a track per client.
// Spans ("X" complete events) show leadership terms, partitions, crashes, pauses and
// client operations; instants ("i") mark one-off events (a clock jump, a restart).
//
// Times are true simulated time; Chrome's unit is the microsecond, written with three
// decimals so nanoseconds are kept exactly. Output is deterministic: events are written
// in insertion order, tracks in id order.
//
// Thread-compatible value type; the runner fills one per run.
#ifndef RAVENSIM_TOOLS_SCENARIO_TIMELINE_H_
#define RAVENSIM_TOOLS_SCENARIO_TIMELINE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "sim/time.h"

namespace ravensim::tools {

class Timeline {
 public:
  enum class Process : int32_t { kCluster = 1, kClients = 2 };
  // A track is (process, thread id); thread ids are chosen by the caller.
  struct Track {
    Process process = Process::kCluster;
    int32_t thread = 0;
  };
  using Args = std::vector<std::pair<std::string, std::string>>;

  // Names a track (a node "A", "faults", a client "client 3"). Tracks sort by id.
  void NameTrack(Track track, std::string name);

  // A span [start, end). REQUIRES: start <= end.
  void Span(Track track, sim::SimTime start, sim::SimTime end, std::string name,
            std::string category, Args args = {});
  // A zero-length mark.
  void Instant(Track track, sim::SimTime at, std::string name, std::string category,
               Args args = {});

  size_t event_count() const { return events_.size(); }

  // {"displayTimeUnit":"ms","traceEvents":[...]}.
  std::string ToJson() const;
  absl::Status WriteFile(const std::string& path) const;

 private:
  struct Event {
    Track track;
    int64_t start_ns = 0;
    int64_t duration_ns = -1;  // -1 = instant.
    std::string name;
    std::string category;
    Args args;
  };

  std::map<std::pair<int32_t, int32_t>, std::string> track_names_;
  std::vector<Event> events_;
};

// Microseconds with exactly three decimals: 1234567 ns -> "1234.567".
std::string FormatMicros(int64_t nanos);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_TIMELINE_H_
