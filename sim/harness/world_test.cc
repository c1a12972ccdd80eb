#include "sim/harness/world.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/harness/counter_node.h"
#include "sim/prng.h"

namespace ravensim::harness {
namespace {

struct Seen {
  SimTime time;
  NodeId node;
  uint64_t incarnation;
  std::string kind;
  int64_t value;
  std::string detail;
};

class WorldTest : public ::testing::Test {
 protected:
  void Build(int32_t nodes, WorldOptions options = {},
             CounterOptions counter = {.max_increments = 20}) {
    options.node_count = nodes;
    world_ = std::make_unique<World>(options, [counter](NodeId) {
      return std::make_unique<CounterNode>(counter);
    });
    world_->SetObserver([this](const ObservationRecord& r) {
      seen_.push_back(Seen{r.time, r.node, r.incarnation, r.observation->kind,
                           r.observation->value, r.observation->detail});
    });
    world_->Start();
  }
  CounterNode* counter(NodeId node) { return world_->node_as<CounterNode>(node); }
  std::vector<Seen> Of(NodeId node, const std::string& kind) const {
    std::vector<Seen> out;
    for (const Seen& s : seen_) {
      if (s.node == node && s.kind == kind) out.push_back(s);
    }
    return out;
  }
  int64_t LastDurable(NodeId node) const {
    const std::vector<Seen> d = Of(node, "counter.durable");
    return d.empty() ? 0 : d.back().value;
  }
  bool Converged(int64_t expected_total) {
    for (NodeId n = 0; n < world_->node_count(); ++n) {
      if (counter(n) == nullptr || counter(n)->total() != expected_total) return false;
    }
    return true;
  }

  // Two counters; node 1 crashes at 100 ms and stays down 6 s while node 0 counts to 50,
  // its connects refused, so its reconnect backoff grows to the maximum.
  void StartPairWithNodeOneDown(const WorldOptions& options) {
    seen_.clear();
    Build(2, options, {.max_increments = 50});
    ASSERT_TRUE(world_->RunFor(SimDuration::Millis(100)).ok());
    ASSERT_TRUE(world_->Crash(1).ok());
    ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(6)).ok());
    ASSERT_EQ(counter(0)->own_count(), 50);
  }

  std::unique_ptr<World> world_;
  std::vector<Seen> seen_;
};

TEST_F(WorldTest, CountersReplicateAndConverge) {
  Build(3);
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(2)).ok());
  for (NodeId n = 0; n < 3; ++n) {
    EXPECT_EQ(counter(n)->own_count(), 20);
    EXPECT_EQ(counter(n)->total(), 60);
    // Each increment was synced: 20 durable records.
    EXPECT_EQ(world_->disk(n).durable().logs.at(CounterNode::kLog).size(), 20u);
  }
  EXPECT_EQ(world_->network().open_connection_count(), 6);  // One per ordered pair.
}

TEST_F(WorldTest, PersistBeforeSendPeersNeverKnowMoreThanTheOriginSynced) {
  WorldOptions options;
  options.disk.fsync_latency = SimDuration::Millis(40);  // Slower than the network.
  Build(3, options);
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(3)).ok());
  int64_t checked = 0;
  for (const Seen& s : seen_) {
    if (s.kind != "counter.seen") continue;
    const NodeId origin = s.detail.back() - '0';
    if (origin == s.node) continue;
    // The origin had synced at least this count when its peer learned it.
    int64_t durable = 0;
    for (const Seen& d : seen_) {
      if (d.node == origin && d.kind == "counter.durable" && d.time <= s.time) {
        durable = std::max(durable, d.value);
      }
    }
    EXPECT_GE(durable, s.value) << "node " << s.node << " learned " << s.value
                                << " of node " << origin << " before it was durable";
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

TEST_F(WorldTest, FsyncErrorsWithholdTheMessagesAndTellTheNode) {
  Build(3);
  sim::DiskFaults faults;
  faults.fsync_error_ratio = sim::Ratio::Always();
  ASSERT_TRUE(world_->SetDiskFaults(0, faults).ok());
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(1)).ok());
  EXPECT_EQ(counter(0)->own_count(), 0);
  EXPECT_FALSE(Of(0, "counter.persist_failed").empty());
  EXPECT_EQ(Of(0, "counter.persist_failed")[0].detail, "INTERNAL");
  EXPECT_EQ(counter(1)->known()[0], 0);
  EXPECT_EQ(counter(2)->known()[0], 0);
  EXPECT_GT(world_->harness_drop_count(), 0);
  EXPECT_EQ(counter(1)->own_count(), 20);
}

