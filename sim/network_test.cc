#include "sim/network.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/network_internal.h"
#include "sim/partition.h"

namespace ravensim::sim {
namespace {

struct Received {
  SimTime time;
  ConnectionId connection;
  NodeId node;
  NodeId peer;
  std::string bytes;
};
struct Broken {
  SimTime time;
  ConnectionId connection;
  NodeId node;
  NodeId peer;
  BreakReason reason;
};

class RecordingHandler : public NetworkHandler {
 public:
  explicit RecordingHandler(const Scheduler* scheduler) : scheduler_(scheduler) {}
  void OnConnected(ConnectionId c, NodeId node, NodeId peer) override {
    connected.push_back({scheduler_->now(), c, node, peer, ""});
  }
  void OnAccepted(ConnectionId c, NodeId node, NodeId peer) override {
    accepted.push_back({scheduler_->now(), c, node, peer, ""});
  }
  void OnConnectFailed(ConnectionId c, NodeId node, NodeId peer) override {
    failed.push_back({scheduler_->now(), c, node, peer, ""});
  }
  void OnReceive(ConnectionId c, NodeId node, NodeId peer, std::string bytes) override {
    received.push_back({scheduler_->now(), c, node, peer, std::move(bytes)});
  }
  void OnConnectionBroken(ConnectionId c, NodeId node, NodeId peer,
                          BreakReason reason) override {
    broken.push_back({scheduler_->now(), c, node, peer, reason});
  }
  void OnDatagram(NodeId node, NodeId from, std::string bytes) override {
    received.push_back({scheduler_->now(), ConnectionId{}, node, from, std::move(bytes)});
  }

  std::vector<Received> connected, accepted, failed, received;
  std::vector<Broken> broken;

 private:
  const Scheduler* scheduler_;
};

class NetworkTest : public ::testing::Test {
 protected:
  void Build(int32_t nodes, const LinkOptions& link = {}, uint64_t seed = 42) {
    NetworkOptions options;
    options.node_count = nodes;
    options.default_link = link;
    network_ = std::make_unique<Network>(options, &scheduler_, &trace_,
                                         Prng(seed).Fork(StreamId::kNetwork), &handler_);
  }
  ConnectionId Establish(NodeId from, NodeId to) {
    const ConnectionId c = network_->Connect(from, to);
    EXPECT_TRUE(scheduler_.RunUntilQuiescent().ok());
    EXPECT_TRUE(network_->established(c));
    return c;
  }

