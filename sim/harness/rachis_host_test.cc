// RachisHost and ClusterClient in a real harness World: elections, client commands,
// crash recovery with torn writes, fsync failures, determinism; and RachisHost driven
// directly for recovery from a torn disk log.
#include "sim/harness/rachis_host.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/cluster/register_state_machine.h"
#include "core/rachis/persistence.h"
#include "gtest/gtest.h"
#include "sim/harness/rachis_observations.h"
#include "sim/harness/rachis_world.h"

namespace ravensim::harness {
namespace {

bool Converged(RachisWorld& rw) {
  std::string why;
  bool busy = false;
  for (NodeId id : rw.client_ids()) busy = busy || rw.client(id)->busy();
  return !busy && rw.AckedAppliedEverywhere(&why);
}

// Stops the clients and runs until every acknowledged command is applied everywhere.
::testing::AssertionResult StopClientsAndConverge(RachisWorld& rw, SimDuration within) {
  rw.SetClientsActive(false);
  const absl::Status status =
      rw.world().RunUntil([&] { return Converged(rw); }, rw.world().now() + within);
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
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
  ASSERT_TRUE(StopClientsAndConverge(rw, SimDuration::Seconds(5)));
  ExpectHealthy(rw);
  for (const ClientOperation& op : rw.returns()) {
    EXPECT_EQ(op.outcome, ClientOperation::Outcome::kOk) << op.request_id << " " << op.reason;
  }
}

// §1.5 through an operator's command: the leader turns a follower into a watcher; every
// node learns it, and the cluster keeps committing with four voters.
TEST(RachisHostTest, TopologyChangeCommandReachesEveryNode) {
  RachisWorld rw({.seed = 5, .members = 5, .clients = 2});
  rw.world().Start();
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(2)).ok());
  const NodeId leader = rw.Leader();
  ASSERT_NE(leader, sim::kNoNode);
  const NodeId follower = (leader + 1) % 5;
  const std::string tag(1, static_cast<char>('A' + follower));
  auto modify = [&](NodeId on, const std::string& target,
                    rachis::NodeKind kind) -> absl::StatusOr<std::string> {
    std::string changed;
    const absl::Status status = rw.world().Command(
        on, "topology", [&](Node* node, const Context& context, Effects* effects) {
          absl::StatusOr<std::string> done =
              static_cast<RachisHost*>(node)->ModifyTopology(context, target, -1, kind,
                                                             effects);
          if (done.ok()) changed = *done;
          return done.status();
        });
    if (!status.ok()) return status;
    return changed;
  };
  // Only the leader changes the topology, and never its own entry.
  EXPECT_EQ(modify(follower, tag, rachis::NodeKind::kWatcher).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const std::string leader_tag(1, static_cast<char>('A' + leader));
  EXPECT_EQ(modify(leader, leader_tag, rachis::NodeKind::kWatcher).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const absl::StatusOr<std::string> done = modify(leader, tag, rachis::NodeKind::kWatcher);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(*done, tag);
  // One change in flight at a time.
  EXPECT_EQ(modify(leader, tag, rachis::NodeKind::kMember).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const int64_t acknowledged = rw.acknowledged();
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(2)).ok());
  for (NodeId n = 0; n < 5; ++n) {
    const rachis::ClusterTopology& t = rw.host(n)->rachis().topology();
    EXPECT_EQ(t.watchers.count(tag), 1u) << "node " << n;
    EXPECT_FALSE(t.IsMember(tag)) << "node " << n;
    EXPECT_EQ(t.members.size(), 4u) << "node " << n;
  }
  EXPECT_GT(rw.acknowledged(), acknowledged + 20);
  ASSERT_TRUE(StopClientsAndConverge(rw, SimDuration::Seconds(5)));
  ExpectHealthy(rw);
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

// Runs 2 s, then crashes the leader with every unsynced write torn, runs 1 s, restarts
// it and runs 2 s more.
void RunCrashingLeaderWithTornWrites(RachisWorld& rw) {
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(2)).ok());
  const NodeId leader = rw.Leader();
  ASSERT_NE(leader, sim::kNoNode);
  sim::DiskFaults torn;
  torn.torn_write_ratio = sim::Ratio::Always();
  ASSERT_TRUE(rw.world().SetDiskFaults(leader, torn).ok());
  ASSERT_TRUE(rw.world().Crash(leader).ok());
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(1)).ok());
  ASSERT_TRUE(rw.world().Restart(leader).ok());
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Seconds(2)).ok());
}

TEST(RachisHostTest, CrashedLeaderWithTornWritesRecovers) {
  RachisWorld rw({.seed = 21, .members = 3, .clients = 2});
  rw.world().Start();
  ASSERT_NO_FATAL_FAILURE(RunCrashingLeaderWithTornWrites(rw));
  ASSERT_TRUE(StopClientsAndConverge(rw, SimDuration::Seconds(10)));
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
  ASSERT_TRUE(StopClientsAndConverge(rw, SimDuration::Seconds(10)));
  ExpectHealthy(rw);
}