TEST_F(WorldTest, CrashLosesExactlyTheUnsyncedWritesAndRestartRecovers) {
  WorldOptions options;
  options.disk.fsync_latency = SimDuration::Millis(4);
  Build(3, options, {.max_increments = 1000});
  for (int round = 0; round < 20; ++round) {
    ASSERT_TRUE(world_->RunFor(SimDuration::Micros(23'456 + round * 977)).ok());
    const int64_t durable_before = LastDurable(1);
    const int64_t unsynced = world_->disk(1).unsynced_write_count();
    ASSERT_TRUE(world_->Crash(1).ok());
    EXPECT_EQ(world_->node(1), nullptr);
    // The disk holds exactly the synced increments.
    EXPECT_EQ(static_cast<int64_t>(world_->disk(1).durable().logs.at(CounterNode::kLog).size()),
              durable_before);
    EXPECT_EQ(world_->disk(1).unsynced_write_count(), 0);
    (void)unsynced;
    ASSERT_TRUE(world_->RunFor(SimDuration::Millis(5)).ok());
    ASSERT_TRUE(world_->Restart(1).ok());
    const std::vector<Seen> recovered = Of(1, "counter.recovered");
    EXPECT_EQ(recovered.back().value, durable_before);
    EXPECT_EQ(recovered.back().incarnation, static_cast<uint64_t>(round + 2));
  }
  EXPECT_GT(LastDurable(1), 20);
}

TEST_F(WorldTest, TornWritesAreCaughtByTheChecksumOnRecovery) {
  WorldOptions options;
  options.disk.fsync_latency = SimDuration::Millis(8);
  Build(3, options, {.max_increments = 1000});
  sim::DiskFaults faults;
  faults.torn_write_ratio = sim::Ratio::Always();
  ASSERT_TRUE(world_->SetDiskFaults(2, faults).ok());
  int torn_seen = 0;
  for (int round = 0; round < 30; ++round) {
    ASSERT_TRUE(world_->RunFor(SimDuration::Micros(15'000 + round * 1'311)).ok());
    const int64_t durable_before = LastDurable(2);
    const bool had_unsynced = world_->disk(2).unsynced_write_count() > 0;
    ASSERT_TRUE(world_->Crash(2).ok());
    ASSERT_TRUE(world_->Restart(2).ok());
    const Seen recovered = Of(2, "counter.recovered").back();
    EXPECT_EQ(recovered.value, durable_before);  // Never more than what was synced.
    if (had_unsynced && recovered.detail != "bad_records=0") ++torn_seen;
  }
  EXPECT_GT(torn_seen, 3);
}

TEST_F(WorldTest, PauseFreezesANodeAndResumeJumpsItsClock) {
  Build(3, {}, {.max_increments = 1000});
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(200)).ok());
  const SimTime paused_at = world_->now();
  const int64_t others_before = counter(2)->known()[0];
  ASSERT_TRUE(world_->Pause(2).ok());
  EXPECT_EQ(world_->Pause(2).code(), absl::StatusCode::kFailedPrecondition);
  const size_t seen_at_pause = seen_.size();
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(500)).ok());
  for (size_t i = seen_at_pause; i < seen_.size(); ++i) {
    EXPECT_NE(seen_[i].node, 2) << seen_[i].kind << " while paused";
  }
  EXPECT_EQ(counter(2)->known()[0], others_before);  // Nothing delivered while paused.
  const std::vector<Seen> ticks_before = Of(2, "counter.tick");
  ASSERT_TRUE(world_->Resume(2).ok());
  const std::vector<Seen> ticks_after = Of(2, "counter.tick");
  ASSERT_GT(ticks_after.size(), ticks_before.size());  // The expired timer fired.
  const Seen& first = ticks_after[ticks_before.size()];
  EXPECT_EQ(first.time, paused_at + SimDuration::Millis(500));
  EXPECT_GE(first.value - ticks_before.back().value, SimDuration::Millis(500).nanos());
  // The messages queued during the pause were delivered, none lost.
  EXPECT_GT(counter(2)->known()[0], others_before);
  EXPECT_EQ(counter(2)->disconnects(), 0);
}

