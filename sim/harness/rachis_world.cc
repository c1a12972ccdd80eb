#include "sim/harness/rachis_world.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "checkers/raft/raft_observation_view.h"
#include "core/rachis/entry_hash.h"

namespace ravensim::harness {
namespace {

// Drops or duplicates messages a wrapped cluster node sends to other cluster nodes.
class LossyNode : public Node {
 public:
  LossyNode(std::unique_ptr<Node> inner, int32_t cluster_size, sim::Ratio loss,
            sim::Ratio duplication)
      : inner_(std::move(inner)), cluster_size_(cluster_size), loss_(loss),
        duplication_(duplication) {}
  void Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
             Effects* effects) override {
    prng_.emplace(sim::Prng(seed).Fork(0x1055));
    inner_->Start(context, disk, seed, effects);
    Mangle(effects);
  }
  void OnMessage(const Context& context, NodeId from, std::string_view bytes,
                 Effects* effects) override {
    inner_->OnMessage(context, from, bytes, effects);
    Mangle(effects);
  }
  void OnMessageBody(const Context& context, NodeId from, const sim::MessageBody& body,
                     Effects* effects) override {
    inner_->OnMessageBody(context, from, body, effects);
    Mangle(effects);
  }
  void OnTimer(const Context& context, uint64_t tag, Effects* effects) override {
    inner_->OnTimer(context, tag, effects);
    Mangle(effects);
  }
  void OnPersisted(const Context& context, uint64_t id, const absl::Status& status,
                   Effects* effects) override {
    inner_->OnPersisted(context, id, status, effects);
    Mangle(effects);
  }
  void OnPeerDisconnected(const Context& context, NodeId peer, Effects* effects) override {
    inner_->OnPeerDisconnected(context, peer, effects);
    Mangle(effects);
  }
  Node* inner() { return inner_.get(); }

 private:
  void Mangle(Effects* effects) {
    std::vector<OutgoingMessage> out;
    for (OutgoingMessage& m : effects->messages) {
      if (m.to >= cluster_size_) {
        out.push_back(std::move(m));
        continue;
      }
      if (prng_->Chance(loss_.numerator, loss_.denominator)) continue;
      if (prng_->Chance(duplication_.numerator, duplication_.denominator)) out.push_back(m);
      out.push_back(std::move(m));
    }
    effects->messages = std::move(out);
  }
  std::unique_ptr<Node> inner_;
  int32_t cluster_size_;
  sim::Ratio loss_;
  sim::Ratio duplication_;
  std::optional<sim::Prng> prng_;
};

bool Lossy(const RachisWorldOptions& options) {
  return !options.message_loss.never() || !options.message_duplication.never();
}

}  // namespace

RachisWorld::RachisWorld(const RachisWorldOptions& options) : options_(options) {
  topology_.set_topology_id(absl::StrCat("cluster-", options.seed));
  for (int i = 0; i < cluster_size(); ++i) {
    rachis::TopologyNode* node =
        i < options.members ? topology_.add_members() : topology_.add_watchers();
    node->set_tag(std::string(1, static_cast<char>('A' + i)));
    node->set_node_id(i);
    topology_.set_last_node_id(node->tag());
  }
  WorldOptions world_options;
  world_options.seed = options.seed;
  world_options.node_count = cluster_size() + options.clients;
  world_options.cluster_node_count = cluster_size();
  world_options.network = options.network;
  world_options.disk = options.disk;
  world_options.trace = options.trace;
  world_options.recoverable = options.recoverable;
  world_ = std::make_unique<World>(world_options,
                                   [this](NodeId id) { return MakeNode(id); });
  // The checker takes each host's observations as views built from the node's own
  // (RachisHostOptions::observation_views, set in MakeNode), not parsed back from the
  // records' bytes, which still go into the trace.
}

