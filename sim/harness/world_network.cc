// World::Impl: messages between hosted nodes over connection links. One connection per
// ordered pair (sender -> receiver), opened lazily by the sender, FIFO; reconnects after
// an exponential backoff with jitter.
#include <string>
#include <utility>

#include "core/base/check.h"
#include "sim/harness/world_impl.h"

namespace ravensim::harness {
namespace {

constexpr sim::TraceKind kHarnessDrop("harness.drop");
constexpr sim::TraceKind kPeerDown("node.peer_disconnected");

}  // namespace

void World::Impl::DropMessage(NodeId from, NodeId to, size_t bytes, const char* why) {
  ++world_->harness_drops_;
  world_->trace_.AppendHot(world_->now(), kHarnessDrop, from, to,
                           static_cast<int64_t>(bytes), why);
}

void World::Impl::SendMessageSlow(NodeId from, OutgoingMessage&& message) {
  const NodeId to = message.to;
  if (to < 0 || to >= world_->options_.node_count || to == from) {
    DropMessage(from, to, message.message.size(), "bad-destination");
    return;
  }
  Outgoing& o = rt(from).outgoing[to];
  switch (o.state) {
    case Outgoing::State::kEstablished:
      SendEstablished(from, o, std::move(message));
      return;
    case Outgoing::State::kConnecting:
      if (static_cast<int64_t>(o.pending.size()) >=
          world_->options_.max_pending_messages_per_peer) {
        DropMessage(from, to, message.message.size(), "pending-limit");
        return;
      }
      o.pending.push_back(std::move(message.message));
      return;
    case Outgoing::State::kIdle:
      if (world_->now() < o.next_attempt) {
        DropMessage(from, to, message.message.size(), "backoff");
        return;
      }
      o.state = Outgoing::State::kConnecting;
      o.peer_connected_meanwhile = false;
      o.connection = world_->network_->Connect(from, to);
      o.pending.push_back(std::move(message.message));
      return;
  }
}

void World::Impl::ResetOutgoing(NodeId node) {
  for (Outgoing& o : rt(node).outgoing) {
    for (const sim::Message& message : o.pending) {
      DropMessage(node, sim::kNoNode, message.size(), "sender-crashed");
    }
    if (o.state != Outgoing::State::kIdle) world_->network_->Close(o.connection, node);
    o = Outgoing();
    o.backoff = world_->options_.reconnect_backoff_min;
  }
}

void World::Impl::OnConnected(sim::ConnectionId connection, NodeId node, NodeId peer) {
  Outgoing& o = rt(node).outgoing[peer];
  if (!(o.connection == connection) || o.state != Outgoing::State::kConnecting) {
    world_->network_->Close(connection, node);  // A stale attempt.
    return;
  }
  o.state = Outgoing::State::kEstablished;
  o.backoff = world_->options_.reconnect_backoff_min;
  std::vector<sim::Message> pending = std::move(o.pending);
  o.pending.clear();
  for (sim::Message& message : pending) {
    const size_t size = message.size();
    if (!world_->network_->Send(connection, node, std::move(message)).ok()) {
      DropMessage(node, peer, size, "send-failed");
    }
  }
}

void World::Impl::OnAccepted(sim::ConnectionId, NodeId node, NodeId peer) {
  // The acceptor only reads from this connection; it replies on its own. A peer that
  // just connected is reachable, so a backoff left from when it was not ends here: the
  // next message connects at once. (In RavenDB a reply travels back on the requester's
  // own connection, so a reachable requester gets it without waiting.)
  // The same holds for an attempt of ours still in flight: it may have been sent while
  // the peer was unreachable (its connect lost in a partition), and its failure must not
  // hold our replies back for a backoff when the peer has just reached us.
  Outgoing& o = rt(node).outgoing[peer];
  if (o.state == Outgoing::State::kIdle) {
    o.next_attempt = world_->now();
    o.backoff = world_->options_.reconnect_backoff_min;
  } else if (o.state == Outgoing::State::kConnecting) {
    o.peer_connected_meanwhile = true;
  }
}

// Called when the sender's connection to `peer` failed or broke: drop what waited, back
// off, tell the node.
void World::Impl::ConnectionFailed(NodeId node, NodeId peer) {
  Outgoing& o = rt(node).outgoing[peer];
  for (const sim::Message& message : o.pending) {
    DropMessage(node, peer, message.size(), "no-connection");
  }
  o.pending.clear();
  o.state = Outgoing::State::kIdle;
  o.connection = sim::ConnectionId{};
  o.peer_connected_meanwhile = false;
  const int64_t base = o.backoff.nanos();
  const int64_t jitter = static_cast<int64_t>(backoff_prng_.UniformBelow(
      static_cast<uint64_t>(base / 2 + 1)));
  o.next_attempt = world_->now() + SimDuration::Nanos(base + jitter);
  const SimDuration doubled = o.backoff * 2;
  o.backoff = doubled < world_->options_.reconnect_backoff_max
                  ? doubled
                  : world_->options_.reconnect_backoff_max;
}

void World::Impl::OnConnectFailed(sim::ConnectionId connection, NodeId node, NodeId peer) {
  Outgoing& o = rt(node).outgoing[peer];
  if (!(o.connection == connection)) return;
  const bool reachable = o.peer_connected_meanwhile;
  ConnectionFailed(node, peer);
  if (reachable) {
    // The peer connected to us during the attempt (OnAccepted): no backoff.
    o.next_attempt = world_->now();
    o.backoff = world_->options_.reconnect_backoff_min;
  }
  NoteDisconnected(node, peer);
}

void World::Impl::OnConnectionBroken(sim::ConnectionId connection, NodeId node, NodeId peer,
                                     sim::BreakReason reason) {
  if (!Live(node)) return;
  Outgoing& o = rt(node).outgoing[peer];
  if (o.connection == connection) {
    // Our own connection: the first reconnect may go at once, later ones back off.
    ConnectionFailed(node, peer);
    o.next_attempt = world_->now();
  }
  NoteDisconnected(node, peer);
}

void World::Impl::NoteDisconnected(NodeId node, NodeId peer) {
  if (!Live(node)) return;
  world_->trace_.AppendHot(world_->now(), kPeerDown, node, peer, 0);
  if (Paused(node)) {
    Held h;
    h.kind = Held::Kind::kDisconnected;
    h.peer = peer;
    rt(node).held.push_back(std::move(h));
    return;
  }
  CallDisconnected(node, peer);
}

void World::Impl::OnReceive(sim::ConnectionId connection, NodeId node, NodeId peer,
                            std::string bytes) {
  OnReceiveMessage(connection, node, peer, sim::Message(std::move(bytes)));
}

void World::Impl::HoldMessage(sim::ConnectionId connection, NodeId node, NodeId peer,
                              sim::Message&& message) {
  NodeRuntime& r = rt(node);
  if (r.held_messages >= world_->options_.max_paused_inbox) {
    DropMessage(peer, node, message.size(), "paused-inbox-full");
    world_->network_->Break(connection, sim::BreakReason::kOverflow);
    return;
  }
  ++r.held_messages;
  Held h;
  h.kind = Held::Kind::kMessage;
  h.peer = peer;
  h.message = std::move(message);
  r.held.push_back(std::move(h));
}

void World::Impl::OnDatagram(NodeId node, NodeId from, std::string bytes) {
  // The World sends no datagrams; anything arriving is a programming error.
  CHECK_UNREACHABLE("unexpected datagram in the harness");
}

}  // namespace ravensim::harness