TEST_F(WorldTest, PausedInboxOverflowBreaksTheConnection) {
  WorldOptions options;
  options.max_paused_inbox = 5;
  Build(3, options, {.max_increments = 1000});
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(100)).ok());
  ASSERT_TRUE(world_->Pause(2).ok());
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(200)).ok());
  EXPECT_GT(world_->harness_drop_count(), 0);
  ASSERT_TRUE(world_->Resume(2).ok());
  // Node 2 hears of the broken connections, and the others got it from the break.
  EXPECT_GT(counter(2)->disconnects(), 0);
  EXPECT_GT(counter(0)->disconnects(), 0);
  // Reconnection repairs everything (an announcement may be in flight at the check).
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(500)).ok());
  EXPECT_GE(counter(2)->known()[0], counter(0)->own_count() - 1);
}

TEST_F(WorldTest, ResumeWithExtraJumpMovesTheClockFurther) {
  Build(2, {}, {.max_increments = 1000});
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(50)).ok());
  ASSERT_TRUE(world_->Pause(1).ok());
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(100)).ok());
  const SimTime before = world_->ContextFor(1).monotonic_now;
  ASSERT_TRUE(world_->Resume(1, SimDuration::Seconds(3)).ok());
  EXPECT_EQ(world_->ContextFor(1).monotonic_now - before, SimDuration::Seconds(3));
}

TEST_F(WorldTest, PartitionCutsANodeOffAndHealingReconverges) {
  Build(3, {}, {.max_increments = 60});
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(100)).ok());
  world_->ApplyShape(sim::PartitionShape::kIsolateNode, 0);
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(20)).ok());
  EXPECT_GT(counter(0)->disconnects(), 0);
  EXPECT_GT(counter(1)->disconnects(), 0);
  const int64_t zero_knows_of_one = counter(0)->known()[1];
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(300)).ok());
  EXPECT_EQ(counter(0)->known()[1], zero_knows_of_one);  // Cut off.
  EXPECT_GT(counter(2)->known()[1], zero_knows_of_one);  // The majority side talks.
  world_->Heal();
  ASSERT_TRUE(world_->RunUntil([&] { return Converged(180); },
                               world_->now() + SimDuration::Seconds(5))
                  .ok());
}

TEST_F(WorldTest, WipedNodeRestartsEmptyAndLearnsItsCountBack) {
  Build(3);
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(1)).ok());
  ASSERT_TRUE(world_->Wipe(1).ok());
  EXPECT_EQ(Of(1, "counter.recovered").back().value, 0);
  EXPECT_TRUE(world_->damaged(1));
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(1)).ok());
  EXPECT_EQ(counter(1)->own_count(), 20);
  EXPECT_TRUE(Converged(60));
}

