// The layouts behind sim::Network's opaque structs, shared by network.cc (links,
// datagrams) and network_connection.cc (connections), and Network::SendInline. Include
// it only to call SendInline (the harness sends every message through it).
#ifndef RAVENSIM_SIM_NETWORK_INTERNAL_H_
#define RAVENSIM_SIM_NETWORK_INTERNAL_H_

#include <algorithm>
#include <cstdint>
#include <utility>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "sim/network.h"
#include "sim/prng.h"
#include "sim/trace.h"

namespace ravensim::sim {
namespace network_internal {

inline constexpr uint32_t kNil = UINT32_MAX;

// Trace kinds: string literals, so tracing formats nothing.
inline constexpr TraceKind kSend("net.send");
inline constexpr TraceKind kDeliver("net.deliver");
inline constexpr TraceKind kDatagramSend("net.dgram_send");
inline constexpr TraceKind kDatagramDeliver("net.dgram_deliver");
inline constexpr TraceKind kDrop("net.drop");
inline constexpr TraceKind kDuplicate("net.dup");
inline constexpr TraceKind kRetransmit("net.retransmit");
inline constexpr TraceKind kConnect("net.connect");
inline constexpr TraceKind kAccept("net.accept");
inline constexpr TraceKind kEstablished("net.established");
inline constexpr TraceKind kConnectFailed("net.connect_failed");
inline constexpr TraceKind kClose("net.close");
inline constexpr TraceKind kBreak("net.break");
inline constexpr TraceKind kClog("net.clog");
inline constexpr TraceKind kPartition("net.partition");
inline constexpr TraceKind kAccepting("net.accepting");

enum class ConnectionState { kConnecting, kAccepted, kEstablished, kClosing, kClosed };

}  // namespace network_internal

using network_internal::kNil;

struct Network::Packet {
  Message message;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  uint32_t next = kNil;  // Next packet of the same connection direction.
  bool fin = false;      // A graceful close marker (connections only).
};

inline Network::Packet& Network::PacketAt(uint32_t slot) const {
  return packet_chunks_[slot >> kPacketChunkBits]
                       [slot & ((uint32_t{1} << kPacketChunkBits) - 1)];
}

inline uint32_t Network::AllocPacket() {
  ++in_flight_;
  if (!free_packets_.empty()) {
    const uint32_t slot = free_packets_.back();
    free_packets_.pop_back();
    return slot;
  }
  return NewPacket();
}

struct Network::Link {
  LinkOptions options;
  Prng prng{0};
  SimTime clogged_until;
  // The deliveries the clog put off to clogged_until, in the order they were put off
  // (UnclogAll brings them forward; entries whose event already ran are stale).
  struct Held {
    TimerId event;
    uint32_t packet_or_connection;
    int direction;  // -1: a datagram (packet slot); else a connection's direction.
  };
  std::vector<Held> held;
  SimTime busy_until;  // Bandwidth: the link transmits one message at a time.
  LinkStats stats;
};

struct Network::Connection {
  using State = network_internal::ConnectionState;
  State state = State::kConnecting;
  NodeId end[2] = {kNoNode, kNoNode};  // end[0] initiated, end[1] accepted.
  SimTime started;
  bool initiator_told = false;  // The initiator got OnConnected / OnConnectFailed.
  NodeId closer = kNoNode;      // Who called Close (state kClosing).
  // Direction d carries bytes from end[d] to end[1-d]; a FIFO list of packets.
  uint32_t head[2] = {kNil, kNil};
  uint32_t tail[2] = {kNil, kNil};
  SimTime last_arrival[2];  // Invariant: arrivals on a direction never decrease.
};

// Inline: once per message (ArrivalTime from Send, RecyclePacket after each delivery).
inline SimTime Network::ArrivalTime(Link& link, size_t bytes) {
  const LinkOptions& o = link.options;
  SimTime start = scheduler_->now();
  if (o.bandwidth_bytes_per_second > 0) {
    if (link.busy_until > start) start = link.busy_until;
    const __int128 tx = static_cast<__int128>(bytes) * 1'000'000'000 /
                        o.bandwidth_bytes_per_second;
    start += SimDuration::Nanos(static_cast<int64_t>(tx));
    link.busy_until = start;
  }
  int64_t delay = o.one_way_delay_ns_min;
  if (o.one_way_delay_ns_mean > o.one_way_delay_ns_min) {
    delay += link.prng.Exponential(o.one_way_delay_ns_mean - o.one_way_delay_ns_min);
    delay = std::min(delay, o.one_way_delay_ns_max);
  }
  return start + SimDuration::Nanos(delay);
}

__attribute__((always_inline)) inline void Network::RecyclePacket(uint32_t slot) {
  Packet& p = PacketAt(slot);
  p.message.Clear();
  p.next = kNil;
  p.fin = false;
  free_packets_.push_back(slot);
}

__attribute__((always_inline)) inline TimerId Network::ScheduleSegment(SimTime at,
                                                                       uint32_t index,
                                                                       int direction) {
  return scheduler_->Schedule(
      at, [this, index, direction] { DeliverOnConnection(index, direction); },
      "net.segment");
}

__attribute__((always_inline)) inline TimerId Network::ScheduleDatagram(SimTime at,
                                                                        uint32_t slot) {
  return scheduler_->Schedule(at, [this, slot] { DeliverDatagram(slot); }, "net.dgram");
}

// Inline in Send (and Close): one call less per message.
__attribute__((always_inline)) inline void Network::EnqueueOnConnection(uint32_t index,
                                                                         int direction,
                                                                         uint32_t slot,
                                                                         SimTime arrival) {
  Connection& c = connections_[index];
  if (arrival < c.last_arrival[direction]) arrival = c.last_arrival[direction];
  c.last_arrival[direction] = arrival;
  if (c.tail[direction] == kNil) {
    c.head[direction] = slot;
  } else {
    PacketAt(c.tail[direction]).next = slot;
  }
  c.tail[direction] = slot;
  // Each event delivers the head of the queue, not a particular packet, so FIFO holds
  // even when clogging moves events around.
  ScheduleSegment(arrival, index, direction);
}

// Send's work once the connection, the direction and the in-flight limit are checked.
__attribute__((always_inline)) inline void Network::SendOn(uint32_t index, int direction,
                                                           NodeId from, Message&& message) {
  using network_internal::kRetransmit;
  using network_internal::kSend;
  const NodeId to = connections_[index].end[1 - direction];
  Link& link = links_[LinkIndex(from, to)];
  const int64_t size = static_cast<int64_t>(message.size());
  ++link.stats.sent;
  trace_->AppendHot(scheduler_->now(), kSend, from, to, size);
  SimTime arrival = ArrivalTime(link, message.size());
  if (Happens(link.prng, link.options.packet_loss_ratio)) {
    // TCP retransmits a lost segment after its RTO; FIFO holds everything behind it.
    ++link.stats.retransmitted;
    arrival += SimDuration::Nanos(options_.retransmit_delay_ns);
    trace_->AppendHot(scheduler_->now(), kRetransmit, from, to, size);
  }
  const uint32_t slot = AllocPacket();
  Packet& p = PacketAt(slot);
  p.from = from;
  p.to = to;
  p.message = std::move(message);
  EnqueueOnConnection(index, direction, slot, arrival);
}

// An established connection, from one of its ends, under the in-flight limit: sent here;
// anything else (errors, a reply on an accepted connection) goes through Send, whose
// checks pass in exactly the cases this one does.
__attribute__((always_inline)) inline absl::Status Network::SendInline(
    ConnectionId connection, NodeId from, Message&& message) {
  if (connection.valid() && connection.value <= connections_.size() &&
      in_flight_ < options_.max_messages_in_flight) {
    const uint32_t index = connection.value - 1;
    const Connection& c = connections_[index];
    if (c.state == network_internal::ConnectionState::kEstablished &&
        (c.end[0] == from || c.end[1] == from)) {
      SendOn(index, c.end[0] == from ? 0 : 1, from, std::move(message));
      return absl::OkStatus();
    }
  }
  return Send(connection, from, std::move(message));
}

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_NETWORK_INTERNAL_H_
