// sim::Network: the simulated network (DESIGN.md §3, "Network").
//
// Nodes exchange opaque messages (sim/message.h: bytes, or an in-process body that
// stands for them; only their size matters here) over two kinds of link:
//  * Connections (the default; RavenDB talks over TCP). Explicit Connect / accept /
//    Close. FIFO per connection and direction. Loss, duplication and reordering are
//    hidden as TCP hides them: a lost segment is retransmitted, so the message (and,
//    FIFO, everything behind it) arrives `retransmit_delay_ns` later. A connection
//    needs both directions (data one way, acks the other): when a partition cuts either
//    direction, or an endpoint stops accepting (crash), the connection breaks at once,
//    both ends are told, and the bytes in flight are lost. Reconnecting (with backoff)
//    is the caller's job.
//  * Datagrams: independent messages that can be lost, duplicated and reordered.
//
// Per directed link (LinkOptions): one-way delay drawn from a shifted exponential with
// the given minimum and mean, clamped to the maximum; loss, duplication and reordering
// ratios; an optional bandwidth limit (messages on a link are serialized: a message
// starts transmitting when the previous one has finished); clogging (FoundationDB's
// clogging: deliveries on a link are held until the clog ends, then released in order).
//
// A partition is a Reachability matrix (sim/partition.h). Datagrams and connection
// bytes are checked against it both when sent and when they would be delivered.
//
// Every send, delivery, drop, duplicate, connect, accept, close and break is appended to
// the Trace (kinds "net.*"). Events are cheap: the trace hashes fixed fields; JSON is
// only produced when the Trace has a JSONL sink.
//
// Randomness: one Prng per directed link, forked from the network's stream by link
// index, so traffic on one link never shifts the draws of another.
//
// Ownership: the Network borrows the Scheduler and Trace (they must outlive it) and
// calls a NetworkHandler (not owned, must outlive it) for every delivery. Handler calls
// happen from scheduler events, never re-entrantly from inside a Network method, except
// OnConnectionBroken, which SetReachability / SetAccepting / Break deliver synchronously.
// Thread-compatible.
#ifndef RAVENSIM_SIM_NETWORK_H_
#define RAVENSIM_SIM_NETWORK_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "sim/message.h"
#include "sim/network_types.h"
#include "sim/partition.h"
#include "sim/prng.h"
#include "sim/scheduler.h"
#include "sim/time.h"
#include "sim/trace.h"