TEST_F(WorldTest, RecoverableModeRationsDestructiveFaultsToAMinority) {
  WorldOptions options;
  options.recoverable = true;
  Build(5, options);
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(300)).ok());
  EXPECT_EQ(world_->max_damaged(), 2);
  ASSERT_TRUE(world_->Wipe(0).ok());
  ASSERT_TRUE(world_->CorruptSyncedData(1).ok());
  EXPECT_EQ(world_->damaged_count(), 2);
  EXPECT_EQ(world_->Wipe(2).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(world_->CorruptSyncedData(3).code(), absl::StatusCode::kFailedPrecondition);
  sim::DiskFaults corrupt_reads;
  corrupt_reads.read_corruption_ratio = sim::Ratio{1, 2};
  EXPECT_EQ(world_->SetDiskFaults(4, corrupt_reads).code(),
            absl::StatusCode::kFailedPrecondition);
  // Non-destructive faults are always allowed; a damaged node may be hit again.
  sim::DiskFaults torn;
  torn.torn_write_ratio = sim::Ratio::Always();
  EXPECT_TRUE(world_->SetDiskFaults(4, torn).ok());
  EXPECT_TRUE(world_->Wipe(0).ok());
  ASSERT_TRUE(world_->ClearDamage(0).ok());
  EXPECT_TRUE(world_->Wipe(2).ok());
  EXPECT_EQ(world_->damaged_count(), 2);
}

TEST_F(WorldTest, CorruptedLogIsDetectedOnRestart) {
  Build(3);
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(1)).ok());
  ASSERT_TRUE(world_->Crash(0).ok());
  ASSERT_TRUE(world_->CorruptSyncedData(0).ok());
  ASSERT_TRUE(world_->Restart(0).ok());
  EXPECT_NE(Of(0, "counter.recovered").back().detail, "bad_records=0");
}

TEST_F(WorldTest, DiskFullByCapacityIsReportedAsAStatus) {
  WorldOptions options;
  options.disk.capacity_bytes = 200;
  Build(2, options, {.max_increments = 1000});
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(1)).ok());
  const std::vector<Seen> failed = Of(0, "counter.persist_failed");
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed[0].detail, "RESOURCE_EXHAUSTED");
  EXPECT_LE(world_->disk(0).used_bytes(), 200);
}

TEST_F(WorldTest, CrashedPeerIsReportedAndReconnectionBacksOff) {
  Build(3, {}, {.max_increments = 1000});
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(100)).ok());
  ASSERT_TRUE(world_->Crash(2).ok());
  EXPECT_EQ(world_->Crash(2).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(2)).ok());
  EXPECT_GT(counter(0)->disconnects(), 1);
  // Node 0 tries to reach node 2 every 10 ms; backoff keeps connect attempts far fewer.
  int64_t failed_connects = 0;
  for (const Seen& s : Of(0, "counter.peer_disconnected")) failed_connects += s.value == 2;
  EXPECT_LT(failed_connects, 30);
  ASSERT_TRUE(world_->Restart(2).ok());
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(3)).ok());
  EXPECT_EQ(counter(0)->known()[2], counter(2)->own_count());
}

// Node 0 backed off from a peer that was down for seconds. When the peer comes back
// and connects to node 0, the backoff ends: node 0's next gossip connects at once
// instead of being dropped until the backoff (up to 2 s plus jitter) runs out.
TEST_F(WorldTest, AnAcceptedConnectionEndsTheBackoffToThatPeer) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    WorldOptions options;
    options.seed = seed;
    ASSERT_NO_FATAL_FAILURE(StartPairWithNodeOneDown(options));
    ASSERT_TRUE(world_->Restart(1).ok());
    ASSERT_TRUE(world_->RunFor(SimDuration::Millis(250)).ok());
    EXPECT_EQ(counter(1)->known()[0], 50) << "seed " << seed;
  }
}