TEST(RachisHostTest, WorldCheckerSeesWhatTheRecordsDecodeTo) {
  // RachisWorld's checker takes its views from the hosts as they emit the records
  // (RachisHostOptions::observation_views). A second checker fed by decoding the very
  // records the World traces (the byte path) must end in the same state, through
  // elections, a crash with torn writes, a restart (a new incarnation) and fsync
  // failures (rebuilt nodes).
  for (uint64_t seed : {3, 41}) {
    RachisWorld rw({.seed = seed, .members = 5, .clients = 3});
    checkers::raft::RaftInvariantChecker decoded;
    checkers::raft::RaftObservationView view;
    int64_t records = 0;
    rw.world().SetObserver([&](const ObservationRecord& record) {
      if (record.node >= rw.cluster_size()) return;
      if (!DecodeRachisObservation(record, &view)) return;
      ++records;
      decoded.Observe(view);
    });
    sim::DiskFaults faults;
    faults.fsync_error_ratio = sim::Ratio{1, 50};
    ASSERT_TRUE(rw.world().SetDiskFaults(1, faults).ok());
    rw.world().Start();
    ASSERT_NO_FATAL_FAILURE(RunCrashingLeaderWithTornWrites(rw));

    const checkers::raft::RaftCheckResult direct = rw.checker().Result();
    const checkers::raft::RaftCheckResult parsed = decoded.Result();
    EXPECT_TRUE(direct.ok) << direct.violation->ToString();
    EXPECT_TRUE(parsed.ok) << parsed.violation->ToString();
    EXPECT_GT(records, 1000) << seed;
    // Folded observations count as one each: at least as many as records.
    EXPECT_GE(parsed.observations, records) << seed;
    EXPECT_EQ(direct.observations, parsed.observations) << seed;
    EXPECT_GT(direct.observations, 0) << seed;
    EXPECT_GT(decoded.CommittedIndex(), 100u) << seed;
    ASSERT_EQ(rw.checker().CommittedIndex(), decoded.CommittedIndex()) << seed;
    for (uint64_t index = 1; index <= decoded.CommittedIndex(); ++index) {
      ASSERT_EQ(rw.checker().CommittedHash(index), decoded.CommittedHash(index))
          << seed << " index " << index;
    }
    for (uint64_t term = 1; term <= 20; ++term) {
      EXPECT_EQ(rw.checker().LeaderOfTerm(term), decoded.LeaderOfTerm(term))
          << seed << " term " << term;
    }
  }
}

