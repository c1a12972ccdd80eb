// The Rachis seed sweep (DESIGN.md §9, STYLE.md §H): for each seed, 5 members, 0-2
// watchers and 3 clients submitting register commands run a safety phase of random
// faults — every named partition shape, crashes, restarts, pauses, message loss and
// duplication, clogged links, clock drift, membership changes (demote, make watcher,
// promote back), leader step-downs and recoverable disk faults (write/fsync errors,
// torn writes, slow I/O) — with the Raft invariant checker on every observation; then a
// liveness phase: heal everything, stop new commands, and require a leader and every
// acknowledged command applied on all nodes within kLivenessBound of simulated time.
//
// One test per seed, so Bazel's shard_count spreads them and a failure names its seed:
//   bazel test //sim/harness:rachis_sweep_test --test_filter='*/Seed.Sweep/17'  (seed 18:
//   test index i runs seed i+1)
// RACHIS_SWEEP_SEEDS overrides the number of seeds (default 1000); RACHIS_SWEEP_MEMBERS
// the number of members (default 5, 3 to 9: the bridge shape needs three), for longer
// hunts outside CI.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "sim/harness/rachis_world.h"
#include "sim/partition.h"
#include "sim/test_env.h"

namespace ravensim::harness {
namespace {

constexpr SimDuration kFaultPhase = SimDuration::Seconds(4);
constexpr SimDuration kLivenessBound = SimDuration::Seconds(15);
constexpr int kDefaultMembers = 5;

int Members() { return sim::EnvInt("RACHIS_SWEEP_MEMBERS", kDefaultMembers, 3, 9); }
int SeedCount() { return sim::EnvInt("RACHIS_SWEEP_SEEDS", 1000, 1); }

// The random fault schedule of one seed, drawn from the run's kFaultSchedule stream.
class FaultSchedule {
 public:
  FaultSchedule(RachisWorld& rw, sim::Prng prng) : rw_(rw), prng_(prng) {}

  // One random fault action; returns a short description for failure messages.
  std::string Step() {
    World& world = rw_.world();
    const int size = rw_.cluster_size();
    const NodeId node = static_cast<NodeId>(prng_.UniformBelow(size));
    switch (prng_.UniformBelow(12)) {
      case 0:
      case 1: {
        static constexpr sim::PartitionShape kShapes[] = {
            sim::PartitionShape::kIsolateNode, sim::PartitionShape::kIsolateLeader,
            sim::PartitionShape::kMajorityMinority, sim::PartitionShape::kMajoritiesRing,
            sim::PartitionShape::kBridge};
        const sim::PartitionShape shape = kShapes[prng_.UniformBelow(5)];
        NodeId target = node;
        if (shape == sim::PartitionShape::kIsolateLeader) {
          target = rw_.Leader() == sim::kNoNode ? node : rw_.Leader();
        }
        std::vector<NodeId> members = world.cluster_members();
        for (size_t i = members.size(); i > 1; --i) {
          std::swap(members[i - 1], members[prng_.UniformBelow(i)]);
        }
        world.ApplyShape(shape, members, target);
        return absl::StrCat("partition ", sim::PartitionShapeName(shape));
      }
      case 2:
        world.Heal();
        return "heal";
      case 3:
        return absl::StrCat("crash ", node, " ", world.Crash(node).ok());
      case 4:
        for (NodeId id = 0; id < size; ++id) {
          if (world.state(id) == sim::ProcessState::kCrashed) {
            return absl::StrCat("restart ", id, " ", world.Restart(id).ok());
          }
        }
        return "restart none";
      case 5:
        return absl::StrCat("pause ", node, " ", world.Pause(node).ok());
      case 6:
        for (NodeId id = 0; id < size; ++id) {
          if (world.state(id) == sim::ProcessState::kPaused) {
            return absl::StrCat("resume ", id, " ", world.Resume(id).ok());
          }
        }
        return "resume none";
      case 7: {
        const int64_t ppm = prng_.UniformIn(-200'000, 200'000);
        world.SetClockDrift(node, ppm);
        return absl::StrCat("drift ", node, " ", ppm, "ppm");
      }
      case 8: {
        sim::DiskFaults faults;
        faults.write_error_ratio = sim::Ratio{1, 50};
        faults.fsync_error_ratio = sim::Ratio{1, 20};
        faults.torn_write_ratio = sim::Ratio{1, 2};
        faults.slow_io_ratio = sim::Ratio{1, 10};
        return absl::StrCat("disk faults ", node, " ", world.SetDiskFaults(node, faults).ok());
      }
      case 9: {
        const NodeId other = static_cast<NodeId>(prng_.UniformBelow(size));
        world.Clog(node, other, SimDuration::Millis(prng_.UniformIn(50, 500)));
        return absl::StrCat("clog ", node, "->", other);
      }
      case 10:
        // An operator's request to the leader: one in four a step-down (§1.5), else a
        // membership change.
        return prng_.Chance(1, 4) ? StepDown() : ChangeMembership(node);
      default:
        return absl::StrCat("disk ok ", node, " ", world.SetDiskFaults(node, {}).ok());
    }
  }

