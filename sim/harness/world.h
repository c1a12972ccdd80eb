// harness::World: the one place that connects hosted nodes (sim/harness/node.h) to the
// simulated network, disks, clocks and process faults (STYLE.md §A; like TigerBeetle's
// testing/cluster.zig and FoundationDB's SimulatedCluster).
//
// The World owns the Scheduler, the Trace, the Network, one Disk and one Clock per node,
// the ProcessTable and the hosted Node objects. It is agnostic of what a node is:
// Rachis members, database nodes, clients and test nodes all plug in through a
// NodeFactory. Node ids are dense, 0..node_count-1; by convention cluster nodes come
// first (cluster_node_count of them) and clients after, and partition shapes apply to
// the cluster nodes only unless a member list is given.
//
// Carrying out Effects: messages go over connection links opened lazily per ordered pair
// (sender -> receiver), FIFO; while a connection is being set up, messages wait in a
// bounded buffer; a failed or broken connection drops them and the next send retries
// after an exponential backoff (reconnect_backoff_min doubling up to _max, with jitter).
// Disk writes go through a per-node FIFO disk queue with simulated latency; see node.h
// for persist-before-send. Timers are converted from node-local monotonic deadlines to
// true time with sim::Clock::TrueDurationFor (never early by the node's clock).
//
// Process faults:
//  * Crash: the node object is destroyed (memory lost), unsynced disk writes are lost or
//    torn (DiskFaults), its connections break (peers told), its timers and disk queue
//    are dropped, messages to it are refused.
//  * Restart: a new node object starts from what survived on disk (read through the
//    read-corruption fault).
//  * Pause: no callbacks while paused. Connections stay open (the kernel keeps ACKing,
//    as TCP does for a stopped process), so messages to a paused node queue in its
//    receive buffer (at most max_paused_inbox messages; past that the connection that
//    overflowed is broken, as a TCP sender would give up). Timers that expire and disk
//    completions that arrive during the pause are held. Resume: first the held disk
//    completions, then the expired timers in deadline order, then the queued messages in
//    arrival order. The node's clock keeps running with true time during the pause (a
//    clock is a pure function of true time), so at resume the node observes its clock
//    jumped forward by the pause length; Resume(node, extra_jump) adds a further
//    sim::Clock jump (e.g. a VM whose clock is corrected late).
//  * Wipe: crash (if up), empty disk, restart — a replaced machine.
//
// Recoverable mode (DESIGN.md §3): with `recoverable` set, faults that damage *synced*
// data — Wipe, CorruptSyncedData, and read corruption enabled through SetDiskFaults —
// are rationed so that at most (C-1)/2 of the C cluster nodes are "damaged" at any time.
// A damaged node stays damaged until ClearDamage(node) is called (by a runner that knows
// the node has caught up again). Every synced record therefore still has an undamaged
// copy on a majority of the nodes that held it, so a failure found in this mode is a
// real bug, not an impossible world. A refused fault returns FailedPrecondition and is
// traced as "fault.refused". Clients (ids >= cluster_node_count) are not rationed.
//
// Randomness: all streams are forked from Prng(seed): network (kNetwork), disks
// (kDisk, per node), connection backoff (kProcess), node seeds (kNodes, per node and
// incarnation). The World draws nothing on behalf of a fault schedule; a runner forks
// its own stream (kFaultSchedule) with fork_prng().
//
// Trace kinds: "net.*" (sim/network.h), "proc.start|crash|pause|resume|wipe",
// "disk.write|sync|fail|crash|corrupt", "timer.fire", "node.persisted", "node.command",
// "node.peer_disconnected", "harness.drop" (a message the World could not send: no
// connection, backoff, buffer limit, failed persist), "obs.<kind>",
// "fault.partition|disk|refused|clock_drift|clock_jump|damage_cleared". The fingerprint
// covers all of them.
//
// Thread-compatible: one World per simulation, driven from one thread. Node callbacks
// run inside scheduler events; fault methods may be called from scheduler events or
// between Run* calls, never from inside a node callback.
#ifndef RAVENSIM_SIM_HARNESS_WORLD_H_
#define RAVENSIM_SIM_HARNESS_WORLD_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "sim/clock.h"
#include "sim/disk.h"
#include "sim/harness/node.h"
#include "sim/network.h"
#include "sim/partition.h"
#include "sim/process.h"
#include "sim/prng.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace ravensim::harness {

struct WorldOptions {
  uint64_t seed = 1;
  int32_t node_count = 3;
  // Nodes 0..cluster_node_count-1 form the cluster (partition shapes, recoverable
  // rationing); -1 means all nodes.
  int32_t cluster_node_count = -1;
  sim::NetworkOptions network;  // node_count is overwritten with node_count above.
  sim::DiskOptions disk;
  std::vector<sim::ClockOptions> clocks;  // Per node; missing entries use defaults.
  sim::TraceOptions trace;
  sim::SchedulerOptions scheduler;
  bool recoverable = false;
  SimDuration reconnect_backoff_min = SimDuration::Millis(50);
  SimDuration reconnect_backoff_max = SimDuration::Seconds(2);
  // Messages waiting for a connection to be established, per ordered pair.
  int64_t max_pending_messages_per_peer = 4096;
  // Messages queued for a paused node.
  int64_t max_paused_inbox = 1 << 16;
};

// One observation as the observer callback receives it.
struct ObservationRecord {
  SimTime time;  // True simulated time.
  NodeId node = sim::kNoNode;
  uint64_t incarnation = 0;
  const Observation* observation = nullptr;  // Valid during the callback only.
};
using Observer = absl::AnyInvocable<void(const ObservationRecord&)>;