// Direct drive: a torn last record is dropped at recovery and cut off the disk log.
TEST(RachisHostTest, StartTruncatesTornTailBeforeAppending) {
  rachis::PersistedRecord record;
  record.mutable_hard_state()->set_term(3);
  record.mutable_hard_state()->set_voted_for("A");
  sim::DiskImage disk;
  std::vector<std::string>& log = disk.logs[RachisHost::SegmentName(1)];
  log.push_back(rachis::EncodeRecord(record));
  log.push_back(rachis::EncodeSealedRecord(1));
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
  EXPECT_EQ(effects.writes[0].name, RachisHost::SegmentName(1));
  EXPECT_EQ(effects.writes[0].record_count, 2);
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

// The first persist of a fresh node fails: the host deletes the segment it began
// (synced) before anything else, then writes its base to segment 1 again, so that an
// unsealed segment beyond the first never stands alone on the disk.
TEST(RachisHostTest, FailedFirstPersistRewritesSegmentOne) {
  RachisHostOptions options{.tag = "A"};
  options.bootstrap_topology.set_topology_id("t");
  rachis::TopologyNode* member = options.bootstrap_topology.add_members();
  member->set_tag("A");
  member->set_node_id(0);
  RachisHost host(options);
  Context context{.self = 0, .node_count = 1, .incarnation = 1};
  Effects effects;
  host.Start(context, sim::DiskImage(), 1, &effects);
  ASSERT_FALSE(effects.writes.empty());
  for (const sim::DiskWrite& w : effects.writes) {
    EXPECT_EQ(w.op, sim::DiskOp::kAppend);
    EXPECT_EQ(w.name, RachisHost::SegmentName(1));
  }
  Effects repair;
  host.OnPersisted(context, effects.persist_id, absl::InternalError("EIO"), &repair);
  ASSERT_EQ(repair.writes.size(), 1u);
  EXPECT_EQ(repair.writes[0].op, sim::DiskOp::kTruncate);
  EXPECT_EQ(repair.writes[0].name, RachisHost::SegmentName(1));
  EXPECT_EQ(repair.writes[0].record_count, 0);
  EXPECT_TRUE(repair.sync);
  EXPECT_EQ(host.segment(), 0u);
  Effects again;
  host.OnPersisted(context, repair.persist_id, absl::OkStatus(), &again);
  ASSERT_FALSE(again.writes.empty());
  EXPECT_EQ(again.writes[0].name, RachisHost::SegmentName(1));
  EXPECT_EQ(again.writes[0].op, sim::DiskOp::kAppend);
  Effects done;
  host.OnPersisted(context, again.persist_id, absl::OkStatus(), &done);
  EXPECT_EQ(host.segment(), 1u);
  EXPECT_EQ(host.durable_record_count(), static_cast<int64_t>(again.writes.size()));
}

// The cluster is set up before the run, so a member that crashes before its first fsync
// (its disk still empty) comes back a member; only a replaced machine's new disk
// (DiskImage::replaced, after a wipe) brings it back Passive, with no topology. Before,
// both were Passive, and a crash in the first half millisecond turned a member into a
// wiped node that grants any vote: a crash storm from t=0 broke leader completeness.
TEST(RachisHostTest, EmptyOriginalDiskKeepsTheBootstrapTopologyAWipedOneDoesNot) {
  RachisHostOptions options{.tag = "B"};
  options.bootstrap_topology.set_topology_id("t");
  for (const char* tag : {"A", "B", "C"}) {
    rachis::TopologyNode* member = options.bootstrap_topology.add_members();
    member->set_tag(tag);
    member->set_node_id(tag[0] - 'A');
  }
  for (const uint64_t incarnation : {1, 2, 7}) {
    for (const bool replaced : {false, true}) {
      RachisHost host(options);
      Context context{.self = 1, .node_count = 3, .incarnation = incarnation};
      sim::DiskImage disk;
      disk.replaced = replaced;
      Effects effects;
      host.Start(context, disk, 1, &effects);
      const bool member = !replaced;
      EXPECT_EQ(host.rachis().state(),
                member ? rachis::RachisState::kFollower : rachis::RachisState::kPassive)
          << "incarnation " << incarnation << " replaced " << replaced;
      EXPECT_EQ(host.rachis().topology().Contains("B"), member);
      // A member persists the bootstrap (its first Ready carries the snapshot).
      EXPECT_EQ(!effects.writes.empty(), member);
    }
  }
}

TEST(RachisHostTest, CorruptionBeforeTheTailHaltsTheNode) {
  rachis::PersistedRecord record;
  record.mutable_hard_state()->set_term(3);
  sim::DiskImage disk;
  std::vector<std::string>& log = disk.logs[RachisHost::SegmentName(1)];
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

// ---- Segments and compaction -----------------------------------------------------

// The Rachis segments of a disk image: number -> record count.
std::map<uint64_t, size_t> Segments(const sim::DiskImage& disk) {
  std::map<uint64_t, size_t> out;
  for (const auto& [name, records] : disk.logs) {
    uint64_t number = 0;
    if (RachisHost::ParseSegmentName(name, &number)) out[number] = records.size();
  }
  return out;
}

// The host's in-memory durable state is exactly what recovery from its durable current
// segment replays to.
void ExpectMirrorMatchesDisk(RachisHost& host, const sim::DiskImage& disk) {
  const auto it = disk.logs.find(RachisHost::SegmentName(host.segment()));
  ASSERT_NE(it, disk.logs.end());
  const rachis::RestoredState replayed = rachis::RecoverFromRecords(it->second);
  const rachis::RestoredState& mirror = host.durable_state();
  EXPECT_EQ(mirror.records_read, replayed.records_read);
  EXPECT_EQ(mirror.records_dropped, 0);
  EXPECT_EQ(replayed.records_dropped, 0);
  EXPECT_EQ(mirror.sealed_segment, replayed.sealed_segment);
  EXPECT_EQ(mirror.sealed_segment, host.segment());
  EXPECT_EQ(mirror.hard_state.SerializeAsString(), replayed.hard_state.SerializeAsString());
  ASSERT_EQ(mirror.snapshot.has_value(), replayed.snapshot.has_value());
  if (mirror.snapshot.has_value()) {
    EXPECT_EQ(mirror.snapshot->SerializeAsString(), replayed.snapshot->SerializeAsString());
  }
  ASSERT_EQ(mirror.entries.size(), replayed.entries.size());
  for (size_t i = 0; i < mirror.entries.size(); ++i) {
    EXPECT_EQ(mirror.entries[i]->SerializeAsString(), replayed.entries[i]->SerializeAsString())
        << "entry " << i;
  }
}

TEST(RachisHostTest, SegmentNamesSortNumerically) {
  EXPECT_EQ(RachisHost::SegmentName(1), "rachis.000001");
  EXPECT_EQ(RachisHost::SegmentName(1234567), "rachis.1234567");
  EXPECT_LT(RachisHost::SegmentName(9), RachisHost::SegmentName(10));
  // Every DiskWrite names its segment: short enough for std::string's inline room.
  EXPECT_LE(RachisHost::SegmentName(99'999'999).size(), 15u);
  uint64_t number = 0;
  EXPECT_TRUE(RachisHost::ParseSegmentName("rachis.000042", &number));
  EXPECT_EQ(number, 42u);
  EXPECT_FALSE(RachisHost::ParseSegmentName("rachis", &number));
  EXPECT_FALSE(RachisHost::ParseSegmentName("rachis.00004x", &number));
  EXPECT_FALSE(RachisHost::ParseSegmentName("rachis.000000", &number));
  EXPECT_FALSE(RachisHost::ParseSegmentName("rachis.0000042", &number));
  EXPECT_FALSE(RachisHost::ParseSegmentName("other.log.000001", &number));
}

// Many commits with a small snapshot interval: the disk keeps one segment (two while a
// compaction's old segment awaits deletion) of about one interval of records, and a node
// started from that disk recovers the live node's term, vote and log. (The commit index
// is persisted lazily, so the live node may have applied a little further; the exact
// comparison against the whole history is CompactedDiskRecoversWhatTheWholeHistoryWould.)
TEST(RachisHostTest, CompactionBoundsTheDiskAndARestartRecoversTheSameState) {
  constexpr uint64_t kEvery = 8;
  RachisWorld rw({.seed = 41,
                  .members = 3,
                  .clients = 3,
                  .snapshot_every_entries = kEvery,
                  .client_think_time_mean_ns = 2'000'000});
  rw.world().Start();
  size_t max_segments = 0;
  size_t max_records = 0;
  for (int step = 0; step < 30; ++step) {
    ASSERT_TRUE(rw.world().RunFor(SimDuration::Millis(100)).ok());
    for (NodeId id = 0; id < 3; ++id) {
      const std::map<uint64_t, size_t> segments = Segments(rw.world().disk(id).visible());
      max_segments = std::max(max_segments, segments.size());
      for (const auto& [number, count] : segments) max_records = std::max(max_records, count);
      RachisHost* host = rw.host(id);
      ASSERT_NE(host, nullptr);
      EXPECT_LE(host->durable_record_count(), 16 * static_cast<int64_t>(kEvery) + 64);
      // Between events every synced persist has been reported to the host.
      ExpectMirrorMatchesDisk(*host, rw.world().disk(id).durable());
    }
  }
  EXPECT_GT(rw.acknowledged(), 40 * static_cast<int64_t>(kEvery));
  EXPECT_LE(max_segments, 2u);
  EXPECT_GE(max_segments, 1u);
  EXPECT_LE(max_records, 16 * kEvery + 64);
  ASSERT_TRUE(StopClientsAndConverge(rw, SimDuration::Seconds(5)));
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Millis(200)).ok());  // deletes complete
  ExpectHealthy(rw);
  for (NodeId id = 0; id < 3; ++id) {
    SCOPED_TRACE(id);
    RachisHost& live = *rw.host(id);
    EXPECT_GT(live.segment(), 20u);
    const sim::DiskImage& disk = rw.world().disk(id).durable();
    const std::map<uint64_t, size_t> segments = Segments(disk);
    ASSERT_EQ(segments.size(), 1u);
    EXPECT_EQ(segments.begin()->first, live.segment());
    EXPECT_EQ(static_cast<int64_t>(segments.begin()->second), live.durable_record_count());
    EXPECT_EQ(disk.logs.size(), 1u);
    ExpectMirrorMatchesDisk(live, disk);
    RachisHostOptions options{.tag = live.tag(), .snapshot_every_entries = kEvery};
    RachisHost restarted(options);
    Context context{.self = id, .node_count = 6, .incarnation = 2};
    Effects effects;
    restarted.Start(context, disk, 7, &effects);
    EXPECT_FALSE(restarted.halted());
    EXPECT_TRUE(effects.writes.empty());  // nothing to repair
    EXPECT_EQ(restarted.rachis().term(), live.rachis().term());
    EXPECT_EQ(restarted.rachis().voted_for(), live.rachis().voted_for());
    EXPECT_EQ(restarted.rachis().log().LastIndex(), live.rachis().log().LastIndex());
    EXPECT_LE(restarted.rachis().commit_index(), live.rachis().commit_index());
    EXPECT_GT(restarted.rachis().commit_index(), live.rachis().commit_index() - kEvery);
    EXPECT_EQ(restarted.rachis().applied_index(), restarted.rachis().commit_index());
  }
  // And through the World: a crash and restart of every node, one after the other.
  for (NodeId id = 0; id < 3; ++id) {
    ASSERT_TRUE(rw.world().Crash(id).ok());
    ASSERT_TRUE(rw.world().Restart(id).ok());
    ASSERT_TRUE(rw.world().RunFor(SimDuration::Millis(500)).ok());
  }
  ASSERT_TRUE(StopClientsAndConverge(rw, SimDuration::Seconds(10)));
  ExpectHealthy(rw);
}