  Scheduler scheduler_;
  Trace trace_;
  RecordingHandler handler_{&scheduler_};
  std::unique_ptr<Network> network_;
};

TEST_F(NetworkTest, ConnectTellsAcceptorThenInitiator) {
  Build(2);
  const ConnectionId c = network_->Connect(0, 1);
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  ASSERT_EQ(handler_.accepted.size(), 1u);
  ASSERT_EQ(handler_.connected.size(), 1u);
  EXPECT_EQ(handler_.accepted[0].node, 1);
  EXPECT_EQ(handler_.connected[0].node, 0);
  EXPECT_LT(handler_.accepted[0].time, handler_.connected[0].time);
  EXPECT_TRUE(network_->established(c));
  EXPECT_EQ(network_->PeerOf(c, 0), 1);
  EXPECT_EQ(network_->PeerOf(c, 1), 0);
}

TEST_F(NetworkTest, FifoHoldsOnConnectionsDespiteJitterRetransmitsAndClogs) {
  LinkOptions link;
  link.one_way_delay_ns_min = 10'000;
  link.one_way_delay_ns_mean = 2'000'000;
  link.one_way_delay_ns_max = 20'000'000;
  link.packet_loss_ratio = Ratio{1, 10};  // Retransmitted on a connection.
  Build(2, link);
  const ConnectionId c = Establish(0, 1);
  for (int i = 0; i < 2000; ++i) {
    if (i == 700) network_->Clog(0, 1, SimDuration::Millis(30));
    ASSERT_TRUE(network_->Send(c, 0, std::to_string(i)).ok());
    ASSERT_TRUE(scheduler_.RunUntil(scheduler_.now() + SimDuration::Micros(50)).ok());
  }
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  ASSERT_EQ(handler_.received.size(), 2000u);
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(handler_.received[i].bytes, std::to_string(i));
  EXPECT_GT(network_->link_stats(0, 1).retransmitted, 100);
  for (size_t i = 1; i < handler_.received.size(); ++i) {
    EXPECT_LE(handler_.received[i - 1].time, handler_.received[i].time);
  }
}

TEST_F(NetworkTest, PartitionBreaksConnectionAndDropsBytesInFlight) {
  LinkOptions link;
  link.one_way_delay_ns_min = 1'000'000;
  link.one_way_delay_ns_mean = 1'000'000;
  Build(3, link);
  const ConnectionId c = Establish(0, 1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(network_->Send(c, 0, "x").ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(network_->Send(c, 1, "y").ok());
  ASSERT_TRUE(scheduler_.RunUntil(scheduler_.now() + SimDuration::Micros(500)).ok());
  EXPECT_EQ(network_->messages_in_flight(), 15);
  network_->SetReachability(IsolateNodeShape(3, {0, 1, 2}, 1));
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  EXPECT_TRUE(handler_.received.empty());
  EXPECT_EQ(network_->messages_in_flight(), 0);
  EXPECT_EQ(network_->link_stats(0, 1).dropped, 10);
  EXPECT_EQ(network_->link_stats(1, 0).dropped, 5);
  ASSERT_EQ(handler_.broken.size(), 2u);  // Both ends told.
  EXPECT_EQ(handler_.broken[0].node, 0);
  EXPECT_EQ(handler_.broken[1].node, 1);
  EXPECT_EQ(handler_.broken[0].reason, BreakReason::kPartition);
  EXPECT_FALSE(network_->Send(c, 0, "late").ok());
  EXPECT_EQ(network_->open_connection_count(), 0);
}

TEST_F(NetworkTest, ConnectAcrossPartitionTimesOutAndToADownNodeIsRefused) {
  Build(3);
  network_->SetReachability(IsolateNodeShape(3, {0, 1, 2}, 2));
  network_->Connect(0, 2);
  network_->SetAccepting(1, false);
  network_->Connect(0, 1);
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  ASSERT_EQ(handler_.failed.size(), 2u);
  // Refused after a round trip, long before the timeout.
  EXPECT_EQ(handler_.failed[0].peer, 1);
  EXPECT_LT(handler_.failed[0].time, SimTime::FromNanos(20'000'000));
  EXPECT_EQ(handler_.failed[1].peer, 2);
  EXPECT_EQ(handler_.failed[1].time, SimTime::FromNanos(1'000'000'000));
  EXPECT_TRUE(handler_.accepted.empty());
}

TEST_F(NetworkTest, PartitionWhileTheSynIsInFlightFailsTheConnect) {
  Build(2);
  const ConnectionId c = network_->Connect(0, 1);
  network_->SetReachability(IsolateNodeShape(2, {0, 1}, 1));
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  ASSERT_EQ(handler_.failed.size(), 1u);
  EXPECT_EQ(handler_.failed[0].connection, c);
  EXPECT_TRUE(handler_.accepted.empty());
  EXPECT_TRUE(handler_.connected.empty());
  EXPECT_EQ(network_->open_connection_count(), 0);
}

TEST_F(NetworkTest, OneWayCutIsOneWayForDatagrams) {
  Build(2);
  Reachability r(2);
  r.Cut(0, 1);
  network_->SetReachability(r);
  for (int i = 0; i < 50; ++i) {
    network_->SendDatagram(0, 1, "a");
    network_->SendDatagram(1, 0, "b");
  }
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  EXPECT_EQ(network_->link_stats(0, 1).delivered, 0);
  EXPECT_EQ(network_->link_stats(0, 1).dropped, 50);
  EXPECT_EQ(network_->link_stats(1, 0).delivered, 50);
  for (const Received& r : handler_.received) EXPECT_EQ(r.node, 0);
}

TEST_F(NetworkTest, OneWayCutBreaksAConnectionBecauseTcpNeedsBothWays) {
  Build(2);
  const ConnectionId c = Establish(0, 1);
  Reachability r(2);
  r.Cut(1, 0);
  network_->SetReachability(r);
  EXPECT_FALSE(network_->established(c));
  EXPECT_EQ(handler_.broken.size(), 2u);
}

TEST_F(NetworkTest, DatagramInFlightIsDroppedWhenTheLinkIsCutBeforeDelivery) {
  Build(2);
  network_->SendDatagram(0, 1, "a");
  Reachability r(2);
  r.Cut(0, 1);
  network_->SetReachability(r);
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  EXPECT_TRUE(handler_.received.empty());
  EXPECT_EQ(network_->link_stats(0, 1).dropped, 1);
}

TEST_F(NetworkTest, LossDuplicationAndReorderingRatesAreWithinTolerance) {
  LinkOptions link;
  link.one_way_delay_ns_min = 100'000;
  link.one_way_delay_ns_mean = 100'000;  // Constant delay: reordering comes only from
  link.one_way_delay_ns_max = 100'000;   // the reorder fault.
  link.packet_loss_ratio = Ratio{10, 100};
  link.packet_duplication_ratio = Ratio{5, 100};
  link.packet_reorder_ratio = Ratio{20, 100};
  link.reorder_delay_ns_max = 5'000'000;
  Build(2, link, 7);
  constexpr int kCount = 100'000;
  for (int i = 0; i < kCount; ++i) {
    network_->SendDatagram(0, 1, std::to_string(i));
    ASSERT_TRUE(scheduler_.RunUntil(scheduler_.now() + SimDuration::Micros(10)).ok());
  }
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  const LinkStats& s = network_->link_stats(0, 1);
  EXPECT_EQ(s.sent, kCount);
  EXPECT_NEAR(s.dropped, kCount / 10, kCount / 100);          // 10% ± 1%
  EXPECT_NEAR(s.duplicated, kCount * 9 / 200, kCount / 200);  // 5% of the 90% kept
  EXPECT_EQ(s.delivered, kCount - s.dropped + s.duplicated);
  // Out of order: a message delivered after a higher-numbered one.
  int64_t out_of_order = 0;
  int64_t highest = -1;
  for (const Received& r : handler_.received) {
    const int64_t n = std::stoll(r.bytes);
    if (n < highest) ++out_of_order;
    if (n > highest) highest = n;
  }
  // About 20% of the delivered messages get an extra delay of up to 5 ms (500 sends),
  // so nearly all of them are overtaken.
  EXPECT_GT(out_of_order, s.delivered * 15 / 100);
  EXPECT_LT(out_of_order, s.delivered * 25 / 100);
}

TEST_F(NetworkTest, DelaysStayWithinBoundsWithTheConfiguredMean) {
  LinkOptions link;
  link.one_way_delay_ns_min = 200'000;
  link.one_way_delay_ns_mean = 1'000'000;
  link.one_way_delay_ns_max = 50'000'000;
  Build(2, link);
  constexpr int kCount = 20'000;
  int64_t total = 0;
  for (int i = 0; i < kCount; ++i) {
    const SimTime sent = scheduler_.now();
    network_->SendDatagram(0, 1, "d");
    ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
    const int64_t delay = (handler_.received.back().time - sent).nanos();
    ASSERT_GE(delay, 200'000);
    ASSERT_LE(delay, 50'000'000);
    total += delay;
  }
  EXPECT_NEAR(total / kCount, 1'000'000, 30'000);
}

TEST_F(NetworkTest, ClogDelaysThenReleasesInOrder) {
  LinkOptions link;
  link.one_way_delay_ns_min = 1'000'000;
  link.one_way_delay_ns_mean = 1'000'000;
  Build(2, link);
  const ConnectionId c = Establish(0, 1);
  const SimTime start = scheduler_.now();
  network_->Clog(0, 1, SimDuration::Millis(100));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(network_->Send(c, 0, std::to_string(i)).ok());
  network_->SendDatagram(1, 0, "reverse");  // The other direction is not clogged.
  ASSERT_TRUE(scheduler_.RunUntil(start + SimDuration::Millis(99)).ok());
  ASSERT_EQ(handler_.received.size(), 1u);
  EXPECT_EQ(handler_.received[0].bytes, "reverse");
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  ASSERT_EQ(handler_.received.size(), 21u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(handler_.received[i + 1].bytes, std::to_string(i));
    EXPECT_EQ(handler_.received[i + 1].time, start + SimDuration::Millis(100));
  }
}

// A heal ends the clogs at once: what they hold is delivered then, in order, once
// each; messages sent after it are not held; a clog that ran out is left alone.
TEST_F(NetworkTest, UnclogAllReleasesWhatTheClogsHoldAtOnce) {
  LinkOptions link;
  link.one_way_delay_ns_min = 1'000'000;
  link.one_way_delay_ns_mean = 1'000'000;
  Build(3, link);
  const ConnectionId c = Establish(0, 1);
  const SimTime start = scheduler_.now();
  network_->Clog(0, 1, SimDuration::Seconds(10));
  network_->Clog(2, 1, SimDuration::Seconds(10));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(network_->Send(c, 0, std::to_string(i)).ok());
  network_->SendDatagram(2, 1, "datagram");
  network_->Clog(1, 0, SimDuration::Millis(5));  // runs out before the heal
  ASSERT_TRUE(scheduler_.RunUntil(start + SimDuration::Millis(50)).ok());
  network_->Clog(0, 1, SimDuration::Seconds(20));  // extended while holding
  ASSERT_TRUE(scheduler_.RunUntil(start + SimDuration::Millis(100)).ok());
  ASSERT_TRUE(handler_.received.empty());
  network_->UnclogAll();
  ASSERT_TRUE(network_->Send(c, 0, "after").ok());
  ASSERT_TRUE(scheduler_.RunUntil(start + SimDuration::Millis(200)).ok());
  ASSERT_EQ(handler_.received.size(), 7u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(handler_.received[i].bytes, std::to_string(i));
    EXPECT_EQ(handler_.received[i].time, start + SimDuration::Millis(100));
  }
  EXPECT_EQ(handler_.received[5].bytes, "datagram");
  EXPECT_EQ(handler_.received[5].time, start + SimDuration::Millis(100));
  EXPECT_EQ(handler_.received[6].bytes, "after");
  EXPECT_EQ(handler_.received[6].time, start + SimDuration::Millis(101));
  // The events put off to the clogs' old ends deliver nothing a second time.
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  EXPECT_EQ(handler_.received.size(), 7u);
}

TEST_F(NetworkTest, BandwidthSerializesMessagesOnALink) {
  LinkOptions link;
  link.one_way_delay_ns_min = 0;
  link.one_way_delay_ns_mean = 0;
  link.one_way_delay_ns_max = 0;
  link.bandwidth_bytes_per_second = 1'000'000;  // 1 byte per microsecond.
  Build(2, link);
  for (int i = 0; i < 10; ++i) network_->SendDatagram(0, 1, std::string(1000, 'b'));
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  ASSERT_EQ(handler_.received.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(handler_.received[i].time, SimTime::FromNanos((i + 1) * 1'000'000));
  }
}

TEST_F(NetworkTest, CrashedNodeLosesConnectionsAndDatagrams) {
  Build(3);
  const ConnectionId a = Establish(0, 1);
  const ConnectionId b = Establish(2, 1);
  const ConnectionId other = Establish(0, 2);
  ASSERT_TRUE(network_->Send(a, 0, "lost").ok());
  network_->SendDatagram(2, 1, "lost too");
  network_->SetAccepting(1, false);
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  EXPECT_FALSE(network_->established(a));
  EXPECT_FALSE(network_->established(b));
  EXPECT_TRUE(network_->established(other));
  EXPECT_TRUE(handler_.received.empty());
  ASSERT_EQ(handler_.broken.size(), 4u);
  for (const Broken& br : handler_.broken) EXPECT_EQ(br.reason, BreakReason::kNotAccepting);
}

TEST_F(NetworkTest, CloseDeliversDataThenTellsThePeer) {
  Build(2);
  const ConnectionId c = Establish(0, 1);
  ASSERT_TRUE(network_->Send(c, 0, "last words").ok());
  ASSERT_TRUE(network_->Send(c, 1, "never read").ok());
  network_->Close(c, 0);
  EXPECT_FALSE(network_->Send(c, 0, "after close").ok());
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  ASSERT_EQ(handler_.received.size(), 1u);
  EXPECT_EQ(handler_.received[0].bytes, "last words");
  ASSERT_EQ(handler_.broken.size(), 1u);
  EXPECT_EQ(handler_.broken[0].node, 1);
  EXPECT_EQ(handler_.broken[0].reason, BreakReason::kClosedByPeer);
  EXPECT_GE(handler_.broken[0].time, handler_.received[0].time);
  EXPECT_EQ(network_->link_stats(1, 0).dropped, 1);
}

TEST_F(NetworkTest, EverySendDeliveryAndDropIsTraced) {
  LinkOptions link;
  link.packet_loss_ratio = Ratio{1, 2};
  Build(2, link);
  const uint64_t before = trace_.event_count();
  for (int i = 0; i < 100; ++i) network_->SendDatagram(0, 1, "t");
  ASSERT_TRUE(scheduler_.RunUntilQuiescent().ok());
  const LinkStats& s = network_->link_stats(0, 1);
  EXPECT_EQ(trace_.event_count() - before,
            static_cast<uint64_t>(s.sent + s.delivered + s.dropped + s.duplicated));
}

uint64_t RunMixedTraffic(uint64_t seed) {
  Scheduler scheduler;
  Trace trace;
  RecordingHandler handler(&scheduler);
  LinkOptions link;
  link.packet_loss_ratio = Ratio{1, 20};
  link.packet_duplication_ratio = Ratio{1, 20};
  link.packet_reorder_ratio = Ratio{1, 20};
  NetworkOptions options{.node_count = 4, .default_link = link};
  Network network(options, &scheduler, &trace, Prng(seed).Fork(StreamId::kNetwork),
                  &handler);
  const ConnectionId c = network.Connect(0, 1);
  EXPECT_TRUE(scheduler.RunUntilQuiescent().ok());
  for (int i = 0; i < 500; ++i) {
    network.SendDatagram(i % 4, (i + 1) % 4, "m");
    EXPECT_TRUE(network.Send(c, 0, "c").ok() || i > 250);
    if (i == 250) network.SetReachability(MajorityMinorityShape(4, {0, 1, 2, 3}));
    EXPECT_TRUE(scheduler.RunUntil(scheduler.now() + SimDuration::Micros(100)).ok());
  }
  EXPECT_TRUE(scheduler.RunUntilQuiescent().ok());
  return trace.fingerprint();
}

TEST(NetworkDeterminismTest, SameSeedSameFingerprintDifferentSeedDifferent) {
  EXPECT_EQ(RunMixedTraffic(5), RunMixedTraffic(5));
  EXPECT_NE(RunMixedTraffic(5), RunMixedTraffic(6));
}

// SendInline (the harness' path) against Send: the same random sends, including every
// error (unknown, closed, not yet established, accepted but not established, wrong
// endpoint, in-flight limit) and replies on accepted connections, give the same
// statuses, deliveries and trace.
TEST(NetworkSendInlineTest, SendsAndRefusesExactlyAsSend) {
  struct Run {
    std::vector<absl::StatusCode> codes;
    std::vector<Received> received;
    uint64_t fingerprint = 0;
  };
  auto run = [](bool inline_send) {
    Scheduler scheduler;
    Trace trace;
    RecordingHandler handler(&scheduler);
    NetworkOptions options;
    options.node_count = 4;
    options.default_link.packet_loss_ratio = Ratio{1, 10};
    options.max_messages_in_flight = 40;
    Network network(options, &scheduler, &trace, Prng(5).Fork(StreamId::kNetwork), &handler);
    Prng ops(77);
    std::vector<ConnectionId> connections = {ConnectionId{}, ConnectionId{999}};
    Run result;
    for (int step = 0; step < 3000; ++step) {
      const uint64_t what = ops.UniformBelow(100);
      if (what < 5) {
        const NodeId a = static_cast<NodeId>(ops.UniformBelow(4));
        const NodeId b = static_cast<NodeId>((a + 1 + ops.UniformBelow(3)) % 4);
        connections.push_back(network.Connect(a, b));
      } else if (what < 7 && connections.size() > 2) {
        const ConnectionId c = connections[2 + ops.UniformBelow(connections.size() - 2)];
        network.Close(c, static_cast<NodeId>(ops.UniformBelow(4)));
      } else if (what < 85) {
        const ConnectionId c = connections[ops.UniformBelow(connections.size())];
        const NodeId from = static_cast<NodeId>(ops.UniformBelow(4));
        std::string bytes(1 + ops.UniformBelow(30), static_cast<char>('a' + step % 26));
        const absl::Status status = inline_send
                                        ? network.SendInline(c, from, Message(bytes))
                                        : network.Send(c, from, Message(bytes));
        result.codes.push_back(status.code());
      } else {
        EXPECT_TRUE(
            scheduler.RunUntil(scheduler.now() + SimDuration::Nanos(static_cast<int64_t>(
                                                     ops.UniformBelow(2'000'000))))
                .ok());
      }
    }
    EXPECT_TRUE(scheduler.RunUntilQuiescent().ok());
    result.received = handler.received;
    result.fingerprint = trace.fingerprint();
    return result;
  };
  const Run reference = run(false);
  const Run fast = run(true);
  ASSERT_EQ(fast.codes, reference.codes);
  ASSERT_EQ(fast.received.size(), reference.received.size());
  for (size_t i = 0; i < fast.received.size(); ++i) {
    EXPECT_EQ(fast.received[i].time, reference.received[i].time) << i;
    EXPECT_EQ(fast.received[i].connection, reference.received[i].connection) << i;
    EXPECT_EQ(fast.received[i].bytes, reference.received[i].bytes) << i;
  }
  EXPECT_EQ(fast.fingerprint, reference.fingerprint);
  // Every outcome happened.
  int ok = 0, not_found = 0, precondition = 0, exhausted = 0;
  for (const absl::StatusCode code : reference.codes) {
    ok += code == absl::StatusCode::kOk;
    not_found += code == absl::StatusCode::kNotFound;
    precondition += code == absl::StatusCode::kFailedPrecondition;
    exhausted += code == absl::StatusCode::kResourceExhausted;
  }
  EXPECT_GT(ok, 100);
  EXPECT_GT(not_found, 10);
  EXPECT_GT(precondition, 10);
  EXPECT_GT(exhausted, 10);
  EXPECT_GT(reference.received.size(), 100u);
}

}  // namespace
}  // namespace ravensim::sim