// A connect attempt sent while the peer was unreachable (lost in a partition) is still
// in flight when the peer comes back and connects to us. When the attempt then fails,
// the peer is known reachable: the next send connects at once, with no backoff.
TEST_F(WorldTest, AnAcceptDuringAFailingAttemptSkipsItsBackoff) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    WorldOptions options;
    options.seed = seed;
    options.network.connect_timeout_ns = 5'000'000'000;  // Outlasts the isolation.
    ASSERT_NO_FATAL_FAILURE(StartPairWithNodeOneDown(options));
    // Node 0 cut off: its next attempt is lost and stays in flight for connect_timeout.
    world_->ApplyShape(sim::PartitionShape::kIsolateNode, 0);
    ASSERT_TRUE(world_->RunFor(SimDuration::Millis(3500)).ok());
    world_->Heal();
    const SimTime healed = world_->now();
    ASSERT_TRUE(world_->Restart(1).ok());  // Node 1 connects to node 0 at once.
    ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(8)).ok());
    // Node 0's attempt failed after the heal (it was in flight then) ...
    SimTime failed;
    for (const Seen& s : Of(0, "counter.peer_disconnected")) failed = s.time;
    ASSERT_GT(failed, healed) << "seed " << seed;
    // ... and node 1 learned node 0's count within a gossip interval of that failure,
    // not a backoff (2 s or more) later.
    SimTime learned;
    for (const Seen& s : Of(1, "counter.seen")) {
      if (s.detail == "origin=0" && s.value == 50) {
        learned = s.time;
        break;
      }
    }
    ASSERT_GT(learned, failed) << "seed " << seed;
    EXPECT_LT((learned - failed).nanos(), SimDuration::Millis(150).nanos()) << "seed " << seed;
  }
}