// A one-member cluster driven directly, its disk a DiskImage to which each persist is
// applied when it completes; a crash can be injected at any persist: its writes lost,
// a prefix kept with the next write torn, or all of them synced but the completion never
// seen.
class CrashDriver {
 public:
  enum class Mode { kNone, kLose, kTorn, kSyncedUnseen };
  static constexpr NodeId kClient = 1;
  static constexpr uint64_t kEvery = 4;

  CrashDriver() {}

  // Plans a crash at the `persist`-th persist (1-based, counted over the whole run).
  void PlanCrash(int64_t persist, Mode mode, size_t torn_write) {
    crash_persist_ = persist;
    crash_mode_ = mode;
    torn_write_ = torn_write;
  }
  // Plans an fsync failure at the `persist`-th persist: its writes stay unsynced (a
  // later sync makes them durable, a crash loses or tears them).
  void PlanFailure(int64_t persist) { fail_persist_ = persist; }

  void Boot() {
    RachisHostOptions options{.tag = "A", .snapshot_every_entries = kEvery};
    rachis::TopologyNode* member = options.bootstrap_topology.add_members();
    member->set_tag("A");
    member->set_node_id(0);
    options.bootstrap_topology.set_topology_id("t");
    options.bootstrap_topology.set_last_node_id("A");
    host_ = std::make_unique<RachisHost>(options);
    crashed_ = false;
    timer_.reset();
    Effects effects;
    // Incarnation 1: an empty disk (a crash before the first sync) bootstraps again.
    host_->Start(Ctx(), disk_, ++boots_, &effects);
    Handle(std::move(effects));
  }