  // Everything back to healthy (clock drift stays: clocks are never perfect).
  void HealAll() {
    World& world = rw_.world();
    world.Heal();
    world.UnclogAll();
    for (NodeId id = 0; id < rw_.cluster_size(); ++id) {
      (void)world.SetDiskFaults(id, {});
      if (world.state(id) == sim::ProcessState::kCrashed) (void)world.Restart(id);
      if (world.state(id) == sim::ProcessState::kPaused) (void)world.Resume(id);
    }
  }

 private:
  // §1.5 under faults: the leader hands over to its most caught-up voter, which runs a
  // forced election.
  std::string StepDown() {
    const NodeId leader = rw_.Leader();
    if (leader == sim::kNoNode) return "step down: no leader";
    const absl::Status done = rw_.world().Command(
        leader, "step-down", [&](Node*, const Context& context, Effects* effects) {
          return rw_.host(leader)->StepDown(context, effects);
        });
    return absl::StrCat("step down ", leader, " ", done.ok() ? "ok" : done.ToString());
  }

  // §1.5 under faults: the leader demotes a member to promotable (promoted back once
  // caught up), turns a member into a watcher, or a watcher back into a promotable, as
  // an operator's command (World::Command) between scheduler events.
  std::string ChangeMembership(NodeId node) {
    const NodeId leader = rw_.Leader();
    if (leader == sim::kNoNode || leader == node) return "membership: no leader";
    const std::string tag(1, static_cast<char>('A' + node));
    const rachis::ClusterTopology& topology = rw_.host(leader)->rachis().topology();
    rachis::NodeKind kind = rachis::NodeKind::kPromotable;
    if (topology.IsMember(tag)) {
      // Keep at least three voters so the cluster stays able to heal.
      if (topology.members.size() <= 3) return "membership: too few members";
      if (prng_.Chance(1, 3)) kind = rachis::NodeKind::kWatcher;
    } else if (!topology.watchers.count(tag)) {
      return "membership: already promotable";
    }
    const absl::Status done = rw_.world().Command(
        leader, "topology", [&](Node*, const Context& context, Effects* effects) {
          // The host itself, not the loss-injecting wrapper the World may hold.
          return rw_.host(leader)->ModifyTopology(context, tag, -1, kind, effects).status();
        });
    return absl::StrCat("membership ", tag, " -> ", static_cast<int>(kind), " ",
                        done.ok() ? "ok" : done.ToString());
  }