std::unique_ptr<Node> RachisWorld::MakeNode(NodeId id) {
  if (id < cluster_size()) {
    RachisHostOptions host;
    host.tag = std::string(1, static_cast<char>('A' + id));
    host.bootstrap_topology = topology_;
    host.election_timeout_ns = options_.election_timeout_ns;
    host.snapshot_every_entries = options_.snapshot_every_entries;
    if (options_.check_invariants) {
      host.observation_views = [this, id](checkers::raft::RaftObservationView& view) {
        // What DecodeRachisObservation stamps from the record: the World's time of the
        // call (its records carry it) and the node.
        view.time_ns = world_->now().nanos();
        view.node = id;
        checker_.Observe(view);
      };
    }
    std::unique_ptr<Node> node = std::make_unique<RachisHost>(std::move(host));
    if (!Lossy(options_)) return node;
    return std::make_unique<LossyNode>(std::move(node), cluster_size(),
                                       options_.message_loss, options_.message_duplication);
  }
  ClusterClientOptions client;
  client.name = absl::StrCat("c", id);
  for (int i = 0; i < cluster_size(); ++i) client.cluster_nodes.push_back(i);
  client.preferred_index = id % cluster_size();
  client.think_time_mean_ns = options_.client_think_time_mean_ns;
  client.attempt_timeout_ns = options_.client_attempt_timeout_ns;
  client.operation_timeout_ns = options_.client_operation_timeout_ns;
  client.next_command = ClusterClient::RegisterWorkload(options_.register_keys);
  client.on_operation = [this](ClientOperation& op) {
    if (op.phase == ClientOperation::Phase::kInvoke) {
      ++invoked_;
      return;
    }
    if (op.outcome == ClientOperation::Outcome::kOk) ++acknowledged_;
    // A return's record is the client's to discard: moved, not copied.
    returns_.push_back(std::move(op));
  };
  return std::make_unique<ClusterClient>(std::move(client));
}

std::vector<NodeId> RachisWorld::client_ids() const {
  std::vector<NodeId> ids;
  for (int i = 0; i < options_.clients; ++i) ids.push_back(cluster_size() + i);
  return ids;
}

RachisHost* RachisWorld::host(NodeId node) {
  Node* live = world_->node(node);
  if (live == nullptr) return nullptr;
  if (Lossy(options_)) live = static_cast<LossyNode*>(live)->inner();
  return static_cast<RachisHost*>(live);
}

ClusterClient* RachisWorld::client(NodeId node) {
  return static_cast<ClusterClient*>(world_->node(node));
}

NodeId RachisWorld::Leader() {
  NodeId leader = sim::kNoNode;
  uint64_t term = 0;
  for (NodeId id = 0; id < cluster_size(); ++id) {
    RachisHost* h = host(id);
    if (h == nullptr || world_->state(id) != sim::ProcessState::kUp) continue;
    if (h->rachis().state() != rachis::RachisState::kLeader) continue;
    if (leader == sim::kNoNode || h->rachis().term() > term) {
      leader = id;
      term = h->rachis().term();
    }
  }
  return leader;
}

void RachisWorld::SetClientsActive(bool active) {
  for (NodeId id : client_ids()) {
    if (ClusterClient* c = client(id)) c->SetActive(active);
  }
}

bool RachisWorld::AckedAppliedEverywhere(std::string* why) {
  if (Leader() == sim::kNoNode) {
    *why = "no leader";
    return false;
  }
  uint64_t max_index = 0;
  for (const ClientOperation& op : returns_) {
    if (op.outcome != ClientOperation::Outcome::kOk) continue;
    max_index = std::max(max_index, op.index);
    rachis::LogEntry entry;
    entry.set_flags(rachis::ENTRY_FLAGS_STATE_MACHINE_COMMAND);
    entry.set_request_id(op.request_id);
    entry.set_command(op.command);
    std::optional<uint64_t> committed = checker_.CommittedHash(op.index);
    if (committed.has_value() && *committed != rachis::EntryHash(entry)) {
      *why = absl::StrCat("acknowledged ", op.request_id, " at index ", op.index,
                          " but another entry is committed there");
      return false;
    }
  }
  for (NodeId id = 0; id < cluster_size(); ++id) {
    RachisHost* h = host(id);
    if (h == nullptr) {
      *why = absl::StrCat("node ", id, " is down");
      return false;
    }
    if (h->rachis().applied_index() < max_index) {
      *why = absl::StrCat("node ", id, " applied ", h->rachis().applied_index(), " < ",
                          max_index);
      return false;
    }
  }
  return true;
}

}  // namespace ravensim::harness