  // Submits write k<i>=v<i> and runs until it is answered (true if acknowledged).
  bool Write(int i) {
    for (int attempt = 0; attempt < 50 && !crashed_; ++attempt) {
      RunUntil([&] { return host_->rachis().state() == rachis::RachisState::kLeader; });
      if (crashed_) return false;
      const std::string id = "r" + std::to_string(i) + "." + std::to_string(attempt);
      RachisWire wire;
      wire.mutable_client_request()->set_request_id(id);
      wire.mutable_client_request()->set_command(cluster::RegisterStateMachine::EncodeWrite(
          "k" + std::to_string(i), "v" + std::to_string(i)));
      Effects effects;
      host_->OnMessage(Ctx(), kClient, wire.SerializeAsString(), &effects);
      Handle(std::move(effects));
      RunUntil([&] { return answered_.count(id) > 0; });
      if (answered_.count(id) > 0 && answered_[id]) {
        acked_keys_.insert(i);
        return true;
      }
    }
    return false;
  }

  RachisHost& host() { return *host_; }
  bool crashed() const { return crashed_; }
  int64_t persists() const { return persists_; }
  const sim::DiskImage& disk() const { return disk_; }
  const std::set<int>& acked_keys() const { return acked_keys_; }
  const std::optional<rachis::HardState>& durable_hard_state() const { return hard_state_; }
  size_t max_segments() const { return max_segments_; }
  // Write counts of the persists that began a segment (by persist number).
  const std::map<int64_t, size_t>& compactions() const { return compactions_; }
  const std::map<int64_t, size_t>& write_counts() const { return write_counts_; }
  // Every record appended by a completed persist, in order (the uncompacted history of
  // a run without failures).
  const std::vector<std::string>& history() const { return history_; }

 private:
  Context Ctx() const {
    return Context{.self = 0,
                   .node_count = 2,
                   .incarnation = 1,
                   .monotonic_now = SimTime::FromNanos(now_ns_),
                   .wall_now = SimTime::FromNanos(now_ns_)};
  }

  template <typename Done>
  void RunUntil(Done done) {
    for (int i = 0; i < 1000 && !crashed_ && !done(); ++i) {
      if (!timer_.has_value()) return;
      now_ns_ = std::max(now_ns_, *timer_);
      timer_.reset();
      Effects effects;
      host_->OnTimer(Ctx(), RachisHost::kTickTimer, &effects);
      Handle(std::move(effects));
    }
  }

  void Deliver(const std::vector<OutgoingMessage>& messages) {
    for (const OutgoingMessage& m : messages) {
      RachisWire wire;
      ASSERT_TRUE(wire.ParseFromString(m.message.Bytes()));
      if (!wire.has_client_response()) continue;
      answered_[wire.client_response().request_id()] =
          wire.client_response().outcome() == rachis::COMMAND_OUTCOME_COMMITTED;
    }
  }

  static void Apply(const sim::DiskWrite& write, sim::DiskImage* disk) {
    if (write.op == sim::DiskOp::kAppend) {
      disk->logs[write.name].push_back(write.bytes);
    } else if (write.op == sim::DiskOp::kTruncate) {
      auto it = disk->logs.find(write.name);
      if (it == disk->logs.end()) return;
      ASSERT_LE(write.record_count, static_cast<int64_t>(it->second.size()));
      it->second.resize(static_cast<size_t>(write.record_count));
      if (it->second.empty()) disk->logs.erase(it);
    } else {
      FAIL() << "unexpected disk op";
    }
  }

