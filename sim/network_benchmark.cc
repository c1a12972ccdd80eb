// Network throughput (docs/PERFORMANCE.md): messages delivered per second through the
// simulated network, 5 nodes all-to-all, 1 KiB messages, delay and loss on, including
// scheduling and tracing (fingerprint hashing of every send and delivery).
// Run: bazel run -c opt //sim:network_benchmark
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "core/base/check.h"
#include "sim/network.h"
#include "sim/prng.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace ravensim::sim {
namespace {

constexpr int32_t kNodes = 5;
constexpr size_t kMessageBytes = 1024;
constexpr int kBatch = 1000;

// Counts deliveries and recycles the delivered buffers, so the benchmark measures the
// network, not the allocator of the test driver.
class CountingHandler : public NetworkHandler {
 public:
  void OnConnected(ConnectionId, NodeId, NodeId) override { ++connected; }
  void OnAccepted(ConnectionId, NodeId, NodeId) override {}
  void OnConnectFailed(ConnectionId, NodeId, NodeId) override {}
  void OnReceive(ConnectionId, NodeId, NodeId, std::string bytes) override {
    ++delivered;
    pool.push_back(std::move(bytes));
  }
  void OnConnectionBroken(ConnectionId, NodeId, NodeId, BreakReason) override {}
  void OnDatagram(NodeId, NodeId, std::string bytes) override {
    ++delivered;
    pool.push_back(std::move(bytes));
  }

  std::string Take() {
    if (pool.empty()) return std::string(kMessageBytes, 'x');
    std::string s = std::move(pool.back());
    pool.pop_back();
    return s;
  }

  int64_t connected = 0;
  int64_t delivered = 0;
  std::vector<std::string> pool;
};

LinkOptions BenchLink() {
  LinkOptions link;
  link.one_way_delay_ns_min = 100'000;
  link.one_way_delay_ns_mean = 400'000;
  link.one_way_delay_ns_max = 5'000'000;
  link.packet_loss_ratio = Ratio{1, 100};
  return link;
}

void BM_NetworkConnectionsAllToAll(benchmark::State& state) {
  Scheduler scheduler(SchedulerOptions{.event_budget = UINT64_MAX});
  Trace trace;
  CountingHandler handler;
  NetworkOptions options{.node_count = kNodes, .default_link = BenchLink()};
  Network network(options, &scheduler, &trace, Prng(7).Fork(StreamId::kNetwork), &handler);
  std::vector<std::pair<ConnectionId, NodeId>> senders;
  for (NodeId a = 0; a < kNodes; ++a) {
    for (NodeId b = 0; b < kNodes; ++b) {
      if (a != b) senders.push_back({network.Connect(a, b), a});
    }
  }
  CHECK(scheduler.RunUntilQuiescent().ok());
  CHECK_EQ(handler.connected, kNodes * (kNodes - 1));
  size_t next = 0;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      const auto& [connection, from] = senders[next];
      next = next + 1 == senders.size() ? 0 : next + 1;
      CHECK(network.Send(connection, from, handler.Take()).ok());
    }
    CHECK(scheduler.RunUntilQuiescent().ok());
  }
  state.SetItemsProcessed(handler.delivered);
  state.counters["fingerprint_low"] = static_cast<double>(trace.fingerprint() & 0xffff);
}
BENCHMARK(BM_NetworkConnectionsAllToAll);

void BM_NetworkDatagramsAllToAll(benchmark::State& state) {
  Scheduler scheduler(SchedulerOptions{.event_budget = UINT64_MAX});
  Trace trace;
  CountingHandler handler;
  LinkOptions link = BenchLink();
  link.packet_duplication_ratio = Ratio{1, 100};
  link.packet_reorder_ratio = Ratio{1, 100};
  NetworkOptions options{.node_count = kNodes, .default_link = link};
  Network network(options, &scheduler, &trace, Prng(7).Fork(StreamId::kNetwork), &handler);
  NodeId from = 0;
  NodeId to = 1;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      network.SendDatagram(from, to, handler.Take());
      if (++to == kNodes) {
        to = 0;
        from = from + 1 == kNodes ? 0 : from + 1;
      }
      if (to == from) to = to + 1 == kNodes ? 0 : to + 1;
    }
    CHECK(scheduler.RunUntilQuiescent().ok());
  }
  state.SetItemsProcessed(handler.delivered);
}
BENCHMARK(BM_NetworkDatagramsAllToAll);

}  // namespace
}  // namespace ravensim::sim
