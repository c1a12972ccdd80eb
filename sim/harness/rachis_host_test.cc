// RachisHost and ClusterClient in a real harness World: elections, client commands,
// crash recovery with torn writes, fsync failures, determinism; and RachisHost driven
// directly for recovery from a torn disk log.
#include "sim/harness/rachis_host.h"

#include <string>

#include "core/rachis/persistence.h"
#include "gtest/gtest.h"
#include "sim/harness/rachis_world.h"

namespace ravensim::harness {
namespace {

bool Converged(RachisWorld& rw) {
  std::string why;
  bool busy = false;
  for (NodeId id : rw.client_ids()) busy = busy || rw.client(id)->busy();
  return !busy && rw.AckedAppliedEverywhere(&why);
}

void ExpectHealthy(RachisWorld& rw) {
  rachis::RachisState unused = rachis::RachisState::kPassive;
  (void)unused;
  const auto result = rw.checker().Result();
  EXPECT_TRUE(result.ok) << result.violation->ToString();
  EXPECT_GT(result.observations, 0);
}

TEST(RachisHostTest, FiveNodeClusterElectsLeaderAndCommitsClientCommands) {
  RachisWorld rw({.seed = 11, .members = 5, .clients = 3});
  rw.world().Start();
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(3)).ok());
  EXPECT_NE(rw.Leader(), sim::kNoNode);
  EXPECT_GT(rw.acknowledged(), 50);
  rw.SetClientsActive(false);
  ASSERT_TRUE(rw.world()
                  .RunUntil([&] { return Converged(rw); },
                            rw.world().now() + SimDuration::Seconds(5))
                  .ok());
  ExpectHealthy(rw);
  for (const ClientOperation& op : rw.returns()) {
    EXPECT_EQ(op.outcome, ClientOperation::Outcome::kOk) << op.request_id << " " << op.reason;
  }
}

TEST(RachisHostTest, SameSeedSameFingerprint) {
  uint64_t fingerprints[2];
  for (int run = 0; run < 2; ++run) {
    RachisWorld rw({.seed = 5, .members = 3, .clients = 2});
    rw.world().Start();
    ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(2)).ok());
    (void)rw.world().Crash(0);
    ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(1)).ok());
    (void)rw.world().Restart(0);
    ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(1)).ok());
    fingerprints[run] = rw.world().fingerprint();
  }
  EXPECT_EQ(fingerprints[0], fingerprints[1]);
}

TEST(RachisHostTest, CrashedLeaderWithTornWritesRecovers) {
  RachisWorld rw({.seed = 21, .members = 3, .clients = 2});
  rw.world().Start();
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(2)).ok());
  NodeId leader = rw.Leader();
  ASSERT_NE(leader, sim::kNoNode);
  sim::DiskFaults torn;
  torn.torn_write_ratio = sim::Ratio::Always();
  ASSERT_TRUE(rw.world().SetDiskFaults(leader, torn).ok());
  ASSERT_TRUE(rw.world().Crash(leader).ok());
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(1)).ok());
  ASSERT_TRUE(rw.world().Restart(leader).ok());
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(2)).ok());
  rw.SetClientsActive(false);
  ASSERT_TRUE(rw.world()
                  .RunUntil([&] { return Converged(rw); },
                            rw.world().now() + SimDuration::Seconds(10))
                  .ok());
  ExpectHealthy(rw);
}

TEST(RachisHostTest, FsyncFailuresRebuildTheNodeAndTheClusterGoesOn) {
  RachisWorld rw({.seed = 31, .members = 3, .clients = 2});
  sim::DiskFaults faults;
  faults.fsync_error_ratio = sim::Ratio{1, 5};
  faults.write_error_ratio = sim::Ratio{1, 20};
  for (NodeId id = 0; id < 3; ++id) ASSERT_TRUE(rw.world().SetDiskFaults(id, faults).ok());
  rw.world().Start();
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(4)).ok());
  int64_t failures = 0;
  for (NodeId id = 0; id < 3; ++id) {
    auto counters = rw.host(id)->counters();
    failures += counters["persist failed"];
  }
  EXPECT_GT(failures, 0);
  EXPECT_GT(rw.acknowledged(), 10);
  for (NodeId id = 0; id < 3; ++id) ASSERT_TRUE(rw.world().SetDiskFaults(id, {}).ok());
  rw.SetClientsActive(false);
  ASSERT_TRUE(rw.world()
                  .RunUntil([&] { return Converged(rw); },
                            rw.world().now() + SimDuration::Seconds(10))
                  .ok());
  ExpectHealthy(rw);
}