  void Handle(Effects effects) {
    while (!crashed_) {
      for (const TimerRequest& t : effects.timers_to_set) timer_ = t.deadline.nanos();
      for (uint64_t tag : effects.timers_to_cancel) {
        if (tag == RachisHost::kTickTimer) timer_.reset();
      }
      if (effects.writes.empty()) {
        Deliver(effects.messages);
        return;
      }
      const int64_t persist = ++persists_;
      write_counts_[persist] = unsynced_.size() + effects.writes.size();
      const std::map<uint64_t, size_t> before = Segments(disk_);
      for (const sim::DiskWrite& w : effects.writes) {
        uint64_t number = 0;
        if (w.op == sim::DiskOp::kAppend && RachisHost::ParseSegmentName(w.name, &number) &&
            before.count(number) == 0) {
          compactions_[persist] = effects.writes.size();
        }
      }
      std::vector<sim::DiskWrite> writes = std::move(unsynced_);
      unsynced_.clear();
      for (sim::DiskWrite& w : effects.writes) writes.push_back(std::move(w));
      if (persist == crash_persist_) {
        crashed_ = true;
        if (crash_mode_ == Mode::kLose) return;
        size_t kept = writes.size();
        if (crash_mode_ == Mode::kTorn) kept = std::min(torn_write_, kept);
        for (size_t i = 0; i < kept; ++i) Apply(writes[i], &disk_);
        if (crash_mode_ == Mode::kTorn && kept < writes.size() &&
            writes[kept].op == sim::DiskOp::kAppend) {
          sim::DiskWrite torn = writes[kept];
          torn.bytes.resize(torn.bytes.size() / 2);
          torn.bytes.append("\x5a\xa5", 2);
          Apply(torn, &disk_);
        }
        return;
      }
      if (persist == fail_persist_) {
        unsynced_ = std::move(writes);
        Effects next;
        host_->OnPersisted(Ctx(), effects.persist_id, absl::InternalError("fsync EIO"), &next);
        effects = std::move(next);
        continue;
      }
      for (const sim::DiskWrite& w : writes) Apply(w, &disk_);
      for (const sim::DiskWrite& w : writes) {
        if (w.op != sim::DiskOp::kAppend) continue;
        absl::StatusOr<rachis::PersistedRecord> record = rachis::DecodeRecord(w.bytes);
        ASSERT_TRUE(record.ok());
        history_.push_back(w.bytes);
      }
      // What is durable now (a repair may have cut records a failed persist left).
      std::vector<rachis::LogSegment> segments;
      for (const auto& [name, records] : disk_.logs) {
        uint64_t number = 0;
        if (RachisHost::ParseSegmentName(name, &number)) segments.push_back({number, &records});
      }
      const rachis::SegmentedRecovery durable = rachis::RecoverFromSegments(segments);
      ASSERT_FALSE(durable.corrupt);
      if (durable.segment != 0) hard_state_ = durable.state.hard_state;
      max_segments_ = std::max(max_segments_, Segments(disk_).size());
      Deliver(effects.messages);
      Effects next;
      host_->OnPersisted(Ctx(), effects.persist_id, absl::OkStatus(), &next);
      effects = std::move(next);
    }
  }

  sim::DiskImage disk_;
  std::unique_ptr<RachisHost> host_;
  uint64_t boots_ = 0;
  int64_t now_ns_ = 1'000'000;
  std::optional<int64_t> timer_;
  bool crashed_ = false;
  int64_t persists_ = 0;
  int64_t crash_persist_ = -1;
  int64_t fail_persist_ = -1;
  std::vector<sim::DiskWrite> unsynced_;
  Mode crash_mode_ = Mode::kNone;
  size_t torn_write_ = 0;
  std::map<std::string, bool> answered_;
  std::set<int> acked_keys_;
  std::optional<rachis::HardState> hard_state_;
  size_t max_segments_ = 0;
  std::map<int64_t, size_t> compactions_;
  std::map<int64_t, size_t> write_counts_;
  std::vector<std::string> history_;
};

