// harness::Node: the interface of everything the harness hosts (Rachis members,
// database nodes, clients, test nodes), in the style of STYLE.md §B: time in, messages
// in, effects out. A Node performs no I/O and reads no clock; each call receives a
// Context (its own clock readings, never true time) and fills an Effects value that the
// World (sim/harness/world.h) carries out against the simulated network, disk and clock.
//
// Life cycle and ownership: the World owns each Node through a NodeFactory. A node is
// created and Start()ed at boot and again at every restart, so a crash loses exactly the
// node's memory: the new object sees only what survived on its disk (DiskImage). Between
// Start and the crash, calls arrive one at a time, in simulated-time order, never
// re-entrantly, and never while the node is paused or down.
//
// Rules the World enforces (the contract):
//  * Persist-before-send: the messages of an Effects with `after_persist` set (the
//    default) are sent only after that Effects' disk writes completed, including the
//    fsync when `sync` is set. If a write or the fsync fails, those messages are
//    dropped and the node learns the error in OnPersisted. Writes of successive
//    Effects are carried out in order (one disk queue per node).
//  * Every Effects with writes gets exactly one OnPersisted(persist_id, status), unless
//    the node crashes first.
//  * Messages: addressed by node id; the World opens connections lazily (connection
//    links, FIFO per ordered pair of nodes) and reconnects with backoff. Messages to an
//    unreachable peer are dropped (traced). When a connection between two nodes breaks,
//    both ends get OnPeerDisconnected (each at most once per broken connection); bytes in
//    flight are lost, so a node must resend what matters.
//  * Timers: keyed by tag (an integer the node chooses); setting a tag again replaces
//    its deadline; deadlines are in the node's own MONOTONIC time (Context::monotonic_now
//    plus a duration); a timer never fires early by the node's clock. Timers do not
//    survive a crash. Timers that expire while the node is paused fire on resume, in
//    deadline order.
//  * Observations are forwarded, stamped with true time and the node id, to the World's
//    observer callback and to the trace ("obs.<kind>"). Checkers and histories are built
//    from them; the node never sees the observer.
//
// Thread-compatible: a node is driven from the one simulation thread.
#ifndef RAVENSIM_SIM_HARNESS_NODE_H_
#define RAVENSIM_SIM_HARNESS_NODE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "sim/disk.h"
#include "sim/message.h"
#include "sim/network_types.h"
#include "sim/time.h"

namespace ravensim::harness {

using sim::NodeId;
using sim::SimDuration;
using sim::SimTime;

// What a node knows when it is called.
struct Context {
  NodeId self = sim::kNoNode;
  int32_t node_count = 0;      // Ids 0 .. node_count-1 exist (not all may be up).
  uint64_t incarnation = 0;    // 1 at first boot, +1 at every restart.
  SimTime monotonic_now;       // The node's steady clock (sim::Clock::MonotonicTime).
  SimTime wall_now;            // The node's wall clock (sim::Clock::WallTime).
};

struct OutgoingMessage {
  NodeId to = sim::kNoNode;
  // Wire bytes, or an in-process body standing for them (sim/message.h).
  sim::Message message;
  // Wait for this Effects' writes (and sync) before sending. Set false only for
  // messages that may be sent before local persistence (e.g. a Raft leader's
  // AppendEntries, Raft §10.2.1).
  bool after_persist = true;
};

struct TimerRequest {
  uint64_t tag = 0;
  SimTime deadline;  // Node-local monotonic time.
};

// Opaque to the harness; checkers and histories interpret `kind`.
struct Observation {
  std::string kind;    // Short stable name, e.g. "counter.value", "client.invoke".
  int64_t value = 0;
  std::string detail;  // Text or bytes; hashed into the trace.
};

// Everything a call asks the world to do. Plain value; the node fills it, the World
// consumes it.
struct Effects {
  std::vector<OutgoingMessage> messages;
  // Disk writes, applied in order, then an fsync if `sync`.
  std::vector<sim::DiskWrite> writes;
  bool sync = false;
  // Echoed back in OnPersisted. Meaningful only when `writes` is non-empty.
  uint64_t persist_id = 0;
  std::vector<TimerRequest> timers_to_set;
  std::vector<uint64_t> timers_to_cancel;  // Unknown tags are ignored.
  std::vector<Observation> observations;

  // Helpers (the fields may also be filled directly).
  void Send(NodeId to, sim::Message message, bool after_persist = true) {
    messages.push_back(OutgoingMessage{to, std::move(message), after_persist});
  }
  void SetTimer(uint64_t tag, SimTime deadline) {
    timers_to_set.push_back(TimerRequest{tag, deadline});
  }
  void CancelTimer(uint64_t tag) { timers_to_cancel.push_back(tag); }
  void Observe(std::string kind, int64_t value, std::string detail = {}) {
    observations.push_back(Observation{std::move(kind), value, std::move(detail)});
  }
  // Back to empty, keeping the vectors' capacity. Always inline: the World clears one
  // after every call into a node.
  __attribute__((always_inline)) void Clear() {
    messages.clear();
    writes.clear();
    sync = false;
    persist_id = 0;
    timers_to_set.clear();
    timers_to_cancel.clear();
    observations.clear();
  }
  bool empty() const {
    return messages.empty() && writes.empty() && timers_to_set.empty() &&
           timers_to_cancel.empty() && observations.empty();
  }
};

class Node {
 public:
  virtual ~Node() = default;

  // Boot or restart. `disk` is what survived on this node's disk (empty at first boot
  // and after a wipe), already passed through the read-corruption fault: the node must
  // verify its own checksums. `seed` is a per-incarnation seed the node may use for its
  // own Prng (e.g. randomized election timeouts), forked from the run seed.
  virtual void Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
                     Effects* effects) = 0;
  virtual void OnMessage(const Context& context, NodeId from, std::string_view bytes,
                         Effects* effects) = 0;
  // A message that arrived as an in-process body (sim/message.h), as its sender handed
  // it over. Nodes that send bodies read them here; the default encodes the body and
  // calls OnMessage, so a node that only understands bytes sees the same message.
  virtual void OnMessageBody(const Context& context, NodeId from,
                             const sim::MessageBody& body, Effects* effects) {
    OnMessage(context, from, body.Encode(), effects);
  }
  virtual void OnTimer(const Context& context, uint64_t tag, Effects* effects) = 0;
  virtual void OnPersisted(const Context& context, uint64_t persist_id,
                           const absl::Status& status, Effects* effects) = 0;
  // The connection to/from `peer` broke (partition, peer crash, failed connect).
  virtual void OnPeerDisconnected(const Context& context, NodeId peer,
                                  Effects* effects) = 0;
};

// Creates the node object for `id` (called at boot and at every restart).
using NodeFactory = absl::AnyInvocable<std::unique_ptr<Node>(NodeId id)>;

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_NODE_H_
