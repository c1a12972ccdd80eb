#include "sim/kernel_demo.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "sim/clock.h"
#include "sim/prng.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace ravensim::sim {
namespace {

class Demo {
 public:
  explicit Demo(const KernelDemoOptions& options)
      : options_(options),
        scheduler_(SchedulerOptions{.event_budget = options.event_budget}),
        trace_(TraceOptions{.keep_event_hashes = options.keep_event_hashes,
                            .jsonl = options.trace_jsonl}),
        root_(options.seed),
        network_(root_.Fork(StreamId::kNetwork)) {
    CHECK_GT(options.node_count, 1);
    Prng clock_stream = root_.Fork(StreamId::kClock);
    for (int i = 0; i < options.node_count; ++i) {
      Node node;
      node.clock = Clock(ClockOptions{
          .offset = SimDuration::Millis(clock_stream.UniformIn(-50, 50)),
          .drift_ppm = clock_stream.UniformIn(-200, 200)});
      node.timers = root_.Fork(StreamId::kTimers).Fork(static_cast<uint64_t>(i));
      nodes_.push_back(std::move(node));
    }
  }

  absl::StatusOr<KernelDemoResult> Run() {
    for (int i = 0; i < options_.node_count; ++i) ArmHeartbeat(i);
    const SimTime end = SimTime::Zero() + options_.duration;
    absl::Status status = scheduler_.RunUntil(end);
    if (!status.ok()) return status;
    KernelDemoResult result;
    result.end_time = scheduler_.now();
    result.events_run = scheduler_.events_run();
    result.trace_events = trace_.event_count();
    result.messages_delivered = delivered_;
    result.fingerprint = trace_.fingerprint();
    result.event_hashes = trace_.event_hashes();
    return result;
  }

 private:
  struct Node {
    Clock clock;
    Prng timers{0};
    int64_t counter = 0;
    TimerId heartbeat;
  };

  // Heartbeat every 100 ms of the node's own monotonic clock, jittered.
  void ArmHeartbeat(int node) {
    Node& n = nodes_[node];
    const SimDuration local = SimDuration::Millis(n.timers.UniformIn(80, 120));
    n.heartbeat = scheduler_.ScheduleAfter(
        n.clock.TrueDurationFor(scheduler_.now(), local), [this, node] { Heartbeat(node); },
        "heartbeat");
  }

  void Heartbeat(int node) {
    Node& n = nodes_[node];
    ++n.counter;
    const int peer = PickPeer(node);
    trace_.Append({.time = scheduler_.now(), .kind = "demo.heartbeat", .node = node,
                   .peer = peer, .value = n.counter});
    Send(node, peer, n.counter);
    ArmHeartbeat(node);
  }

  int PickPeer(int node) {
    int peer = static_cast<int>(network_.UniformBelow(options_.node_count - 1));
    return peer >= node ? peer + 1 : peer;
  }

  void Send(int from, int to, int64_t value) {
    if (network_.Chance(1, 100)) {
      trace_.Append({.time = scheduler_.now(), .kind = "demo.drop", .node = from,
                     .peer = to, .value = value});
      return;
    }
    const int64_t delay_ns = network_.LogNormalish(100'000, 1'000'000, 50'000'000);
    scheduler_.ScheduleAfter(SimDuration::Nanos(delay_ns),
                             [this, from, to, value] { Deliver(from, to, value); },
                             "deliver");
  }

  void Deliver(int from, int to, int64_t value) {
    Node& n = nodes_[to];
    ++delivered_;
    const int64_t before = n.counter;
    if (value > n.counter) n.counter = value;
    const SimTime local = n.clock.WallTime(scheduler_.now());
    trace_.Append({.time = scheduler_.now(), .kind = "demo.deliver", .node = to,
                   .peer = from, .value = n.counter,
                   .detail = absl::StrCat("local=", local.nanos())});
    // A node that learns a higher counter resets its heartbeat (cancel + re-arm).
    if (n.counter > before && scheduler_.Cancel(n.heartbeat)) ArmHeartbeat(to);
  }

  KernelDemoOptions options_;
  Scheduler scheduler_;
  Trace trace_;
  Prng root_;
  Prng network_;
  std::vector<Node> nodes_;
  uint64_t delivered_ = 0;
};

}  // namespace

absl::StatusOr<KernelDemoResult> RunKernelDemo(const KernelDemoOptions& options) {
  auto demo = std::make_unique<Demo>(options);
  return demo->Run();
}

}  // namespace ravensim::sim