// The compacted disk restores exactly what replaying every record ever written would:
// the same hard state, snapshot and entries, and a node with the same term, vote,
// commit, applied index and state machine.
TEST(RachisHostTest, CompactedDiskRecoversWhatTheWholeHistoryWould) {
  CrashDriver driver;
  driver.Boot();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(driver.Write(i));
  ASSERT_GT(driver.host().segment(), 5u);
  std::vector<rachis::LogSegment> segments;
  for (const auto& [name, records] : driver.disk().logs) {
    uint64_t number = 0;
    ASSERT_TRUE(RachisHost::ParseSegmentName(name, &number));
    segments.push_back({number, &records});
  }
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_LT(segments[0].records->size(), driver.history().size() / 4);
  const rachis::SegmentedRecovery compacted = rachis::RecoverFromSegments(segments);
  const rachis::RestoredState whole = rachis::RecoverFromRecords(driver.history());
  ASSERT_FALSE(compacted.corrupt);
  EXPECT_EQ(compacted.state.hard_state.SerializeAsString(),
            whole.hard_state.SerializeAsString());
  ASSERT_TRUE(compacted.state.snapshot.has_value());
  EXPECT_EQ(compacted.state.snapshot->SerializeAsString(), whole.snapshot->SerializeAsString());
  ASSERT_EQ(compacted.state.entries.size(), whole.entries.size());
  for (size_t i = 0; i < whole.entries.size(); ++i) {
    EXPECT_EQ(compacted.state.entries[i]->SerializeAsString(),
              whole.entries[i]->SerializeAsString());
  }
  // Nodes started from the compacted disk and from the whole history (as one segment,
  // sealed by the last seal in it) agree with each other and with the live node.
  sim::DiskImage history_disk;
  history_disk.logs[RachisHost::SegmentName(driver.host().segment())] = driver.history();
  RachisHostOptions options{.tag = "A", .snapshot_every_entries = CrashDriver::kEvery};
  RachisHost from_disk(options);
  RachisHost from_history(options);
  Context context{.self = 0, .node_count = 2, .incarnation = 2};
  Effects effects;
  from_disk.Start(context, driver.disk(), 3, &effects);
  from_history.Start(context, history_disk, 3, &effects);
  for (const RachisHost* host : {&from_disk, &from_history}) {
    EXPECT_FALSE(host->halted());
    EXPECT_EQ(host->rachis().term(), driver.host().rachis().term());
    EXPECT_EQ(host->rachis().voted_for(), driver.host().rachis().voted_for());
    EXPECT_EQ(host->rachis().log().LastIndex(), driver.host().rachis().log().LastIndex());
  }
  EXPECT_EQ(from_disk.rachis().commit_index(), from_history.rachis().commit_index());
  EXPECT_EQ(from_disk.rachis().applied_index(), from_history.rachis().applied_index());
  EXPECT_EQ(from_disk.state_machine().Serialize(), from_history.state_machine().Serialize());
}

constexpr int kCrashRunWrites = 20;

// Runs writes 0..kCrashRunWrites-1 with a crash planned; after the crash, restarts from
// the disk, checks nothing durable was lost, and finishes the writes.
void RunWithCrash(int64_t persist, CrashDriver::Mode mode, size_t torn_write,
                  std::map<std::string, int64_t>* totals, int64_t fail_persist = -1) {
  SCOPED_TRACE(testing::Message() << "crash at persist " << persist << " mode "
                                  << static_cast<int>(mode) << " torn write " << torn_write
                                  << " failed persist " << fail_persist);
  CrashDriver driver;
  driver.PlanCrash(persist, mode, torn_write);
  driver.PlanFailure(fail_persist);
  driver.Boot();
  int next = 0;
  while (next < kCrashRunWrites && !driver.crashed()) {
    if (driver.Write(next) || !driver.crashed()) ++next;
  }
  ASSERT_TRUE(driver.crashed());
  const std::optional<rachis::HardState> durable = driver.durable_hard_state();
  const size_t segments_at_crash = Segments(driver.disk()).size();
  driver.Boot();
  RachisHost& host = driver.host();
  ASSERT_FALSE(host.halted());
  // The vote and term that were durable survive (a torn write may add a newer one).
  if (durable.has_value()) {
    EXPECT_GE(host.rachis().term(), durable->term());
    if (host.rachis().term() == durable->term()) {
      EXPECT_EQ(host.rachis().voted_for(), durable->voted_for());
    }
    EXPECT_GE(host.rachis().commit_index(), durable->commit_index());
  }
  for (const auto& [name, count] : host.counters()) (*totals)[name] += count;
  if (segments_at_crash > 1) ++(*totals)["restarts with two segments"];
  // The recovery repair leaves a single segment on disk (the current one).
  const std::map<uint64_t, size_t> after = Segments(driver.disk());
  EXPECT_LE(after.size(), 1u);
  if (!after.empty()) {
    EXPECT_EQ(after.begin()->first, host.segment());
  }
  for (; next < kCrashRunWrites + 6; ++next) ASSERT_TRUE(driver.Write(next));
  // Every write acknowledged before or after the crash is in the state machine.
  const auto& sm = static_cast<const cluster::RegisterStateMachine&>(host.state_machine());
  for (int key : driver.acked_keys()) {
    auto it = sm.values().find("k" + std::to_string(key));
    ASSERT_NE(it, sm.values().end()) << "lost acknowledged write " << key;
    EXPECT_EQ(it->second, "v" + std::to_string(key));
  }
  EXPECT_LE(driver.max_segments(), 2u);
  EXPECT_GT(host.segment(), 1u);
}