// Direct drive: a torn last record is dropped at recovery and cut off the disk log.
TEST(RachisHostTest, StartTruncatesTornTailBeforeAppending) {
  rachis::PersistedRecord record;
  record.mutable_hard_state()->set_term(3);
  record.mutable_hard_state()->set_voted_for("A");
  sim::DiskImage disk;
  std::vector<std::string>& log = disk.logs[RachisHost::kLogName];
  log.push_back(rachis::EncodeRecord(record));
  record.mutable_hard_state()->set_term(4);
  log.push_back(rachis::EncodeRecord(record).substr(0, 5));  // torn
  RachisHostOptions options{.tag = "A"};
  options.bootstrap_topology.set_topology_id("t");
  RachisHost host(options);
  Context context{.self = 0, .node_count = 1, .incarnation = 2};
  Effects effects;
  host.Start(context, disk, 1, &effects);
  ASSERT_EQ(effects.writes.size(), 1u);
  EXPECT_EQ(effects.writes[0].op, sim::DiskOp::kTruncate);
  EXPECT_EQ(effects.writes[0].record_count, 1);
  EXPECT_TRUE(effects.sync);
  EXPECT_EQ(host.rachis().term(), 3u);
  EXPECT_EQ(host.counters().at("recovery records dropped"), 1);
  // A wiped/restarted node (incarnation 2) with no topology on disk is Passive.
  EXPECT_EQ(host.rachis().state(), rachis::RachisState::kPassive);
  // Nothing else is written until the truncation is durable.
  Effects more;
  host.OnTimer(context, RachisHost::kTickTimer, &more);
  EXPECT_TRUE(more.writes.empty());
  host.OnPersisted(context, effects.persist_id, absl::OkStatus(), &more);
}

TEST(RachisHostTest, WireEncodingMatchesProtobuf) {
  rachis::RachisMessage message;
  message.set_from("A");
  message.set_to("B");
  message.mutable_append_entries()->set_prev_log_index(1234567);
  message.mutable_append_entries()->add_entries()->set_command(std::string(300, 'x'));
  RachisWire wire;
  *wire.mutable_rachis() = message;
  EXPECT_EQ(EncodeRachisWire(message), wire.SerializeAsString());
}

TEST(RachisHostTest, CorruptionBeforeTheTailHaltsTheNode) {
  rachis::PersistedRecord record;
  record.mutable_hard_state()->set_term(3);
  sim::DiskImage disk;
  std::vector<std::string>& log = disk.logs[RachisHost::kLogName];
  for (int i = 0; i < 3; ++i) log.push_back(rachis::EncodeRecord(record));
  log[1][8] ^= 0x01;  // a flipped bit in a durable record with a good one after it
  RachisHost host(RachisHostOptions{.tag = "A"});
  Context context{.self = 0, .node_count = 1, .incarnation = 2};
  Effects effects;
  host.Start(context, disk, 1, &effects);
  EXPECT_TRUE(host.halted());
  EXPECT_TRUE(effects.writes.empty());
  EXPECT_TRUE(effects.timers_to_set.empty());
  ASSERT_EQ(effects.observations.size(), 1u);
  EXPECT_EQ(effects.observations[0].kind, "rachis.halted_corrupt_log");
  Effects more;
  host.OnTimer(context, RachisHost::kTickTimer, &more);
  EXPECT_TRUE(more.empty());
}

TEST(RachisHostTest, GarbageOnTheWireIsCountedNotFatal) {
  RachisHostOptions options{.tag = "A"};
  RachisHost host(options);
  Context context{.self = 0, .node_count = 1, .incarnation = 1};
  Effects effects;
  host.Start(context, sim::DiskImage(), 1, &effects);
  host.OnMessage(context, 3, std::string("\xff\xfe garbage", 10), &effects);
  EXPECT_EQ(host.counters().at("bad wire message"), 1);
}

}  // namespace
}  // namespace ravensim::harness