  RachisWorld& rw_;
  sim::Prng prng_;
};

bool Quiescent(RachisWorld& rw, std::string* why) {
  for (NodeId id : rw.client_ids()) {
    if (rw.client(id)->busy()) {
      *why = absl::StrCat("client ", id, " still has an operation in flight");
      return false;
    }
  }
  return rw.AckedAppliedEverywhere(why);
}

std::string DescribeCluster(RachisWorld& rw) {
  std::string out;
  for (NodeId id = 0; id < rw.cluster_size(); ++id) {
    RachisHost* host = rw.host(id);
    absl::StrAppend(&out, "node ", id, " ", sim::ProcessStateName(rw.world().state(id)));
    if (host != nullptr) {
      const rachis::RachisNode& n = host->rachis();
      absl::StrAppend(&out, " ", rachis::RachisStateName(n.state()), " term ", n.term(),
                      " leader '", n.leader_tag(), "' last ", n.log().LastIndex(), " commit ",
                      n.commit_index(), " applied ", n.applied_index());
      for (const auto& [name, count] : host->counters()) {
        absl::StrAppend(&out, "\n    host: ", name, " = ", count);
      }
      if (std::getenv("RACHIS_SWEEP_MARKS") != nullptr) {
        for (const auto& [name, count] : n.marks()) {
          absl::StrAppend(&out, "\n    mark: ", name, " = ", count);
        }
      }
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

class Seed : public ::testing::TestWithParam<int> {};

TEST_P(Seed, Sweep) {
  const uint64_t seed = static_cast<uint64_t>(GetParam());
  sim::Prng knobs = sim::Prng(seed).Fork(sim::StreamId::kScenario);
  RachisWorldOptions options{.seed = seed,
                             .members = Members(),
                             .watchers = static_cast<int>(knobs.UniformBelow(3)),
                             .clients = 3};
  options.message_loss = sim::Ratio{knobs.UniformBelow(3), 100};
  options.message_duplication = sim::Ratio{knobs.UniformBelow(3), 100};
  options.network.default_link.packet_loss_ratio = sim::Ratio{knobs.UniformBelow(2), 200};
  options.snapshot_every_entries = 32 + knobs.UniformBelow(64);
  // RACHIS_SWEEP_TRACE=path writes the full event trace of the seed(s) run as JSONL.
  std::ofstream trace_file;
  if (const char* path = std::getenv("RACHIS_SWEEP_TRACE")) {
    trace_file.open(path);
    options.trace.jsonl = &trace_file;
  }
  RachisWorld rw(options);
  FaultSchedule faults(rw, rw.world().fork_prng(sim::StreamId::kFaultSchedule));
  sim::Prng gaps = rw.world().fork_prng(sim::StreamId::kFaultSchedule).Fork(1);
  std::vector<std::string> schedule;
  World& world = rw.world();
  world.Start();
  const SimTime fault_end = world.now() + kFaultPhase;
  while (world.now() < fault_end) {
    ASSERT_TRUE(world.RunFor(SimDuration::Millis(gaps.UniformIn(50, 400))).ok());
    schedule.push_back(absl::StrCat(sim::FormatSimTime(world.now()), " ", faults.Step()));
    if (!rw.checker().Result().ok) break;
  }
  auto safety = rw.checker().Result();
  ASSERT_TRUE(safety.ok) << "seed " << seed << ": " << safety.violation->ToString()
                         << "\nschedule:\n" << absl::StrJoin(schedule, "\n");
  faults.HealAll();
  rw.SetClientsActive(false);
  const SimTime healed = world.now();
  std::string why;
  absl::Status live =
      world.RunUntil([&] { return Quiescent(rw, &why); }, healed + kLivenessBound);
  safety = rw.checker().Result();
  ASSERT_TRUE(safety.ok) << "seed " << seed << ": " << safety.violation->ToString();
  ASSERT_TRUE(live.ok()) << "seed " << seed << ": not converged " << sim::FormatSimDuration(kLivenessBound)
                         << " after heal: " << why << "\n" << DescribeCluster(rw) << "schedule:\n"
                         << absl::StrJoin(schedule, "\n");
  EXPECT_GT(rw.invoked(), 0);
}

INSTANTIATE_TEST_SUITE_P(Rachis, Seed, ::testing::Range(1, SeedCount() + 1));

}  // namespace
}  // namespace ravensim::harness
