// Private to //sim/harness:world. The per-node runtime state of a World and the code
// that carries out Effects: timers (world_effects.cc), the disk queue and
// persist-before-send (world_effects.cc), connections and message delivery
// (world_network.cc).
#ifndef RAVENSIM_SIM_HARNESS_WORLD_IMPL_H_
#define RAVENSIM_SIM_HARNESS_WORLD_IMPL_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/optimization.h"
#include "sim/clock.h"
#include "sim/disk.h"
#include "sim/harness/node.h"
#include "sim/harness/world.h"
#include "sim/network.h"
#include "sim/network_internal.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace ravensim::harness {

// The sending side of the connection from one node to one peer.
struct Outgoing {
  enum class State { kIdle, kConnecting, kEstablished };
  State state = State::kIdle;
  sim::ConnectionId connection;
  std::vector<sim::Message> pending;  // Waiting for kEstablished; bounded.
  SimTime next_attempt;              // No connect before this (backoff).
  SimDuration backoff;               // The next failure waits this long (+ jitter).
  // kConnecting: the peer connected to us while this attempt was in flight, so it is
  // reachable and the attempt's failure (a connect sent while it was not) starts no
  // backoff.
  bool peer_connected_meanwhile = false;
};

// Something that happened to a paused node, delivered at resume.
struct Held {
  enum class Kind { kPersisted, kMessage, kDisconnected };
  Kind kind = Kind::kMessage;
  NodeId peer = sim::kNoNode;
  sim::Message message;
  uint64_t persist_id = 0;
  absl::Status status;
  std::vector<OutgoingMessage> messages;  // kPersisted: sent if status is OK.
};

struct TimerEntry {
  uint64_t tag = 0;
  SimTime deadline;  // Node-local monotonic.
  sim::TimerId id;   // Scheduler event; invalid once expired while paused.
};

// One Effects' writes travelling through the node's disk queue.
struct PersistJob {
  uint64_t sequence = 0;  // Per node, never reused (events name jobs by it).
  uint64_t persist_id = 0;
  std::vector<sim::DiskWrite> writes;
  bool sync = false;
  std::vector<OutgoingMessage> messages;  // after_persist messages.
};

// A node's FIFO disk queue: a ring of jobs whose slots keep their vectors' capacity
// from one job to the next (the writes are swapped with the node's Effects, so both
// sides keep theirs). References to a job are invalidated by Push.
class DiskQueue {
 public:
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  // The job in progress. REQUIRES: !empty().
  PersistJob& front() { return jobs_[head_]; }
  // The job pushed last. REQUIRES: !empty().
  PersistJob& back() { return jobs_[(head_ + count_ - 1) & (jobs_.size() - 1)]; }
  // A new job at the back, with empty vectors. Inline but for growing the ring.
  PersistJob& Push() {
    if (count_ == jobs_.size()) Grow();
    return jobs_[(head_ + count_++) & (jobs_.size() - 1)];
  }
  // Drops the front job, keeping its vectors' capacity. REQUIRES: !empty().
  // Always inline: once per persist.
  __attribute__((always_inline)) void Pop() {
    PersistJob& job = jobs_[head_];
    job.writes.clear();
    job.messages.clear();
    head_ = (head_ + 1) & (jobs_.size() - 1);
    --count_;
  }
  void Clear();

 private:
  // Full: unrolls into a ring twice the size, oldest first.
  __attribute__((noinline)) void Grow();

  std::vector<PersistJob> jobs_;  // Capacity: a power of two (or 0).
  size_t head_ = 0;
  size_t count_ = 0;
};

struct NodeRuntime {
  std::unique_ptr<Node> node;  // Null unless up or paused.
  std::unique_ptr<sim::Disk> disk;
  sim::Clock clock;
  // Timers by tag: a node has a handful, so a vector searched linearly (no order).
  std::vector<TimerEntry> timers;
  std::vector<uint64_t> expired_while_paused;  // Tags.
  std::vector<Held> held;                      // Arrival order.
  int64_t held_messages = 0;
  SimTime disk_busy_until;
  DiskQueue disk_queue;  // FIFO; the front job is the one in progress.
  uint64_t next_job_sequence = 1;
  std::vector<Outgoing> outgoing;  // By peer.
  bool damaged = false;            // Recoverable-mode bookkeeping.

  TimerEntry* FindTimer(uint64_t tag) {
    for (TimerEntry& t : timers) {
      if (t.tag == tag) return &t;
    }
    return nullptr;
  }
  void EraseTimer(TimerEntry* t) {
    *t = timers.back();
    timers.pop_back();
  }
};

// A cancelled or reset timer no longer fires at resume.
inline void ForgetExpired(NodeRuntime& r, uint64_t tag) {
  auto& expired = r.expired_while_paused;
  if (!expired.empty()) {
    expired.erase(std::remove(expired.begin(), expired.end(), tag), expired.end());
  }
}

class World::Impl : public sim::NetworkHandler {
 public:
  explicit Impl(World* world);

  NodeRuntime& rt(NodeId node) { return nodes_[node]; }
  const NodeRuntime& rt(NodeId node) const { return nodes_[node]; }

