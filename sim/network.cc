#include "sim/network.h"

#include <algorithm>
#include <utility>

#include "core/base/check.h"
#include "sim/network_internal.h"

namespace ravensim::sim {
using network_internal::kAccepting;
using network_internal::kClog;
using network_internal::kDatagramDeliver;
using network_internal::kDatagramSend;
using network_internal::kDrop;
using network_internal::kDuplicate;
using network_internal::kPartition;

const char* BreakReasonName(BreakReason reason) {
  switch (reason) {
    case BreakReason::kPartition: return "partition";
    case BreakReason::kNotAccepting: return "not-accepting";
    case BreakReason::kClosedByPeer: return "closed-by-peer";
    case BreakReason::kClosedLocally: return "closed-locally";
    case BreakReason::kOverflow: return "overflow";
  }
  return "unknown";
}

Network::Network(const NetworkOptions& options, Scheduler* scheduler, Trace* trace,
                 Prng prng, NetworkHandler* handler)
    : options_(options),
      scheduler_(scheduler),
      trace_(trace),
      prng_(prng),
      handler_(handler),
      reachability_(options.node_count) {
  CHECK_GT(options_.node_count, 0);
  CHECK(scheduler_ != nullptr);
  CHECK(trace_ != nullptr);
  CHECK(handler_ != nullptr);
  const size_t n = static_cast<size_t>(options_.node_count);
  links_.resize(n * n);
  for (size_t i = 0; i < links_.size(); ++i) {
    links_[i].options = options_.default_link;
    links_[i].prng = prng_.Fork(static_cast<uint64_t>(i) + 1);
  }
  accepting_.assign(n, 1);
  SetAllLinkOptions(options_.default_link);  // Validates.
}

Network::~Network() = default;

// ---- Configuration ------------------------------------------------------------------

void Network::SetLinkOptions(NodeId from, NodeId to, const LinkOptions& o) {
  CHECK_LE(0, o.one_way_delay_ns_min);
  CHECK_LE(o.one_way_delay_ns_min, o.one_way_delay_ns_mean);
  CHECK_LE(o.one_way_delay_ns_mean, o.one_way_delay_ns_max);
  CHECK_GE(o.reorder_delay_ns_max, 0);
  CHECK_GE(o.bandwidth_bytes_per_second, 0);
  CHECK_GT(o.packet_loss_ratio.denominator, 0u);
  CHECK_GT(o.packet_duplication_ratio.denominator, 0u);
  CHECK_GT(o.packet_reorder_ratio.denominator, 0u);
  CHECK_GE(from, 0);
  CHECK_LT(from, options_.node_count);
  CHECK_GE(to, 0);
  CHECK_LT(to, options_.node_count);
  links_[LinkIndex(from, to)].options = o;
}

void Network::SetAllLinkOptions(const LinkOptions& options) {
  for (NodeId a = 0; a < options_.node_count; ++a) {
    for (NodeId b = 0; b < options_.node_count; ++b) SetLinkOptions(a, b, options);
  }
}

const LinkOptions& Network::link_options(NodeId from, NodeId to) const {
  return links_[LinkIndex(from, to)].options;
}

void Network::Clog(NodeId from, NodeId to, SimDuration duration) {
  CHECK_GE(duration, SimDuration::Zero());
  Link& link = links_[LinkIndex(from, to)];
  const SimTime until = scheduler_->now() + duration;
  if (link.clogged_until <= scheduler_->now()) link.held.clear();  // the last clog is over
  if (until > link.clogged_until) link.clogged_until = until;
  trace_->AppendHot(scheduler_->now(), kClog, from, to, duration.nanos());
}

void Network::UnclogAll() {
  const SimTime now = scheduler_->now();
  for (size_t i = 0; i < links_.size(); ++i) {
    Link& link = links_[i];
    if (link.clogged_until <= now && link.held.empty()) continue;
    const NodeId from = static_cast<NodeId>(i / static_cast<size_t>(options_.node_count));
    const NodeId to = static_cast<NodeId>(i % static_cast<size_t>(options_.node_count));
    const bool was_clogged = link.clogged_until > now;
    link.clogged_until = now;
    for (const Link::Held& h : link.held) {
      if (!scheduler_->Cancel(h.event)) continue;  // ran already
      if (h.direction < 0) {
        ScheduleDatagram(now, h.packet_or_connection);
      } else {
        ScheduleSegment(now, h.packet_or_connection, h.direction);
      }
    }
    link.held.clear();
    if (was_clogged) trace_->AppendHot(now, kClog, from, to, 0);
  }
}

void Network::ClogNode(NodeId node, SimDuration duration) {
  for (NodeId other = 0; other < options_.node_count; ++other) {
    if (other == node) continue;
    Clog(node, other, duration);
    Clog(other, node, duration);
  }
}

void Network::SetReachability(const Reachability& reachability) {
  CHECK_EQ(reachability.node_count(), options_.node_count);
  reachability_ = reachability;
  trace_->AppendHot(scheduler_->now(), kPartition, -1, -1,
                                 reachability_.cut_count());
  for (uint32_t index : OpenConnectionsSnapshot()) {
    const Connection& c = connections_[index];
    if (!reachability_.Connected(c.end[0], c.end[1])) {
      BreakInternal(index, BreakReason::kPartition);
    }
  }
}

void Network::SetAccepting(NodeId node, bool accepting) {
  CHECK_GE(node, 0);
  CHECK_LT(node, options_.node_count);
  accepting_[node] = accepting ? 1 : 0;
  trace_->AppendHot(scheduler_->now(), kAccepting, node, -1, accepting);
  if (accepting) return;
  for (uint32_t index : OpenConnectionsSnapshot()) {
    const Connection& c = connections_[index];
    if (c.end[0] == node || c.end[1] == node) {
      BreakInternal(index, BreakReason::kNotAccepting);
    }
  }
}

bool Network::accepting(NodeId node) const { return accepting_[node] != 0; }

std::vector<uint32_t> Network::OpenConnectionsSnapshot() const {
  return std::vector<uint32_t>(open_.begin(), open_.end());
}

// ---- Timing and packets ---------------------------------------------------------------

uint32_t Network::NewPacket() {
  CHECK_LT(packet_count_, kNil);
  const uint32_t slot = packet_count_++;
  if ((slot >> kPacketChunkBits) == packet_chunks_.size()) {
    packet_chunks_.push_back(std::make_unique<Packet[]>(size_t{1} << kPacketChunkBits));
  }
  return slot;
}

void Network::FreePacket(uint32_t slot) {
  --in_flight_;
  RecyclePacket(slot);
}

// ---- Datagrams --------------------------------------------------------------------------

void Network::SendDatagram(NodeId from, NodeId to, std::string bytes) {
  CHECK_NE(from, to);
  Link& link = links_[LinkIndex(from, to)];
  const int64_t size = static_cast<int64_t>(bytes.size());
  ++link.stats.sent;
  trace_->AppendHot(scheduler_->now(), kDatagramSend, from, to, size);
  const char* drop = nullptr;
  if (!reachability_.CanReach(from, to)) {
    drop = "partition";
  } else if (Happens(link.prng, link.options.packet_loss_ratio)) {
    drop = "loss";
  } else if (in_flight_ >= options_.max_messages_in_flight) {
    drop = "in-flight-limit";
  }
  if (drop != nullptr) {
    ++link.stats.dropped;
    trace_->AppendHot(scheduler_->now(), kDrop, from, to, size, drop);
    return;
  }
  const bool duplicate = Happens(link.prng, link.options.packet_duplication_ratio);
  const int copies = duplicate ? 2 : 1;
  for (int copy = 0; copy < copies; ++copy) {
    SimTime arrival = ArrivalTime(link, bytes.size());
    if (Happens(link.prng, link.options.packet_reorder_ratio)) {
      arrival += SimDuration::Nanos(
          link.prng.UniformIn(0, link.options.reorder_delay_ns_max));
    }
    const uint32_t slot = AllocPacket();
    Packet& p = PacketAt(slot);
    p.from = from;
    p.to = to;
    if (copy + 1 < copies) {
      p.message = Message(bytes);
      ++link.stats.duplicated;
      trace_->AppendHot(scheduler_->now(), kDuplicate, from, to, size);
    } else {
      p.message = Message(std::move(bytes));
    }
    ScheduleDatagram(arrival, slot);
  }
}

void Network::DeliverDatagram(uint32_t slot) {
  Packet& p = PacketAt(slot);
  Link& link = links_[LinkIndex(p.from, p.to)];
  const SimTime now = scheduler_->now();
  if (link.clogged_until > now) {
    const TimerId event = ScheduleDatagram(link.clogged_until, slot);
    link.held.push_back({event, slot, -1});
    return;
  }
  const NodeId from = p.from;
  const NodeId to = p.to;
  const int64_t size = static_cast<int64_t>(p.message.size());
  const char* drop = nullptr;
  if (!reachability_.CanReach(from, to)) {
    drop = "partition";
  } else if (!accepting(to)) {
    drop = "not-accepting";
  }
  if (drop != nullptr) {
    ++link.stats.dropped;
    trace_->AppendHot(now, kDrop, from, to, size, drop);
    FreePacket(slot);
    return;
  }
  std::string bytes = p.message.TakeBytes();
  FreePacket(slot);
  ++link.stats.delivered;
  link.stats.bytes_delivered += size;
  trace_->AppendHot(now, kDatagramDeliver, to, from, size);
  handler_->OnDatagram(to, from, std::move(bytes));
}

// ---- Introspection ----------------------------------------------------------------------

const LinkStats& Network::link_stats(NodeId from, NodeId to) const {
  return links_[LinkIndex(from, to)].stats;
}

LinkStats Network::TotalStats() const {
  LinkStats total;
  for (const Link& link : links_) {
    total.sent += link.stats.sent;
    total.delivered += link.stats.delivered;
    total.dropped += link.stats.dropped;
    total.duplicated += link.stats.duplicated;
    total.retransmitted += link.stats.retransmitted;
    total.bytes_delivered += link.stats.bytes_delivered;
  }
  return total;
}

int64_t Network::open_connection_count() const {
  return static_cast<int64_t>(open_.size());
}

}  // namespace ravensim::sim
