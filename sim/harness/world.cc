#include "sim/harness/world.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "sim/harness/world_impl.h"

namespace ravensim::harness {
namespace {

constexpr sim::TraceKind kProcStart("proc.start");
constexpr sim::TraceKind kProcCrash("proc.crash");
constexpr sim::TraceKind kProcPause("proc.pause");
constexpr sim::TraceKind kProcResume("proc.resume");
constexpr sim::TraceKind kProcWipe("proc.wipe");
constexpr sim::TraceKind kDiskCrash("disk.crash");
constexpr sim::TraceKind kDiskCorrupt("disk.corrupt");
constexpr sim::TraceKind kDiskFaults("fault.disk");
constexpr sim::TraceKind kFaultRefused("fault.refused");
constexpr sim::TraceKind kFaultShape("fault.partition");
constexpr sim::TraceKind kClockDrift("fault.clock_drift");
constexpr sim::TraceKind kClockJump("fault.clock_jump");
constexpr sim::TraceKind kDamageCleared("fault.damage_cleared");

}  // namespace

World::World(const WorldOptions& options, NodeFactory factory)
    : options_(options),
      cluster_node_count_(options.cluster_node_count < 0 ? options.node_count
                                                          : options.cluster_node_count),
      root_prng_(options.seed),
      scheduler_(options.scheduler),
      trace_(options.trace),
      processes_(options.node_count),
      factory_(std::move(factory)) {
  CHECK_GT(options_.node_count, 0);
  CHECK_LE(cluster_node_count_, options_.node_count);
  CHECK_LE(options_.reconnect_backoff_min, options_.reconnect_backoff_max);
  CHECK_GT(options_.max_pending_messages_per_peer, 0);
  CHECK_GT(options_.max_paused_inbox, 0);
  options_.network.node_count = options_.node_count;
  impl_ = std::make_unique<Impl>(this);
  network_ = std::make_unique<sim::Network>(
      options_.network, &scheduler_, &trace_, root_prng_.Fork(sim::StreamId::kNetwork),
      impl_.get());
}

World::~World() = default;

void World::Start() {
  for (NodeId node = 0; node < options_.node_count; ++node) {
    if (processes_.state(node) == sim::ProcessState::kDown) {
      CHECK(Restart(node).ok());
    }
  }
}

absl::Status World::RunFor(SimDuration duration) { return RunUntil(now() + duration); }
absl::Status World::RunUntil(SimTime until) { return scheduler_.RunUntil(until); }
absl::Status World::RunUntil(absl::FunctionRef<bool()> done, SimTime deadline) {
  return scheduler_.RunUntil(done, deadline);
}

std::vector<NodeId> World::cluster_members() const {
  std::vector<NodeId> members;
  for (NodeId node = 0; node < cluster_node_count_; ++node) members.push_back(node);
  return members;
}

sim::Disk& World::disk(NodeId node) {
  CHECK_GE(node, 0);
  CHECK_LT(node, options_.node_count);
  return *impl_->rt(node).disk;
}

sim::Clock& World::clock(NodeId node) {
  CHECK_GE(node, 0);
  CHECK_LT(node, options_.node_count);
  return impl_->rt(node).clock;
}

Node* World::node(NodeId node) {
  CHECK_GE(node, 0);
  CHECK_LT(node, options_.node_count);
  return impl_->rt(node).node.get();
}

Context World::ContextFor(NodeId node) const { return impl_->ContextFor(node); }

// ---- Process faults -------------------------------------------------------------------

absl::Status World::Crash(NodeId node) {
  if (absl::Status s = processes_.Crash(node); !s.ok()) return s;
  NodeRuntime& rt = impl_->rt(node);
  rt.node.reset();  // Memory lost.
  impl_->CancelAllTimers(node);
  rt.expired_while_paused.clear();
  rt.held.clear();
  rt.held_messages = 0;
  rt.disk_queue.Clear();  // Queued writes never reached the disk.
  rt.disk_busy_until = now();
  const sim::CrashReport report = rt.disk->Crash();
  trace_.AppendHot(now(), kProcCrash, node, -1, static_cast<int64_t>(processes_.incarnation(node)));
  trace_.AppendHot(now(), kDiskCrash, node, -1, report.unsynced_writes,
                   report.torn ? (report.garbled ? "torn-garbled" : "torn") : "");
  impl_->ResetOutgoing(node);
  network_->SetAccepting(node, false);  // Peers are told their connections broke.
  return absl::OkStatus();
}

absl::Status World::Restart(NodeId node) {
  if (absl::Status s = processes_.Start(node); !s.ok()) return s;
  NodeRuntime& rt = impl_->rt(node);
  network_->SetAccepting(node, true);
  const uint64_t incarnation = processes_.incarnation(node);
  const uint64_t seed = root_prng_.Fork(sim::StreamId::kNodes)
                            .Fork(static_cast<uint64_t>(node))
                            .Fork(incarnation)
                            .Next();
  const sim::DiskImage image = rt.disk->ReadImage();
  if (rt.disk->synced_data_damaged()) rt.damaged = true;
  trace_.AppendHot(now(), kProcStart, node, -1, static_cast<int64_t>(incarnation));
  rt.node = factory_(node);
  CHECK_MSG(rt.node != nullptr, "the node factory returned null for node ", node);
  impl_->CallStart(node, image, seed);
  return absl::OkStatus();
}

absl::Status World::Command(NodeId node, std::string_view what, CommandCall call) {
  if (node < 0 || node >= options_.node_count) {
    return absl::InvalidArgumentError(absl::StrCat("no node ", node));
  }
  if (processes_.state(node) != sim::ProcessState::kUp) {
    return absl::FailedPreconditionError(
        absl::StrCat("node ", node, " is ", sim::ProcessStateName(processes_.state(node)),
                     ", not up"));
  }
  return impl_->CallCommand(node, what, call);
}

absl::Status World::Pause(NodeId node) {
  if (absl::Status s = processes_.Pause(node, now()); !s.ok()) return s;
  trace_.AppendHot(now(), kProcPause, node, -1, 0);
  return absl::OkStatus();
}

absl::Status World::Resume(NodeId node, SimDuration extra_clock_jump) {
  SimDuration length;
  if (absl::Status s = processes_.Resume(node, now(), &length); !s.ok()) return s;
  if (extra_clock_jump != SimDuration::Zero()) {
    impl_->rt(node).clock.AddJump(now(), extra_clock_jump);
  }
  trace_.AppendHot(now(), kProcResume, node, -1, length.nanos());
  impl_->DeliverHeld(node);
  return absl::OkStatus();
}

absl::Status World::Wipe(NodeId node) {
  if (absl::Status s = ReserveDamage(node, "wipe"); !s.ok()) return s;
  const sim::ProcessState state = processes_.state(node);
  if (state == sim::ProcessState::kUp || state == sim::ProcessState::kPaused) {
    CHECK(Crash(node).ok());
  }
  impl_->rt(node).disk->Wipe();
  impl_->rt(node).damaged = true;
  trace_.AppendHot(now(), kProcWipe, node, -1, 0);
  return Restart(node);
}

// ---- Recoverable-mode rationing -------------------------------------------------------

absl::Status World::ReserveDamage(NodeId node, const char* fault) {
  if (!options_.recoverable || node >= cluster_node_count_ || impl_->rt(node).damaged) {
    return absl::OkStatus();
  }
  if (damaged_count() + 1 <= max_damaged()) return absl::OkStatus();
  trace_.AppendHot(now(), kFaultRefused, node, -1, damaged_count(), fault);
  return absl::FailedPreconditionError(
      absl::StrCat("recoverable mode: ", fault, " on node ", node, " refused; ",
                   damaged_count(), " of ", cluster_node_count_,
                   " cluster nodes already have damaged synced data (at most ",
                   max_damaged(), ")"));
}

bool World::damaged(NodeId node) const { return impl_->rt(node).damaged; }

int32_t World::damaged_count() const {
  int32_t count = 0;
  for (NodeId node = 0; node < cluster_node_count_; ++node) count += damaged(node) ? 1 : 0;
  return count;
}

absl::Status World::ClearDamage(NodeId node) {
  NodeRuntime& rt = impl_->rt(node);
  if (rt.disk->faults().damages_synced_data()) {
    return absl::FailedPreconditionError(
        absl::StrCat("node ", node, " still has a disk fault that damages synced data"));
  }
  rt.damaged = false;
  trace_.AppendHot(now(), kDamageCleared, node, -1, 0);
  return absl::OkStatus();
}

// ---- Network faults -------------------------------------------------------------------

void World::SetReachability(const sim::Reachability& reachability) {
  network_->SetReachability(reachability);
}

void World::ApplyShape(sim::PartitionShape shape, NodeId target) {
  ApplyShape(shape, cluster_members(), target);
}

void World::ApplyShape(sim::PartitionShape shape, const std::vector<NodeId>& members,
                       NodeId target) {
  trace_.AppendHot(now(), kFaultShape, target, -1, static_cast<int64_t>(shape),
                   sim::PartitionShapeName(shape));
  network_->SetReachability(
      sim::ComputeShape(shape, options_.node_count, members, target));
}

void World::Heal() { ApplyShape(sim::PartitionShape::kHeal); }

void World::Clog(NodeId from, NodeId to, SimDuration duration) {
  network_->Clog(from, to, duration);
}
void World::ClogNode(NodeId node, SimDuration duration) {
  network_->ClogNode(node, duration);
}
void World::UnclogAll() { network_->UnclogAll(); }
void World::SetLinkOptions(NodeId from, NodeId to, const sim::LinkOptions& options) {
  network_->SetLinkOptions(from, to, options);
}
void World::SetAllLinkOptions(const sim::LinkOptions& options) {
  network_->SetAllLinkOptions(options);
}

// ---- Disk and clock faults ------------------------------------------------------------

absl::Status World::SetDiskFaults(NodeId node, const sim::DiskFaults& faults) {
  if (faults.damages_synced_data()) {
    if (absl::Status s = ReserveDamage(node, "read corruption"); !s.ok()) return s;
    impl_->rt(node).damaged = true;
  }
  impl_->rt(node).disk->set_faults(faults);
  const std::string detail = absl::StrCat(
      "write_error=", faults.write_error_ratio.numerator, "/",
      faults.write_error_ratio.denominator, " fsync_error=", faults.fsync_error_ratio.numerator,
      "/", faults.fsync_error_ratio.denominator,
      " read_corruption=", faults.read_corruption_ratio.numerator, "/",
      faults.read_corruption_ratio.denominator, " torn=", faults.torn_write_ratio.numerator,
      "/", faults.torn_write_ratio.denominator, " slow=", faults.slow_io_ratio.numerator, "/",
      faults.slow_io_ratio.denominator, " full=", faults.disk_full ? 1 : 0);
  trace_.AppendHot(now(), kDiskFaults, node, -1, 0, detail);
  return absl::OkStatus();
}

absl::Status World::CorruptSyncedData(NodeId node) {
  if (absl::Status s = ReserveDamage(node, "corruption"); !s.ok()) return s;
  if (!impl_->rt(node).disk->CorruptSyncedRecord()) {
    return absl::FailedPreconditionError(
        absl::StrCat("node ", node, " has no synced data to corrupt"));
  }
  impl_->rt(node).damaged = true;
  trace_.AppendHot(now(), kDiskCorrupt, node, -1, 0);
  return absl::OkStatus();
}

void World::SetClockDrift(NodeId node, int64_t drift_ppm) {
  impl_->rt(node).clock.SetDrift(now(), drift_ppm);
  trace_.AppendHot(now(), kClockDrift, node, -1, drift_ppm);
}

void World::JumpClock(NodeId node, SimDuration delta) {
  impl_->rt(node).clock.AddJump(now(), delta);
  trace_.AppendHot(now(), kClockJump, node, -1, delta.nanos());
}

}  // namespace ravensim::harness