TEST_F(WorldTest, CommandsCallAnUpNodeAndCarryOutWhatItAsks) {
  WorldOptions options;
  options.clocks.resize(3);
  options.clocks[1].offset = SimDuration::Seconds(7);
  Build(3, options);
  ASSERT_TRUE(world_->RunFor(SimDuration::Millis(250)).ok());
  const SimTime at = world_->now();
  const uint64_t events_before = world_->trace().event_count();
  int calls = 0;
  ASSERT_TRUE(world_
                  ->Command(1, "test",
                            [&](Node* node, const Context& context, Effects* effects) {
                              ++calls;
                              EXPECT_EQ(node, world_->node(1));
                              EXPECT_EQ(context.self, 1);
                              // The node's own clock, read now.
                              const Context own = world_->ContextFor(1);
                              EXPECT_EQ(context.monotonic_now, own.monotonic_now);
                              EXPECT_EQ(context.wall_now, own.wall_now);
                              EXPECT_NE(context.wall_now, world_->ContextFor(0).wall_now);
                              effects->Observe("test.command", 42, "asked");
                              return absl::OkStatus();
                            })
                  .ok());
  // The call's answer is the command's.
  EXPECT_EQ(world_
                ->Command(1, "test",
                          [](Node*, const Context&, Effects*) {
                            return absl::AbortedError("no");
                          })
                .code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(calls, 1);
  // The command and its observation are in the trace; the observer saw it at once.
  EXPECT_EQ(world_->trace().event_count(), events_before + 3);
  const std::vector<Seen> seen = Of(1, "test.command");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].time, at);
  EXPECT_EQ(seen[0].value, 42);
  EXPECT_EQ(seen[0].detail, "asked");

  // Only an up node takes a command; nothing is called otherwise.
  ASSERT_TRUE(world_->Crash(0).ok());
  ASSERT_TRUE(world_->Pause(2).ok());
  auto never = [&](Node*, const Context&, Effects*) {
    ++calls;
    return absl::OkStatus();
  };
  EXPECT_EQ(world_->Command(0, "test", never).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(world_->Command(2, "test", never).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(world_->Command(3, "test", never).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1);
}

TEST_F(WorldTest, TimersFollowTheNodesDriftingClock) {
  Build(2, {}, {.max_increments = 1000});
  world_->SetClockDrift(1, 100'000);  // 10% fast: ticks come 10% more often.
  ASSERT_TRUE(world_->RunFor(SimDuration::Seconds(2)).ok());
  const size_t slow = Of(0, "counter.tick").size();
  const size_t fast = Of(1, "counter.tick").size();
  EXPECT_NEAR(static_cast<double>(fast) / slow, 1.1, 0.02);
}

// Sends "ping-<n>" to node 1 at start, as bytes or as an in-process body; node 1 records
// how each message arrived.
class TextBody : public sim::MessageBody {
 public:
  explicit TextBody(std::string text) : text_(std::move(text)) {}
  std::string Encode() const override { return text_; }

 private:
  std::string text_;
};

struct Arrival {
  bool as_body = false;
  const sim::MessageBody* body = nullptr;
  std::string bytes;
};

class PingNode : public Node {
 public:
  PingNode(bool send_body, bool read_body, std::vector<Arrival>* arrivals,
           std::vector<std::shared_ptr<const sim::MessageBody>>* sent)
      : send_body_(send_body), read_body_(read_body), arrivals_(arrivals), sent_(sent) {}
  void Start(const Context& context, const sim::DiskImage&, uint64_t,
             Effects* effects) override {
    if (context.self != 0) return;
    for (int i = 0; i < 3; ++i) {
      std::string text = "ping-" + std::to_string(i);
      if (!send_body_) {
        effects->Send(1, text);
        continue;
      }
      auto body = std::make_shared<const TextBody>(text);
      sent_->push_back(body);
      effects->Send(1, sim::Message(body, text.size()));
    }
  }
  void OnMessage(const Context&, NodeId, std::string_view bytes, Effects*) override {
    arrivals_->push_back(Arrival{false, nullptr, std::string(bytes)});
  }
  void OnMessageBody(const Context& context, NodeId from, const sim::MessageBody& body,
                     Effects* effects) override {
    if (!read_body_) {
      Node::OnMessageBody(context, from, body, effects);
      return;
    }
    arrivals_->push_back(Arrival{true, &body, body.Encode()});
  }
  void OnTimer(const Context&, uint64_t, Effects*) override {}
  void OnPersisted(const Context&, uint64_t, const absl::Status&, Effects*) override {}
  void OnPeerDisconnected(const Context&, NodeId, Effects*) override {}

 private:
  bool send_body_;
  bool read_body_;
  std::vector<Arrival>* arrivals_;
  std::vector<std::shared_ptr<const sim::MessageBody>>* sent_;
};

struct PingRun {
  std::vector<Arrival> arrivals;
  std::vector<std::shared_ptr<const sim::MessageBody>> sent;
  uint64_t fingerprint = 0;
};

void RunPing(bool send_body, bool read_body, PingRun* run) {
  WorldOptions options;
  options.node_count = 2;
  World world(options, [&](NodeId) {
    return std::make_unique<PingNode>(send_body, read_body, &run->arrivals, &run->sent);
  });
  world.Start();
  ASSERT_TRUE(world.RunFor(SimDuration::Seconds(1)).ok());
  run->fingerprint = world.trace().fingerprint();
}

TEST(WorldMessageTest, BodiesArriveAsSentAndLeaveTheSameTraceAsBytes) {
  PingRun bytes, bodies, encoded;
  RunPing(/*send_body=*/false, /*read_body=*/true, &bytes);
  RunPing(/*send_body=*/true, /*read_body=*/true, &bodies);
  RunPing(/*send_body=*/true, /*read_body=*/false, &encoded);
  ASSERT_EQ(bytes.arrivals.size(), 3u);
  ASSERT_EQ(bodies.arrivals.size(), 3u);
  ASSERT_EQ(encoded.arrivals.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const std::string text = "ping-" + std::to_string(i);
    EXPECT_FALSE(bytes.arrivals[i].as_body);
    EXPECT_EQ(bytes.arrivals[i].bytes, text);
    // The receiver gets the very object the sender made, in send order.
    EXPECT_TRUE(bodies.arrivals[i].as_body);
    EXPECT_EQ(bodies.arrivals[i].body, bodies.sent[i].get());
    EXPECT_EQ(bodies.arrivals[i].bytes, text);
    // A node that does not read bodies gets their bytes.
    EXPECT_FALSE(encoded.arrivals[i].as_body);
    EXPECT_EQ(encoded.arrivals[i].bytes, text);
  }
  // Links charge and the trace records the wire size only: same run either way.
  EXPECT_EQ(bodies.fingerprint, bytes.fingerprint);
  EXPECT_EQ(encoded.fingerprint, bytes.fingerprint);
}

// Sets, resets (earlier, later, to the same deadline) and cancels timers at random
// from its own callbacks, and checks every fire against a model of the World's timer
// contract: a timer fires once, exactly at its last deadline (the clocks here neither
// drift nor jump), and never after a cancel. Within one Effects the World cancels
// before it sets; the model does the same.
class RandomTimerNode : public Node {
 public:
  static constexpr uint64_t kTags = 4;
  RandomTimerNode(uint64_t seed, int64_t* fires, int64_t* resets)
      : prng_(seed), fires_(fires), resets_(resets) {}
  void Start(const Context& context, const sim::DiskImage&, uint64_t,
             Effects* effects) override {
    Act(context, effects);
  }
  // A tag outside the random ones that keeps the node acting every millisecond.
  static constexpr uint64_t kHeartbeat = kTags;
  void OnMessage(const Context&, NodeId, std::string_view, Effects*) override {}
  void OnTimer(const Context& context, uint64_t tag, Effects* effects) override {
    auto it = armed_.find(tag);
    ASSERT_NE(it, armed_.end()) << "tag " << tag << " fired without being set";
    EXPECT_EQ(it->second, context.monotonic_now) << "tag " << tag;
    armed_.erase(it);
    ++*fires_;
    Act(context, effects);
  }
  void OnPersisted(const Context&, uint64_t, const absl::Status&, Effects*) override {}
  void OnPeerDisconnected(const Context&, NodeId, Effects*) override {}

  // Timers still set whose deadline has passed by `now` (there must be none).
  int Overdue(SimTime now) const {
    int overdue = 0;
    for (const auto& [tag, deadline] : armed_) overdue += deadline < now ? 1 : 0;
    return overdue;
  }

 private:
  void Act(const Context& context, Effects* effects) {
    std::map<uint64_t, SimTime> sets;  // Tag -> deadline; the last set of a tag wins.
    if (armed_.find(kHeartbeat) == armed_.end()) {
      sets[kHeartbeat] = context.monotonic_now + SimDuration::Millis(1);
      effects->SetTimer(kHeartbeat, sets[kHeartbeat]);
    }
    const uint64_t ops = 1 + prng_.UniformBelow(3);
    for (uint64_t i = 0; i < ops; ++i) {
      const uint64_t tag = prng_.UniformBelow(kTags);
      if (prng_.UniformBelow(4) == 0) {
        effects->CancelTimer(tag);
        armed_.erase(tag);
        continue;
      }
      SimTime deadline = context.monotonic_now +
                         SimDuration::Micros(static_cast<int64_t>(prng_.UniformBelow(5000)));
      auto it = armed_.find(tag);
      if (it != armed_.end() && prng_.UniformBelow(3) == 0) deadline = it->second;
      if (it != armed_.end()) ++*resets_;
      effects->SetTimer(tag, deadline);
      sets[tag] = deadline;
    }
    for (const auto& [tag, deadline] : sets) armed_[tag] = deadline;
  }

  sim::Prng prng_;
  std::map<uint64_t, SimTime> armed_;  // The model: tag -> deadline.
  int64_t* fires_;
  int64_t* resets_;
};

TEST(WorldTimerTest, RandomSetsResetsAndCancelsFireExactlyAsTheModelSays) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    int64_t fires = 0, resets = 0;
    WorldOptions options;
    options.node_count = 3;
    options.seed = seed;
    World world(options, [&](NodeId id) {
      return std::make_unique<RandomTimerNode>(seed * 100 + static_cast<uint64_t>(id),
                                               &fires, &resets);
    });
    world.Start();
    ASSERT_TRUE(world.RunFor(SimDuration::Seconds(2)).ok());
    for (NodeId n = 0; n < 3; ++n) {
      const auto* node = world.node_as<RandomTimerNode>(n);
      ASSERT_NE(node, nullptr);
      // Monotonic time equals true time here (no drift, no jumps).
      EXPECT_EQ(node->Overdue(world.now()), 0) << "node " << n;
    }
    EXPECT_GT(fires, 1000) << "seed " << seed;
    EXPECT_GT(resets, 500) << "seed " << seed;
  }
}

}  // namespace
}  // namespace ravensim::harness
