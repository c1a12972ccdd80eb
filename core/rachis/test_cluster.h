// TestCluster: a tiny deterministic driver for RachisNode unit tests (no sim/ world):
// N nodes with tags A, B, C..., an in-memory "network" with a fixed one-way delay and
// cuttable links, in-memory disks holding the framed records each Ready persisted, and
// crash/restart. Time advances in 1 ms steps. Test-only.
#ifndef RAVENSIM_CORE_RACHIS_TEST_CLUSTER_H_
#define RAVENSIM_CORE_RACHIS_TEST_CLUSTER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/rachis/rachis_node.h"

namespace ravensim::rachis {

// A state machine that remembers the commands it applied, in order.
class ListStateMachine : public RachisStateMachine {
 public:
  std::string Apply(uint64_t index, const std::string& command) override;
  std::string Serialize() const override;
  absl::Status Restore(const std::string& data) override;
  const std::vector<std::string>& applied() const { return applied_; }

 private:
  std::vector<std::string> applied_;
};

// Deterministic words for the election timeout draw (splitmix64).
std::function<uint64_t()> TestRandom(uint64_t seed);

struct TestClusterOptions {
  int members = 3;
  int watchers = 0;
  int64_t election_timeout_ns = 300'000'000;
  int64_t one_way_delay_ns = 1'000'000;
  uint64_t snapshot_every_entries = 0;
  int log_history_max_entries = 4096;  // RachisOptions.log_history_max_entries
  uint64_t seed = 1;
  // When false, only node A is bootstrapped (as the single member); the others start
  // Passive with no topology, to be added through ModifyTopology.
  bool bootstrap_all = true;
};

class TestCluster {
 public:
  explicit TestCluster(const TestClusterOptions& options);

  static constexpr int64_t kMillis = 1'000'000;
  int64_t now() const { return now_ns_; }
  RachisNode& node(const std::string& tag) { return *nodes_.at(tag).node; }
  const ListStateMachine& state_machine(const std::string& tag) {
    return *nodes_.at(tag).state_machine;
  }
  std::vector<std::string> tags() const;
  bool up(const std::string& tag) const { return nodes_.at(tag).up; }

  // Advances time by `duration_ns`, delivering messages and ticking nodes.
  void RunFor(int64_t duration_ns);
  // Runs until `predicate` holds (checked every step) or `limit_ns` passes; returns it.
  template <typename Predicate>
  bool RunUntil(Predicate predicate, int64_t limit_ns) {
    const int64_t end = now_ns_ + limit_ns;
    while (now_ns_ < end) {
      if (predicate()) return true;
      Step();
    }
    return predicate();
  }

  // Network faults: links are symmetric.
  void Cut(const std::string& a, const std::string& b);
  void Isolate(const std::string& tag);
  void Heal();
  // Process faults. Restart recovers from the records on the node's disk.
  void Crash(const std::string& tag);
  void Restart(const std::string& tag);
  std::vector<std::string>& disk(const std::string& tag) { return nodes_.at(tag).disk; }

  // The up node in state Leader with the highest term, or "".
  std::string Leader() const;
  int CountInState(RachisState state) const;

  void Submit(const std::string& tag, const std::string& request_id,
              const std::string& command);
  // Outcomes reported so far, by request id (the last one wins).
  const std::map<std::string, CommandResult>& results() const { return results_; }
  // Applies `modify` to a node and drains its Ready.
  void Drain(const std::string& tag);

 private:
  struct Host {
    std::unique_ptr<ListStateMachine> state_machine;
    std::unique_ptr<RachisNode> node;
    RachisOptions options;
    std::vector<std::string> disk;
    bool up = true;
  };
  struct InFlight {
    int64_t deliver_at_ns;
    uint64_t sequence;
    std::shared_ptr<const RachisEnvelope> envelope;  // as the sender built it
    bool operator<(const InFlight& other) const {
      return std::tie(deliver_at_ns, sequence) < std::tie(other.deliver_at_ns, other.sequence);
    }
  };
  void Step();
  bool LinkUp(const std::string& a, const std::string& b) const;

  TestClusterOptions options_;
  int64_t now_ns_ = 0;
  std::map<std::string, Host> nodes_;
  std::set<InFlight> in_flight_;
  uint64_t next_sequence_ = 0;
  std::set<std::pair<std::string, std::string>> cut_;
  std::map<std::string, CommandResult> results_;
};

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_TEST_CLUSTER_H_