  // World::ContextFor, inline for CallNode.
  Context ContextFor(NodeId node) const {
    Context context;
    context.self = node;
    context.node_count = world_->options_.node_count;
    context.incarnation = world_->processes_.incarnation(node);
    rt(node).clock.Read(world_->now(), &context.monotonic_now, &context.wall_now);
    return context;
  }

  // Calls into the node (REQUIRES: up) and carries out what it returns.
  void CallStart(NodeId node, const sim::DiskImage& image, uint64_t seed);
  // Inline into OnReceiveMessage (and DeliverHeld): once per delivered message.
  inline void CallMessage(NodeId node, NodeId from, const sim::Message& message);
  void CallTimer(NodeId node, uint64_t tag);
  // Inline into CompletePersist (and DeliverHeld): once per persist.
  inline void CallPersisted(NodeId node, uint64_t persist_id, const absl::Status& status);
  void CallDisconnected(NodeId node, NodeId peer);
  absl::Status CallCommand(NodeId node, std::string_view what, World::CommandCall call);
  // Inline into CallNode (world_effects.cc), its only caller.
  inline void Execute(NodeId node, Effects& effects);

  // Timers (world_effects.cc).
  void SetTimer(NodeId node, uint64_t tag, SimTime deadline);
  // SetTimer's schedule (or reschedule) of the timer's event; `t` is the tag's entry
  // (nullptr if it has none).
  __attribute__((noinline)) void ScheduleTimer(NodeId node, TimerEntry* t, uint64_t tag,
                                               SimTime deadline);
  void CancelTimer(NodeId node, uint64_t tag);
  void CancelAllTimers(NodeId node);
  void FireTimer(NodeId node, uint64_t incarnation, uint64_t tag);

  // Disk queue (world_effects.cc).
  // Schedules the disk queue's back job (just pushed, with its writes).
  void SubmitPersist(NodeId node);
  void FinishWrites(NodeId node, uint64_t sequence);
  void FinishSync(NodeId node, uint64_t sequence);
  // Pops the front job and tells the node (or holds the news while it is paused).
  void CompletePersist(NodeId node, const absl::Status& status);

  // Messages (world_network.cc).
  // Inline for a message on an established connection (nearly every one); the rest in
  // SendMessageSlow.
  void SendMessage(NodeId from, OutgoingMessage&& message) {
    const NodeId to = message.to;
    if (static_cast<uint32_t>(to) < static_cast<uint32_t>(world_->options_.node_count) &&
        to != from) {
      Outgoing& o = rt(from).outgoing[to];
      if (o.state == Outgoing::State::kEstablished) {
        SendEstablished(from, o, std::move(message));
        return;
      }
    }
    SendMessageSlow(from, std::move(message));
  }
  void SendEstablished(NodeId from, Outgoing& o, OutgoingMessage&& message) {
    const size_t size = message.message.size();
    const absl::Status s =
        world_->network_->SendInline(o.connection, from, std::move(message.message));
    if (ABSL_PREDICT_FALSE(!s.ok())) DropMessage(from, message.to, size, "send-failed");
  }
  __attribute__((noinline)) void SendMessageSlow(NodeId from, OutgoingMessage&& message);
  void DropMessage(NodeId from, NodeId to, size_t bytes, const char* why);
  // Drops the outgoing connection state of `node` (crash).
  void ResetOutgoing(NodeId node);

  // Pause / resume.
  void DeliverHeld(NodeId node);

  // sim::NetworkHandler.
  void OnConnected(sim::ConnectionId connection, NodeId node, NodeId peer) override;
  void OnAccepted(sim::ConnectionId connection, NodeId node, NodeId peer) override;
  void OnConnectFailed(sim::ConnectionId connection, NodeId node, NodeId peer) override;
  void OnReceive(sim::ConnectionId connection, NodeId node, NodeId peer,
                 std::string bytes) override;
  void OnReceiveMessage(sim::ConnectionId connection, NodeId node, NodeId peer,
                        sim::Message&& message) override;
  void OnConnectionBroken(sim::ConnectionId connection, NodeId node, NodeId peer,
                          sim::BreakReason reason) override;
  void OnDatagram(NodeId node, NodeId from, std::string bytes) override;

 private:
  bool Live(NodeId node) const {  // Up or paused.
    const sim::ProcessState s = world_->processes_.state(node);
    return s == sim::ProcessState::kUp || s == sim::ProcessState::kPaused;
  }
  bool Paused(NodeId node) const {
    return world_->processes_.state(node) == sim::ProcessState::kPaused;
  }
  // A message for a paused node: into its bounded receive buffer.
  void HoldMessage(sim::ConnectionId connection, NodeId node, NodeId peer,
                   sim::Message&& message);
  void NoteDisconnected(NodeId node, NodeId peer);
  void ConnectionFailed(NodeId node, NodeId peer);
  // Runs call(node object, context, effects) and carries out the effects.
  // Always inline: a call per delivered message, timer and persist.
  template <typename Fn>
  __attribute__((always_inline)) void CallNode(NodeId node, Fn&& call);

  World* world_;
  std::vector<NodeRuntime> nodes_;
  // Cleared Effects for CallNode: calls nest, the innermost uses
  // effects_pool_[effects_depth_ - 1].
  std::vector<std::unique_ptr<Effects>> effects_pool_;
  size_t effects_depth_ = 0;
  sim::Prng backoff_prng_;
};

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_WORLD_IMPL_H_