class World {
 public:
  // REQUIRES: options.node_count > 0.
  World(const WorldOptions& options, NodeFactory factory);
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World();

  // Boots every node that was never started, at now(). (Individual boots: Restart.)
  void Start();

  // ---- Running ----------------------------------------------------------------------
  absl::Status RunFor(SimDuration duration);
  absl::Status RunUntil(SimTime until);
  // OK once done() holds; DeadlineExceeded if it never did by `deadline`.
  absl::Status RunUntil(absl::FunctionRef<bool()> done, SimTime deadline);
  SimTime now() const { return scheduler_.now(); }

  // ---- Access -----------------------------------------------------------------------
  int32_t node_count() const { return options_.node_count; }
  const WorldOptions& options() const { return options_; }
  int32_t cluster_node_count() const { return cluster_node_count_; }
  // 0..cluster_node_count-1.
  std::vector<NodeId> cluster_members() const;
  sim::Scheduler& scheduler() { return scheduler_; }
  sim::Trace& trace() { return trace_; }
  const sim::Trace& trace() const { return trace_; }
  uint64_t fingerprint() const { return trace_.fingerprint(); }
  sim::Network& network() { return *network_; }
  sim::Disk& disk(NodeId node);
  sim::Clock& clock(NodeId node);
  const sim::ProcessTable& processes() const { return processes_; }
  sim::ProcessState state(NodeId node) const { return processes_.state(node); }
  // The live node object (up or paused), or nullptr. Valid until the node crashes.
  Node* node(NodeId node);
  template <typename T>
  T* node_as(NodeId id) { return static_cast<T*>(node(id)); }
  // The node's current Context (its clock readings at now()).
  Context ContextFor(NodeId node) const;
  // A fresh stream forked from the run seed (e.g. StreamId::kFaultSchedule or
  // kWorkload), for runners and tests.
  sim::Prng fork_prng(sim::StreamId stream) const { return root_prng_.Fork(stream); }
  void SetObserver(Observer observer) { observer_ = std::move(observer); }

  // ---- Operator commands (traced) ---------------------------------------------------
  // Calls `call` on an up node from outside its callbacks, as an operator's request to
  // that server would (a topology change), carries out the Effects it fills in as for
  // any callback, and returns the call's answer. `what` names the command in the trace
  // ("node.command"). FailedPrecondition (and nothing called) unless the node is up: a
  // crashed node cannot take it, a paused one takes nothing until it resumes. Call it
  // from a scheduler event or between runs, never from inside a node callback.
  using CommandCall = absl::FunctionRef<absl::Status(Node*, const Context&, Effects*)>;
  absl::Status Command(NodeId node, std::string_view what, CommandCall call);

  // ---- Process faults (traced; FailedPrecondition on an invalid transition) ----------
  absl::Status Crash(NodeId node);
  absl::Status Restart(NodeId node);
  absl::Status Pause(NodeId node);
  absl::Status Resume(NodeId node, SimDuration extra_clock_jump = SimDuration::Zero());
  // Recoverable mode may refuse it (see above).
  absl::Status Wipe(NodeId node);

  // ---- Network faults (traced) ------------------------------------------------------
  void SetReachability(const sim::Reachability& reachability);
  // A named shape over cluster_members(), or over `members`. `target` is the node to
  // isolate (kIsolateNode) or the current leader, as the caller knows it
  // (kIsolateLeader).
  void ApplyShape(sim::PartitionShape shape, NodeId target = sim::kNoNode);
  void ApplyShape(sim::PartitionShape shape, const std::vector<NodeId>& members,
                  NodeId target);
  void Heal();
  void Clog(NodeId from, NodeId to, SimDuration duration);
  void ClogNode(NodeId node, SimDuration duration);
  // Ends every clog now (Network::UnclogAll).
  void UnclogAll();
  void SetLinkOptions(NodeId from, NodeId to, const sim::LinkOptions& options);
  void SetAllLinkOptions(const sim::LinkOptions& options);

  // ---- Disk faults (traced) ---------------------------------------------------------
  // Recoverable mode refuses faults with damages_synced_data() beyond the budget.
  absl::Status SetDiskFaults(NodeId node, const sim::DiskFaults& faults);
  // A persistent bit flip in one durable record. FailedPrecondition if refused or if the
  // disk holds no durable data.
  absl::Status CorruptSyncedData(NodeId node);
  // Recoverable-mode bookkeeping.
  bool damaged(NodeId node) const;
  int32_t damaged_count() const;
  int32_t max_damaged() const { return (cluster_node_count_ - 1) / 2; }
  // FailedPrecondition while the node's disk still has a fault that damages synced data.
  absl::Status ClearDamage(NodeId node);

  // ---- Clock faults (traced) --------------------------------------------------------
  void SetClockDrift(NodeId node, int64_t drift_ppm);
  void JumpClock(NodeId node, SimDuration delta);

  // Number of messages dropped by the World itself (no connection, backoff, buffer
  // limits, sender crashed before persist) — the Network counts its own drops.
  int64_t harness_drop_count() const { return harness_drops_; }

 private:
  class Impl;
  friend class Impl;

  // OK, or FailedPrecondition (traced) if recoverable mode forbids damaging `node`.
  absl::Status ReserveDamage(NodeId node, const char* fault);

  WorldOptions options_;
  int32_t cluster_node_count_;
  sim::Prng root_prng_;
  sim::Scheduler scheduler_;
  sim::Trace trace_;
  sim::ProcessTable processes_;
  NodeFactory factory_;
  std::unique_ptr<sim::Network> network_;
  Observer observer_;
  int64_t harness_drops_ = 0;
  std::unique_ptr<Impl> impl_;  // Per-node runtime state and the network handler.
};

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_WORLD_H_
