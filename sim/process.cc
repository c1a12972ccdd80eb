#include "sim/process.h"

#include <string>

#include "core/base/check.h"

namespace ravensim::sim {
namespace {

absl::Status Invalid(const char* transition, NodeId node, ProcessState state) {
  return absl::FailedPreconditionError(std::string("cannot ") + transition + " node " +
                                       std::to_string(node) + ": it is " +
                                       ProcessStateName(state));
}

}  // namespace

const char* ProcessStateName(ProcessState state) {
  switch (state) {
    case ProcessState::kDown: return "down";
    case ProcessState::kUp: return "up";
    case ProcessState::kCrashed: return "crashed";
    case ProcessState::kPaused: return "paused";
  }
  return "unknown";
}

ProcessTable::ProcessTable(int32_t node_count) {
  CHECK_GE(node_count, 0);
  nodes_.resize(static_cast<size_t>(node_count));
}

void ProcessTable::BadNode(NodeId node) const {
  CHECK_GE(node, 0);
  CHECK_LT(node, node_count());
  CHECK_UNREACHABLE("node ", node, " passed the bounds check");
}

SimTime ProcessTable::paused_at(NodeId node) const {
  const Entry& e = At(node);
  CHECK_MSG(e.state == ProcessState::kPaused, "node ", node, " is not paused");
  return e.paused_at;
}

absl::Status ProcessTable::Start(NodeId node) {
  const ProcessState s = At(node).state;
  if (s != ProcessState::kDown && s != ProcessState::kCrashed) return Invalid("start", node, s);
  Entry& e = nodes_[node];
  e.state = ProcessState::kUp;
  ++e.incarnation;
  return absl::OkStatus();
}

absl::Status ProcessTable::Crash(NodeId node) {
  const ProcessState s = At(node).state;
  if (s != ProcessState::kUp && s != ProcessState::kPaused) return Invalid("crash", node, s);
  nodes_[node].state = ProcessState::kCrashed;
  return absl::OkStatus();
}

absl::Status ProcessTable::Pause(NodeId node, SimTime now) {
  const ProcessState s = At(node).state;
  if (s != ProcessState::kUp) return Invalid("pause", node, s);
  nodes_[node].state = ProcessState::kPaused;
  nodes_[node].paused_at = now;
  return absl::OkStatus();
}

absl::Status ProcessTable::Resume(NodeId node, SimTime now, SimDuration* length) {
  const ProcessState s = At(node).state;
  if (s != ProcessState::kPaused) return Invalid("resume", node, s);
  Entry& e = nodes_[node];
  CHECK_GE(now, e.paused_at);
  *length = now - e.paused_at;
  e.state = ProcessState::kUp;
  return absl::OkStatus();
}

int32_t ProcessTable::up_count() const {
  int32_t count = 0;
  for (const Entry& e : nodes_) count += e.state == ProcessState::kUp ? 1 : 0;
  return count;
}

}  // namespace ravensim::sim