// A crash at every persist of a run with several compactions, in every way: writes
// lost, every prefix kept with the next write torn (a torn base, a torn seal, torn
// deletes), and all synced before the completion was seen (after a base's sync, before
// the deletes of the old segment).
TEST(RachisHostTest, CrashAtEveryStepOfCompactionRecovers) {
  CrashDriver reference;
  reference.Boot();
  for (int i = 0; i < kCrashRunWrites; ++i) ASSERT_TRUE(reference.Write(i));
  ASSERT_FALSE(reference.crashed());
  EXPECT_GE(reference.compactions().size(), 3u);  // bootstrap + at least two compactions
  EXPECT_LE(reference.max_segments(), 2u);
  EXPECT_EQ(Segments(reference.disk()).size(), 1u);
  std::map<std::string, int64_t> totals;
  for (int64_t p = 1; p <= reference.persists(); ++p) {
    RunWithCrash(p, CrashDriver::Mode::kLose, 0, &totals);
    RunWithCrash(p, CrashDriver::Mode::kSyncedUnseen, 0, &totals);
    const size_t writes = reference.write_counts().at(p);
    for (size_t k = 0; k < writes; ++k) RunWithCrash(p, CrashDriver::Mode::kTorn, k, &totals);
    if (HasFatalFailure()) return;
  }
  // The interesting recoveries happened: a torn tail cut off, an unsealed base and a
  // superseded segment discarded.
  EXPECT_GT(totals["recovery records dropped"], 0);
  EXPECT_GT(totals["recovery segments discarded"], 0);
  EXPECT_GT(totals["restarts with two segments"], 0);
}

// An fsync failure at any persist (its writes left unsynced, the node rebuilt and the
// disk repaired), then a crash at the next persist or the one after, in every way.
TEST(RachisHostTest, CrashAfterAFailedPersistRecovers) {
  CrashDriver reference;
  reference.Boot();
  for (int i = 0; i < kCrashRunWrites; ++i) ASSERT_TRUE(reference.Write(i));
  std::map<std::string, int64_t> totals;
  for (int64_t p = 1; p <= reference.persists(); ++p) {
    for (int64_t q = p + 1; q <= p + 2; ++q) {
      // Count the writes the crash can tear: the failed ones and the crashed persist's.
      CrashDriver probe;
      probe.PlanFailure(p);
      probe.Boot();
      for (int i = 0; i < kCrashRunWrites; ++i) ASSERT_TRUE(probe.Write(i));
      if (q > probe.persists()) continue;
      const size_t writes =
          probe.write_counts().at(q) + (q == p + 1 ? probe.write_counts().at(p) : 0);
      RunWithCrash(q, CrashDriver::Mode::kLose, 0, &totals, p);
      RunWithCrash(q, CrashDriver::Mode::kSyncedUnseen, 0, &totals, p);
      for (size_t k = 0; k < writes; ++k) {
        RunWithCrash(q, CrashDriver::Mode::kTorn, k, &totals, p);
      }
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(totals["recovery segments discarded"], 0);
}

// A write or fsync failure while a new segment's base is being written: the host goes
// back to the old segment and deletes the new one before writing anything else.
TEST(RachisHostTest, FailedCompactionPersistDeletesTheNewSegment) {
  RachisWorld rw({.seed = 43,
                  .members = 3,
                  .clients = 3,
                  .snapshot_every_entries = 8,
                  .client_think_time_mean_ns = 2'000'000});
  sim::DiskFaults faults;
  faults.fsync_error_ratio = sim::Ratio{1, 25};
  faults.write_error_ratio = sim::Ratio{1, 200};
  for (NodeId id = 0; id < 3; ++id) ASSERT_TRUE(rw.world().SetDiskFaults(id, faults).ok());
  rw.world().Start();
  size_t max_segments = 0;
  for (int step = 0; step < 30; ++step) {
    ASSERT_TRUE(rw.world().RunFor(SimDuration::Millis(100)).ok());
    for (NodeId id = 0; id < 3; ++id) {
      max_segments = std::max(max_segments, Segments(rw.world().disk(id).visible()).size());
    }
  }
  int64_t failures = 0;
  int64_t segment_failures = 0;
  for (NodeId id = 0; id < 3; ++id) {
    auto counters = rw.host(id)->counters();
    failures += counters["persist failed"];
    segment_failures += counters["persist failed in a new segment"];
  }
  EXPECT_GT(failures, 10);
  EXPECT_GT(segment_failures, 0);
  EXPECT_LE(max_segments, 2u);
  EXPECT_GT(rw.acknowledged(), 20);
  for (NodeId id = 0; id < 3; ++id) ASSERT_TRUE(rw.world().SetDiskFaults(id, {}).ok());
  ASSERT_TRUE(StopClientsAndConverge(rw, SimDuration::Seconds(10)));
  ASSERT_TRUE(rw.world().RunFor(SimDuration::Millis(200)).ok());
  ExpectHealthy(rw);
  for (NodeId id = 0; id < 3; ++id) {
    EXPECT_EQ(Segments(rw.world().disk(id).durable()).size(), 1u);
    EXPECT_GT(rw.host(id)->segment(), 5u);
  }
}

}  // namespace
}  // namespace ravensim::harness
