#include "sim/harness/random_faults.h"

#include <utility>

#include "core/base/check.h"

namespace ravensim::harness {

RandomFaults::RandomFaults(World* world, sim::Prng prng, RandomFaultOptions options)
    : world_(world), prng_(prng), options_(std::move(options)) {
  CHECK(world_ != nullptr);
  CHECK_LE(options_.fault_duration_min, options_.fault_duration_max);
  CHECK_GT(options_.step_interval_mean, SimDuration::Zero());
  if (options_.max_down < 0) options_.max_down = (world_->cluster_node_count() - 1) / 2;
  if (options_.crash) enabled_.push_back(Kind::kCrash);
  if (options_.pause) enabled_.push_back(Kind::kPause);
  if (options_.wipe) enabled_.push_back(Kind::kWipe);
  if (options_.partition) enabled_.push_back(Kind::kPartition);
  if (options_.clog) enabled_.push_back(Kind::kClog);
  if (options_.disk) {
    enabled_.push_back(Kind::kDisk);
    enabled_.push_back(Kind::kCorrupt);
  }
  if (options_.link) enabled_.push_back(Kind::kLink);
  if (options_.clock) enabled_.push_back(Kind::kClock);
}

void RandomFaults::Start() {
  running_ = true;
  const uint64_t epoch = epoch_;
  world_->scheduler().ScheduleAfter(
      SimDuration::Zero(), [this, epoch] { if (epoch == epoch_) Step(); }, "faults.step");
}

void RandomFaults::Step() {
  if (!running_ || enabled_.empty()) return;
  Inject(enabled_[prng_.UniformBelow(enabled_.size())]);
  const SimDuration wait =
      SimDuration::Nanos(1 + prng_.Exponential(options_.step_interval_mean.nanos()));
  const uint64_t epoch = epoch_;
  world_->scheduler().ScheduleAfter(
      wait, [this, epoch] { if (epoch == epoch_) Step(); }, "faults.step");
}

SimDuration RandomFaults::Duration() {
  return SimDuration::Nanos(prng_.UniformIn(options_.fault_duration_min.nanos(),
                                            options_.fault_duration_max.nanos()));
}

NodeId RandomFaults::RandomClusterNode() {
  return static_cast<NodeId>(
      prng_.UniformBelow(static_cast<uint64_t>(world_->cluster_node_count())));
}

int32_t RandomFaults::DownCount() const {
  int32_t down = 0;
  for (NodeId n = 0; n < world_->cluster_node_count(); ++n) {
    down += world_->state(n) != sim::ProcessState::kUp ? 1 : 0;
  }
  return down;
}

void RandomFaults::Note(const absl::Status& status) {
  if (status.ok()) {
    ++counts_.injected;
  } else {
    ++counts_.refused;
  }
}

void RandomFaults::After(SimDuration delay, absl::AnyInvocable<void()> undo) {
  const uint64_t epoch = epoch_;
  world_->scheduler().ScheduleAfter(
      delay,
      [this, epoch, undo = std::move(undo)]() mutable {
        if (epoch == epoch_) undo();
      },
      "faults.undo");
}

void RandomFaults::Inject(Kind kind) {
  const NodeId node = RandomClusterNode();
  switch (kind) {
    case Kind::kCrash:
    case Kind::kPause: {
      if (world_->state(node) != sim::ProcessState::kUp || DownCount() >= options_.max_down) {
        return;
      }
      const bool crash = kind == Kind::kCrash;
      Note(crash ? world_->Crash(node) : world_->Pause(node));
      After(Duration(), [this, node, crash] {
        (void)(crash ? world_->Restart(node) : world_->Resume(node));
      });
      return;
    }
    case Kind::kWipe:
      if (world_->state(node) == sim::ProcessState::kUp && DownCount() < options_.max_down) {
        Note(world_->Wipe(node));
      }
      return;
    case Kind::kPartition: {
      if (partitioned_ || world_->cluster_node_count() < 3) return;
      const auto shape = static_cast<sim::PartitionShape>(1 + prng_.UniformBelow(5));
      NodeId target = node;
      if (shape == sim::PartitionShape::kIsolateLeader && options_.leader) {
        target = options_.leader();
        if (target < 0 || target >= world_->cluster_node_count()) target = node;
      }
      world_->ApplyShape(shape, target);
      partitioned_ = true;
      Note(absl::OkStatus());
      After(Duration(), [this] {
        world_->Heal();
        partitioned_ = false;
      });
      return;
    }
    case Kind::kClog: {
      if (prng_.Chance(1, 2)) {
        world_->ClogNode(node, Duration());
      } else {
        NodeId other = RandomClusterNode();
        if (other == node) other = (node + 1) % world_->node_count();
        world_->Clog(node, other, Duration());
      }
      Note(absl::OkStatus());
      return;
    }
    case Kind::kDisk: {
      sim::DiskFaults faults;
      faults.torn_write_ratio = sim::Ratio{1, 2};
      faults.write_error_ratio = sim::Ratio{1, 20};
      faults.fsync_error_ratio = sim::Ratio{1, 10};
      faults.slow_io_ratio = sim::Ratio{1, 5};
      if (prng_.Chance(1, 4)) faults.read_corruption_ratio = sim::Ratio{1, 20};
      const absl::Status s = world_->SetDiskFaults(node, faults);
      Note(s);
      if (s.ok()) After(Duration(), [this, node] { (void)world_->SetDiskFaults(node, {}); });
      return;
    }
    case Kind::kCorrupt:
      Note(world_->CorruptSyncedData(node));
      return;
    case Kind::kLink: {
      sim::LinkOptions lossy = world_->options().network.default_link;
      lossy.packet_loss_ratio = sim::Ratio{1, 10};
      lossy.one_way_delay_ns_max = 50'000'000;
      lossy.one_way_delay_ns_mean = 2'000'000;
      world_->SetAllLinkOptions(lossy);
      Note(absl::OkStatus());
      After(Duration(), [this] { world_->SetAllLinkOptions(world_->options().network.default_link); });
      return;
    }
    case Kind::kClock:
      if (prng_.Chance(1, 2)) {
        world_->SetClockDrift(node, prng_.UniformIn(-200, 200));
      } else {
        world_->JumpClock(node, SimDuration::Millis(prng_.UniformIn(-1000, 1000)));
      }
      Note(absl::OkStatus());
      return;
  }
}

void RandomFaults::Stop() {
  running_ = false;
  ++epoch_;
  world_->Heal();
  partitioned_ = false;
  world_->SetAllLinkOptions(world_->options().network.default_link);
  for (NodeId n = 0; n < world_->node_count(); ++n) {
    if (world_->state(n) == sim::ProcessState::kPaused) (void)world_->Resume(n);
    if (world_->state(n) == sim::ProcessState::kCrashed) (void)world_->Restart(n);
    (void)world_->SetDiskFaults(n, {});
  }
}

}  // namespace ravensim::harness
