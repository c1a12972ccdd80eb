// sim::Network, connection links: connect / accept / send / close / break.
#include <utility>

#include "core/base/check.h"
#include "sim/network.h"
#include "sim/network_internal.h"

namespace ravensim::sim {

using network_internal::kAccept;
using network_internal::kBreak;
using network_internal::kClose;
using network_internal::kConnect;
using network_internal::kConnectFailed;
using network_internal::kDeliver;
using network_internal::kDrop;
using network_internal::kEstablished;
using State = network_internal::ConnectionState;

Network::Connection* Network::Find(ConnectionId connection) {
  if (!connection.valid() || connection.value > connections_.size()) return nullptr;
  return &connections_[connection.value - 1];
}

const Network::Connection* Network::Find(ConnectionId connection) const {
  if (!connection.valid() || connection.value > connections_.size()) return nullptr;
  return &connections_[connection.value - 1];
}

bool Network::established(ConnectionId connection) const {
  const Connection* c = Find(connection);
  return c != nullptr && c->state == State::kEstablished;
}

NodeId Network::PeerOf(ConnectionId connection, NodeId node) const {
  const Connection* c = Find(connection);
  if (c == nullptr || c->state == State::kClosed) return kNoNode;
  if (c->end[0] == node) return c->end[1];
  if (c->end[1] == node) return c->end[0];
  return kNoNode;
}

// Handshake: SYN reaches the acceptor after one one-way delay (OnAccepted), SYN-ACK
// reaches the initiator one delay later (OnConnected). A partitioned attempt times out
// after connect_timeout_ns; a refused one (acceptor not accepting) fails after the
// round trip.
ConnectionId Network::Connect(NodeId from, NodeId to) {
  CHECK_NE(from, to);
  CHECK_GE(from, 0);
  CHECK_LT(from, options_.node_count);
  CHECK_GE(to, 0);
  CHECK_LT(to, options_.node_count);
  CHECK_LT(connections_.size(), size_t{UINT32_MAX - 1});
  const uint32_t index = static_cast<uint32_t>(connections_.size());
  connections_.emplace_back();
  Connection& c = connections_.back();
  c.end[0] = from;
  c.end[1] = to;
  c.started = scheduler_->now();
  open_.insert(index);
  const ConnectionId id{index + 1};
  trace_->AppendHot(scheduler_->now(), kConnect, from, to, id.value);
  const SimTime arrival = ArrivalTime(links_[LinkIndex(from, to)], 0);
  scheduler_->Schedule(arrival, [this, index] { ConnectAtAcceptor(index); }, "net.syn");
  return id;
}

void Network::ConnectAtAcceptor(uint32_t index) {
  Connection& c = connections_[index];
  if (c.state == State::kClosed && c.closer != c.end[0]) {
    // Broken (e.g. by a partition) while the SYN was on its way: the initiator was not
    // told by BreakInternal, so its attempt fails here instead of hanging forever.
    FailConnect(index);
    return;
  }
  if (c.state != State::kConnecting) return;  // Closed by the initiator meanwhile.
  const NodeId from = c.end[0];
  const NodeId to = c.end[1];
  if (!reachability_.Connected(from, to)) {
    const SimTime timeout = c.started + SimDuration::Nanos(options_.connect_timeout_ns);
    const SimTime at = timeout > scheduler_->now() ? timeout : scheduler_->now();
    scheduler_->Schedule(at, [this, index] { FailConnect(index); }, "net.connect_timeout");
    return;
  }
  const SimTime back = ArrivalTime(links_[LinkIndex(to, from)], 0);
  if (!accepting(to)) {
    scheduler_->Schedule(back, [this, index] { FailConnect(index); }, "net.refused");
    return;
  }
  c.state = State::kAccepted;
  // Bytes the acceptor sends arrive no earlier than the SYN-ACK.
  c.last_arrival[1] = back;
  scheduler_->Schedule(back, [this, index] { ConnectAtInitiator(index); }, "net.synack");
  trace_->AppendHot(scheduler_->now(), kAccept, to, from, index + 1);
  handler_->OnAccepted(ConnectionId{index + 1}, to, from);
}

void Network::ConnectAtInitiator(uint32_t index) {
  Connection& c = connections_[index];
  if (c.initiator_told) return;
  if (c.state == State::kClosed) {  // Broke while the SYN-ACK was on its way.
    FailConnect(index);
    return;
  }
  c.initiator_told = true;
  if (c.state == State::kAccepted) c.state = State::kEstablished;
  trace_->AppendHot(scheduler_->now(), kEstablished, c.end[0], c.end[1], index + 1);
  handler_->OnConnected(ConnectionId{index + 1}, c.end[0], c.end[1]);
}

void Network::FailConnect(uint32_t index) {
  Connection& c = connections_[index];
  if (c.initiator_told) return;
  c.initiator_told = true;
  c.state = State::kClosed;
  open_.erase(index);
  trace_->AppendHot(scheduler_->now(), kConnectFailed, c.end[0], c.end[1], index + 1);
  handler_->OnConnectFailed(ConnectionId{index + 1}, c.end[0], c.end[1]);
}

absl::Status Network::Send(ConnectionId connection, NodeId from, Message&& message) {
  Connection* c = Find(connection);
  if (c == nullptr || c->state == State::kClosed) {
    return absl::NotFoundError("connection unknown or broken");
  }
  int direction;
  if (c->end[0] == from) {
    direction = 0;
    if (c->state != State::kEstablished) {
      return absl::FailedPreconditionError("connection not established");
    }
  } else if (c->end[1] == from) {
    direction = 1;
    if (c->state != State::kEstablished && c->state != State::kAccepted) {
      return absl::FailedPreconditionError("connection not accepted");
    }
  } else {
    return absl::FailedPreconditionError("sender is not an endpoint of the connection");
  }
  if (in_flight_ >= options_.max_messages_in_flight) {
    return absl::ResourceExhaustedError("network in-flight message limit reached");
  }
  SendOn(connection.value - 1, direction, from, std::move(message));
  return absl::OkStatus();
}

void Network::DeliverOnConnection(uint32_t index, int direction) {
  Connection& c = connections_[index];
  const uint32_t slot = c.head[direction];
  if (slot == kNil) return;  // The queue was dropped (break / close).
  Packet& p = PacketAt(slot);
  Link& link = links_[LinkIndex(p.from, p.to)];
  const SimTime now = scheduler_->now();
  if (link.clogged_until > now) {
    const TimerId event = ScheduleSegment(link.clogged_until, index, direction);
    link.held.push_back({event, index, direction});
    return;
  }
  c.head[direction] = p.next;
  if (p.next == kNil) c.tail[direction] = kNil;
  const NodeId from = p.from;
  const NodeId to = p.to;
  const int64_t size = static_cast<int64_t>(p.message.size());
  if (p.fin) {
    FreePacket(slot);
    c.state = State::kClosed;
    open_.erase(index);
    trace_->AppendHot(now, kBreak, to, from, index + 1, "closed-by-peer");
    handler_->OnConnectionBroken(ConnectionId{index + 1}, to, from,
                                 BreakReason::kClosedByPeer);
    return;
  }
  // The message is lent to the handler in place. The packet is no longer in flight, but
  // its slot is reused only once the handler has returned.
  --in_flight_;
  ++link.stats.delivered;
  link.stats.bytes_delivered += size;
  trace_->AppendHot(now, kDeliver, to, from, size);
  handler_->OnReceiveMessage(ConnectionId{index + 1}, to, from, std::move(p.message));
  RecyclePacket(slot);
}

void Network::DropQueue(Connection& c, int direction, const char* why) {
  uint32_t slot = c.head[direction];
  while (slot != kNil) {
    Packet& p = PacketAt(slot);
    const uint32_t next = p.next;
    if (!p.fin) {
      ++links_[LinkIndex(p.from, p.to)].stats.dropped;
      trace_->AppendHot(scheduler_->now(), kDrop, p.from, p.to,
                                     static_cast<int64_t>(p.message.size()), why);
    }
    FreePacket(slot);
    slot = next;
  }
  c.head[direction] = kNil;
  c.tail[direction] = kNil;
}

void Network::Close(ConnectionId connection, NodeId by) {
  Connection* c = Find(connection);
  if (c == nullptr || c->state == State::kClosed || c->state == State::kClosing) return;
  const uint32_t index = connection.value - 1;
  int direction;
  if (c->end[0] == by) {
    direction = 0;
  } else if (c->end[1] == by) {
    direction = 1;
  } else {
    return;
  }
  trace_->AppendHot(scheduler_->now(), kClose, by, c->end[1 - direction], index + 1);
  const bool peer_knows = c->state != State::kConnecting;
  if (direction == 0) c->initiator_told = true;  // Its own close: no connect outcome.
  DropQueue(*c, 1 - direction, "closed");
  if (!peer_knows) {
    // The acceptor never saw it (or the initiator closed before the SYN-ACK): it just
    // dies; a SYN-ACK in flight is ignored.
    DropQueue(*c, direction, "closed");
    c->state = State::kClosed;
    open_.erase(index);
    return;
  }
  // FIN after the data already sent by `by`.
  c->state = State::kClosing;
  c->closer = by;
  const NodeId to = c->end[1 - direction];
  const uint32_t slot = AllocPacket();
  Packet& p = PacketAt(slot);
  p.from = by;
  p.to = to;
  p.fin = true;
  EnqueueOnConnection(index, direction, slot, ArrivalTime(links_[LinkIndex(by, to)], 0));
}

void Network::Break(ConnectionId connection, BreakReason reason) {
  Connection* c = Find(connection);
  if (c == nullptr || c->state == State::kClosed) return;
  BreakInternal(connection.value - 1, reason);
}

void Network::BreakInternal(uint32_t index, BreakReason reason) {
  Connection& c = connections_[index];
  const State before = c.state;
  const char* why = BreakReasonName(reason);
  DropQueue(c, 0, why);
  DropQueue(c, 1, why);
  c.state = State::kClosed;
  open_.erase(index);
  const ConnectionId id{index + 1};
  // Who knows about the connection: the initiator once told (it hears of the failure
  // from its pending SYN-ACK event otherwise), the acceptor once it accepted. A closer
  // has already let go of it.
  const bool initiator_knows = c.initiator_told && c.closer != c.end[0];
  const bool acceptor_knows = before != State::kConnecting && c.closer != c.end[1];
  trace_->AppendHot(scheduler_->now(), kBreak, c.end[0], c.end[1], id.value,
                                 why);
  if (initiator_knows) handler_->OnConnectionBroken(id, c.end[0], c.end[1], reason);
  if (acceptor_knows) handler_->OnConnectionBroken(id, c.end[1], c.end[0], reason);
}

}  // namespace ravensim::sim