namespace ravensim::sim {

struct LinkOptions {
  // One-way delay: min + Exponential(mean - min), clamped to max.
  // REQUIRES: 0 <= min <= mean <= max.
  int64_t one_way_delay_ns_min = 100'000;
  int64_t one_way_delay_ns_mean = 400'000;
  int64_t one_way_delay_ns_max = 5'000'000;
  // Datagrams: lost. Connections: retransmitted (arrives retransmit_delay_ns late).
  Ratio packet_loss_ratio = Ratio::Never();
  // Datagrams only: delivered twice (the copy with its own delay).
  Ratio packet_duplication_ratio = Ratio::Never();
  // Datagrams only: an extra delay uniform in [0, reorder_delay_ns_max] on top of the
  // one-way delay, so later datagrams overtake this one.
  Ratio packet_reorder_ratio = Ratio::Never();
  int64_t reorder_delay_ns_max = 2'000'000;
  // 0 = unlimited. Otherwise a message of B bytes occupies the link B * 1e9 / bandwidth ns.
  int64_t bandwidth_bytes_per_second = 0;
};

struct NetworkOptions {
  int32_t node_count = 0;
  LinkOptions default_link;
  // A connect to an unreachable node fails after this long (a refused connect, to a
  // node that is reachable but not accepting, fails after one round trip).
  int64_t connect_timeout_ns = 1'000'000'000;
  // TCP's minimum retransmission timeout (Linux: 200 ms).
  int64_t retransmit_delay_ns = 200'000'000;
  // Hard limit on messages in flight in the whole network (STYLE.md §G); beyond it a
  // send fails with ResourceExhausted (traced as a drop).
  int64_t max_messages_in_flight = 1 << 22;
};

// Names one connection for its whole life; never reused within a Network.
struct ConnectionId {
  uint32_t value = 0;  // 0 is never a valid id.
  bool valid() const { return value != 0; }
  friend bool operator==(ConnectionId a, ConnectionId b) { return a.value == b.value; }
  friend bool operator<(ConnectionId a, ConnectionId b) { return a.value < b.value; }
};

enum class BreakReason {
  kPartition,      // Reachability lost in either direction.
  kNotAccepting,   // An endpoint stopped accepting (crashed, wiped).
  kClosedByPeer,   // The other end called Close.
  kClosedLocally,  // This end called Close (only the closer is told this).
  kOverflow,       // The caller broke it (e.g. a receive buffer overflowed).
};
const char* BreakReasonName(BreakReason reason);

// Receives everything the network delivers. `node` is always the receiving end.
class NetworkHandler {
 public:
  virtual ~NetworkHandler() = default;
  // At the initiator, one round trip after Connect: the connection is usable.
  virtual void OnConnected(ConnectionId connection, NodeId node, NodeId peer) = 0;
  // At the acceptor, one one-way delay after Connect. The acceptor may Close it.
  virtual void OnAccepted(ConnectionId connection, NodeId node, NodeId peer) = 0;
  // At the initiator: refused (peer not accepting) or timed out (unreachable).
  virtual void OnConnectFailed(ConnectionId connection, NodeId node, NodeId peer) = 0;
  // Bytes sent by `peer` on `connection`, in send order.
  virtual void OnReceive(ConnectionId connection, NodeId node, NodeId peer,
                         std::string bytes) = 0;
  // What the network calls for every message on a connection. The default hands the
  // bytes to OnReceive (encoding an in-process body); handlers that understand bodies
  // override it to receive them as they were sent.
  // The message is lent for the call: the handler may move from it (the network drops
  // what is left when the call returns).
  virtual void OnReceiveMessage(ConnectionId connection, NodeId node, NodeId peer,
                                Message&& message) {
    OnReceive(connection, node, peer, message.TakeBytes());
  }
  // The connection is gone; nothing more arrives on it.
  virtual void OnConnectionBroken(ConnectionId connection, NodeId node, NodeId peer,
                                  BreakReason reason) = 0;
  virtual void OnDatagram(NodeId node, NodeId from, std::string bytes) = 0;
};

// Counters per directed link, for tests and reports.
struct LinkStats {
  int64_t sent = 0;        // Messages handed to the link.
  int64_t delivered = 0;   // Messages handed to the handler (duplicates included).
  int64_t dropped = 0;     // Lost, cut, or discarded with a broken connection.
  int64_t duplicated = 0;  // Extra copies created.
  int64_t retransmitted = 0;  // Connection segments "lost" and retransmitted.
  int64_t bytes_delivered = 0;
};

class Network {
 public:
  // REQUIRES: options.node_count > 0; scheduler, trace, handler outlive the Network.
  Network(const NetworkOptions& options, Scheduler* scheduler, Trace* trace, Prng prng,
          NetworkHandler* handler);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;
  ~Network();

  int32_t node_count() const { return options_.node_count; }

  // ---- Link configuration and faults ----------------------------------------------
  void SetLinkOptions(NodeId from, NodeId to, const LinkOptions& options);
  void SetAllLinkOptions(const LinkOptions& options);
  const LinkOptions& link_options(NodeId from, NodeId to) const;
  // Holds deliveries from -> to until now + duration (extends an existing clog).
  void Clog(NodeId from, NodeId to, SimDuration duration);
  // Clogs every link into and out of `node`.
  void ClogNode(NodeId node, SimDuration duration);
  // Ends every clog now: what the clogs hold is delivered now, in the order it would
  // have been at their end (a heal).
  void UnclogAll();
  // Installs a partition; breaks every connection whose endpoints are no longer
  // connected both ways. REQUIRES: reachability.node_count() == node_count().
  void SetReachability(const Reachability& reachability);
  void Heal() { SetReachability(Reachability(node_count())); }
  const Reachability& reachability() const { return reachability_; }

  // A node that is not accepting refuses connects, loses its connections (both ends
  // told) and drops datagrams addressed to it. Initially every node accepts.
  void SetAccepting(NodeId node, bool accepting);
  bool accepting(NodeId node) const;

