#include "core/rachis/test_cluster.h"

#include <tuple>

#include "core/base/check.h"
#include "core/rachis/persistence.h"

namespace ravensim::rachis {

std::string ListStateMachine::Apply(uint64_t index, const std::string& command) {
  applied_.push_back(command);
  return "ok:" + command;
}

std::string ListStateMachine::Serialize() const {
  std::string out;
  for (const std::string& c : applied_) out += c + "\n";
  return out;
}

absl::Status ListStateMachine::Restore(const std::string& data) {
  applied_.clear();
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string::npos) return absl::DataLossError("unterminated command");
    applied_.push_back(data.substr(start, end - start));
    start = end + 1;
  }
  return absl::OkStatus();
}

std::function<uint64_t()> TestRandom(uint64_t seed) {
  return [state = seed]() mutable {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
}

TestCluster::TestCluster(const TestClusterOptions& options) : options_(options) {
  ClusterTopologyProto topology;
  topology.set_topology_id("test-cluster");
  const int total = options.members + options.watchers;
  for (int i = 0; i < total; ++i) {
    const std::string tag(1, static_cast<char>('A' + i));
    if (!options.bootstrap_all && i > 0) continue;
    TopologyNode* node = i < options.members ? topology.add_members() : topology.add_watchers();
    node->set_tag(tag);
    node->set_node_id(i);
    topology.set_last_node_id(tag);
  }
  for (int i = 0; i < total; ++i) {
    const std::string tag(1, static_cast<char>('A' + i));
    Host& host = nodes_[tag];
    host.options.tag = tag;
    host.options.node_id = i;
    host.options.election_timeout_ns = options.election_timeout_ns;
    host.options.snapshot_every_entries = options.snapshot_every_entries;
    host.options.log_history_max_entries = options.log_history_max_entries;
    host.options.random_word = TestRandom(options.seed * 1000 + i);
    if (options.bootstrap_all || i == 0) host.options.bootstrap_topology = topology;
    host.disk.clear();
    Restart(tag);
  }
}

std::vector<std::string> TestCluster::tags() const {
  std::vector<std::string> out;
  for (const auto& [tag, host] : nodes_) out.push_back(tag);
  return out;
}

void TestCluster::Drain(const std::string& tag) {
  Host& host = nodes_.at(tag);
  while (host.up && host.node->HasReady()) {
    Ready ready = host.node->TakeReady();
    PersistedRecord record;
    if (ready.snapshot != nullptr) {
      *record.mutable_snapshot() = *ready.snapshot;
      host.disk.push_back(EncodeRecord(record));
    }
    if (ready.log_append.has_value()) {
      *record.mutable_log_append() = ready.log_append->ToProto();
      host.disk.push_back(EncodeRecord(record));
    }
    if (ready.hard_state.has_value()) {
      *record.mutable_hard_state() = *ready.hard_state;
      host.disk.push_back(EncodeRecord(record));
    }
    for (std::shared_ptr<RachisEnvelope>& envelope : ready.messages) {
      in_flight_.insert({now_ns_ + options_.one_way_delay_ns, next_sequence_++,
                         std::move(envelope)});
    }
    for (CommandResult& result : ready.results) results_[result.request_id] = result;
    host.node->Advance(ready);
  }
}

bool TestCluster::LinkUp(const std::string& a, const std::string& b) const {
  return cut_.count({a, b}) == 0 && cut_.count({b, a}) == 0;
}

void TestCluster::Step() {
  now_ns_ += kMillis;
  while (!in_flight_.empty() && in_flight_.begin()->deliver_at_ns <= now_ns_) {
    InFlight flight = *in_flight_.begin();
    in_flight_.erase(in_flight_.begin());
    const std::string& from = flight.envelope->message().from();
    const std::string& to = flight.envelope->message().to();
    auto it = nodes_.find(to);
    if (it == nodes_.end() || !it->second.up || !LinkUp(from, to)) continue;
    (void)it->second.node->Step(now_ns_, *flight.envelope);
    Drain(to);
  }
  for (auto& [tag, host] : nodes_) {
    if (!host.up) continue;
    if (host.node->NextDeadlineNanos() <= now_ns_) host.node->Tick(now_ns_);
    Drain(tag);
  }
}

void TestCluster::RunFor(int64_t duration_ns) {
  const int64_t end = now_ns_ + duration_ns;
  while (now_ns_ < end) Step();
}

void TestCluster::Cut(const std::string& a, const std::string& b) { cut_.insert({a, b}); }

void TestCluster::Isolate(const std::string& tag) {
  for (const auto& [other, host] : nodes_) {
    if (other != tag) Cut(tag, other);
  }
}

void TestCluster::Heal() { cut_.clear(); }

void TestCluster::Crash(const std::string& tag) {
  Host& host = nodes_.at(tag);
  host.up = false;
  host.node.reset();
}

void TestCluster::Restart(const std::string& tag) {
  Host& host = nodes_.at(tag);
  host.state_machine = std::make_unique<ListStateMachine>();
  host.options.state_machine = host.state_machine.get();
  absl::StatusOr<std::unique_ptr<RachisNode>> node =
      RachisNode::Create(host.options, RecoverFromRecords(host.disk));
  CHECK_MSG(node.ok(), node.status().ToString());
  host.node = std::move(*node);
  host.up = true;
  host.node->Tick(now_ns_);
  Drain(tag);
}

std::string TestCluster::Leader() const {
  std::string leader;
  uint64_t term = 0;
  for (const auto& [tag, host] : nodes_) {
    if (!host.up || host.node->state() != RachisState::kLeader) continue;
    if (leader.empty() || host.node->term() > term) {
      leader = tag;
      term = host.node->term();
    }
  }
  return leader;
}

int TestCluster::CountInState(RachisState state) const {
  int count = 0;
  for (const auto& [tag, host] : nodes_) {
    if (host.up && host.node->state() == state) ++count;
  }
  return count;
}

void TestCluster::Submit(const std::string& tag, const std::string& request_id,
                         const std::string& command) {
  node(tag).Submit(now_ns_, request_id, command);
  Drain(tag);
}

}  // namespace ravensim::rachis