  // ---- Connections -----------------------------------------------------------------
  // Starts a connection attempt; the outcome arrives as OnConnected + OnAccepted or
  // OnConnectFailed. REQUIRES: from != to.
  ConnectionId Connect(NodeId from, NodeId to);
  // Queues bytes from `from` to the other end. Errors (nothing is sent): NotFound for
  // an unknown or broken connection, FailedPrecondition if not yet established or
  // `from` is not an endpoint, ResourceExhausted at the in-flight limit.
  absl::Status Send(ConnectionId connection, NodeId from, Message&& message);
  // Send, defined inline in sim/network_internal.h for callers that include it (the
  // harness sends every message between nodes through it).
  inline absl::Status SendInline(ConnectionId connection, NodeId from, Message&& message);
  // Closes the connection from `by`'s side: bytes in flight towards `by` are lost, bytes
  // already sent by `by` are still delivered, then the peer gets OnConnectionBroken
  // (kClosedByPeer). `by` is told nothing more. No-op on an unknown connection.
  void Close(ConnectionId connection, NodeId by);
  // Breaks a connection now (both ends told with `reason`).
  void Break(ConnectionId connection, BreakReason reason);
  bool established(ConnectionId connection) const;
  // The other endpoint, or kNoNode if the connection is unknown / gone.
  NodeId PeerOf(ConnectionId connection, NodeId node) const;

  // ---- Datagrams -------------------------------------------------------------------
  // REQUIRES: from != to.
  void SendDatagram(NodeId from, NodeId to, std::string bytes);

  // ---- Introspection ---------------------------------------------------------------
  const LinkStats& link_stats(NodeId from, NodeId to) const;
  LinkStats TotalStats() const;
  int64_t messages_in_flight() const { return in_flight_; }
  int64_t open_connection_count() const;

 private:
  struct Packet;
  struct Connection;
  struct Link;

  size_t LinkIndex(NodeId from, NodeId to) const {
    return static_cast<size_t>(from) * options_.node_count + to;
  }
  SimTime ArrivalTime(Link& link, size_t bytes);
  uint32_t AllocPacket();  // Inline, in network_internal.h.
  uint32_t NewPacket();    // A never-used slot (the free list is empty).
  void FreePacket(uint32_t slot);
  // Returns a slot that is no longer counted in flight to the pool.
  void RecyclePacket(uint32_t slot);
  // Packets live in fixed-size chunks, so a delivered packet stays in place (its message
  // lent to the handler) while the handler sends more.
  static constexpr int kPacketChunkBits = 8;
  Packet& PacketAt(uint32_t slot) const;  // Inline, in network_internal.h.
  void DeliverDatagram(uint32_t slot);
  // Connections (network_connection.cc).
  void EnqueueOnConnection(uint32_t index, int direction, uint32_t slot, SimTime arrival);
  // Send once checked: `from` is end `direction` of connection `index`.
  void SendOn(uint32_t index, int direction, NodeId from, Message&& message);
  void DeliverOnConnection(uint32_t index, int direction);
  // Schedule DeliverOnConnection(index, direction) / DeliverDatagram(slot) at `at`
  // (inline, in network_internal.h): the one form of each delivery event, whether the
  // message is sent, held by a clog or released at a heal.
  TimerId ScheduleSegment(SimTime at, uint32_t index, int direction);
  TimerId ScheduleDatagram(SimTime at, uint32_t slot);
  void ConnectAtAcceptor(uint32_t index);
  void ConnectAtInitiator(uint32_t index);
  void FailConnect(uint32_t index);
  // Drops both directions' packets, closes, tells the ends that know the connection.
  void BreakInternal(uint32_t index, BreakReason reason);
  void DropQueue(Connection& connection, int direction, const char* why);
  std::vector<uint32_t> OpenConnectionsSnapshot() const;
  Connection* Find(ConnectionId connection);
  const Connection* Find(ConnectionId connection) const;

  NetworkOptions options_;
  Scheduler* scheduler_;
  Trace* trace_;
  Prng prng_;
  NetworkHandler* handler_;
  Reachability reachability_;
  std::vector<Link> links_;            // Indexed by LinkIndex(from, to).
  std::vector<uint8_t> accepting_;     // Per node.
  std::vector<std::unique_ptr<Packet[]>> packet_chunks_;  // Pool of in-flight messages.
  uint32_t packet_count_ = 0;  // Slots ever used.
  std::vector<uint32_t> free_packets_;
  std::vector<Connection> connections_;  // Index = ConnectionId.value - 1.
  std::set<uint32_t> open_;              // Indexes of connections not yet closed.
  int64_t in_flight_ = 0;
};

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_NETWORK_H_
