#include "tools/scenario/fault_injector.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/check.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/ratio.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

using scenarios::FaultEvent;
using sim::NodeId;
using sim::SimDuration;

constexpr int32_t kFaultsTrack = 1000;

SimDuration Get(const std::string& text, SimDuration fallback) {
  auto d = ParseDurationOr(text, fallback);
  CHECK_MSG(d.ok(), "unvalidated duration %s", text.c_str());
  return *d;
}

NodeId Tag(const std::string& tag, int32_t nodes) {
  auto index = NodeIndex(tag, nodes);
  CHECK_MSG(index.has_value(), "unvalidated node %s", tag.c_str());
  return *index;
}

Timeline::Track NodeTrack(NodeId node) { return {Timeline::Process::kCluster, node}; }

// DiskFault.slow_io_latency when not given (scenario.proto).
constexpr SimDuration kDefaultSlowIoLatency = SimDuration::Millis(50);

sim::Ratio GetRatio(const std::string& text) {
  auto r = ParseRatioOr(text);
  CHECK_MSG(r.ok(), "unvalidated probability %s", text.c_str());
  return *r;
}

sim::DiskFaults ToDiskFaults(const scenarios::DiskFault& d) {
  sim::DiskFaults f;
  f.write_error_ratio = GetRatio(d.write_error());
  f.fsync_error_ratio = GetRatio(d.fsync_error());
  f.torn_write_ratio = GetRatio(d.torn_write());
  f.slow_io_ratio = GetRatio(d.slow_io());
  f.slow_io_latency = Get(d.slow_io_latency(), kDefaultSlowIoLatency);
  f.disk_full = d.disk_full();
  f.read_corruption_ratio = GetRatio(d.read_corruption());
  return f;
}

// "disk: fsync 1/3, torn 1/1": the faults set, for the timeline.
std::string DiskLabel(const scenarios::DiskFault& d) {
  std::vector<std::string> parts;
  if (!d.write_error().empty()) parts.push_back(absl::StrCat("write ", d.write_error()));
  if (!d.fsync_error().empty()) parts.push_back(absl::StrCat("fsync ", d.fsync_error()));
  if (!d.torn_write().empty()) parts.push_back(absl::StrCat("torn ", d.torn_write()));
  if (!d.slow_io().empty()) {
    parts.push_back(absl::StrCat(
        "slow ", d.slow_io(), " +",
        FormatDuration(Get(d.slow_io_latency(), kDefaultSlowIoLatency))));
  }
  if (d.disk_full()) parts.push_back("full");
  if (!d.read_corruption().empty()) {
    parts.push_back(absl::StrCat("corrupt ", d.read_corruption()));
  }
  return absl::StrCat("disk: ", absl::StrJoin(parts, ", "));
}

std::string PartitionLabel(const scenarios::Partition& p) {
  if (!p.isolate().empty()) return absl::StrCat("isolate ", p.isolate());
  if (p.majority_minority()) return absl::StrCat("majority/minority ", absl::StrJoin(p.order(), ""));
  if (p.majorities_ring()) return absl::StrCat("majorities ring ", absl::StrJoin(p.order(), ""));
  if (p.bridge()) return absl::StrCat("bridge ", absl::StrJoin(p.order(), ""));
  if (p.has_one_way()) return absl::StrCat("one-way ", p.one_way().from(), "->", p.one_way().to());
  std::vector<std::string> groups;
  for (const auto& g : p.group()) groups.push_back(absl::StrJoin(g.nodes(), ""));
  return absl::StrCat("groups ", absl::StrJoin(groups, "|"));
}

}  // namespace

FaultInjector::FaultInjector(harness::World* world, ClusterView* view,
                             Timeline* timeline, uint64_t seed,
                             std::vector<int64_t> base_drift_ppm)
    : world_(world),
      view_(view),
      timeline_(timeline),
      prng_(sim::Prng(seed).Fork(sim::StreamId::kFaultSchedule).Fork(kRuntimeStream)),
      base_drift_ppm_(std::move(base_drift_ppm)),
      cluster_nodes_(world->cluster_node_count()) {
  if (timeline_ != nullptr) {
    timeline_->NameTrack({Timeline::Process::kCluster, kFaultsTrack}, "faults");
  }
}

int32_t FaultInjector::Resolve(const scenarios::NodeRef& ref) {
  if (!ref.node().empty()) return Tag(ref.node(), cluster_nodes_);
  const std::optional<int32_t> leader = view_->leader();
  if (ref.leader()) return leader.value_or(-1);
  std::vector<int32_t> followers;
  for (int32_t n = 0; n < cluster_nodes_; ++n) {
    if (n != leader && world_->state(n) == sim::ProcessState::kUp) followers.push_back(n);
  }
  if (followers.empty()) return -1;
  return followers[prng_.UniformBelow(followers.size())];
}

void FaultInjector::Record(FaultEvent realized) {
  realized.clear_on();
  realized.set_at(FormatDuration(world_->now() - sim::SimTime::Zero()));
  last_fault_time_ = world_->now();
  realized_.push_back(std::move(realized));
}

void FaultInjector::ScheduleUndo(const FaultEvent& event, std::function<void()> undo) {
  if (event.duration().empty()) return;
  const SimDuration length = Get(event.duration(), SimDuration::Zero());
  pending_undos_.push_back(world_->scheduler().ScheduleAfter(
      length,
      [this, undo = std::move(undo)]() {
        last_fault_time_ = world_->now();
        undo();
      },
      "fault.undo"));
}

void FaultInjector::Inject(const FaultEvent& event) {
  if (event.has_partition()) {
    InjectPartition(event);
  } else if (event.has_crash() || event.has_restart() || event.has_pause() ||
             event.has_resume() || event.has_wipe()) {
    InjectProcessFault(event);
  } else if (event.has_disk()) {
    InjectDisk(event);
  } else if (event.has_membership()) {
    InjectMembership(event);
  } else if (event.has_step_down()) {
    InjectStepDown(event);
  } else {
    InjectOther(event);
  }
}

sim::Reachability FaultInjector::PartitionMatrix(scenarios::Partition* p) {
  const int32_t all = world_->node_count();
  std::vector<NodeId> members = world_->cluster_members();
  if (p->isolate_leader()) {
    const std::optional<int32_t> leader = view_->leader();
    CHECK(leader.has_value());
    p->clear_isolate_leader();
    p->set_isolate(NodeTag(*leader));
  }
  if (!p->isolate().empty()) {
    return sim::IsolateNodeShape(all, members, Tag(p->isolate(), cluster_nodes_));
  }
  if (p->has_one_way()) {
    sim::Reachability r(all);
    r.Cut(Tag(p->one_way().from(), cluster_nodes_), Tag(p->one_way().to(), cluster_nodes_));
    return r;
  }
  if (p->group_size() > 0) {
    std::vector<std::vector<NodeId>> groups;
    for (const auto& g : p->group()) {
      groups.emplace_back();
      for (const std::string& tag : g.nodes()) groups.back().push_back(Tag(tag, cluster_nodes_));
    }
    return sim::GroupsShape(all, members, groups);
  }
  if (p->leader_in_minority()) {  // The leader first: the minority is a prefix.
    const std::optional<int32_t> leader = view_->leader();
    CHECK(leader.has_value());
    p->clear_leader_in_minority();
    p->add_order(NodeTag(*leader));
    for (NodeId n : members) {
      if (n != *leader) p->add_order(NodeTag(n));
    }
  }
  if (p->order_size() == 0) {  // A fresh random order, recorded for replay.
    for (int32_t i = cluster_nodes_ - 1; i > 0; --i) {
      std::swap(members[i], members[prng_.UniformBelow(static_cast<uint64_t>(i) + 1)]);
    }
    for (NodeId n : members) p->add_order(NodeTag(n));
  }
  members.clear();
  for (const std::string& tag : p->order()) members.push_back(Tag(tag, cluster_nodes_));
  if (p->majority_minority()) return sim::MajorityMinorityShape(all, members);
  if (p->majorities_ring()) return sim::MajoritiesRingShape(all, members);
  CHECK(p->bridge());
  return sim::BridgeShape(all, members);
}

void FaultInjector::ApplyPartitions() {
  sim::Reachability composed(world_->node_count());
  for (const auto& [id, r] : partitions_) {
    for (NodeId a = 0; a < r.node_count(); ++a) {
      for (NodeId b = 0; b < r.node_count(); ++b) {
        if (!r.CanReach(a, b)) composed.Cut(a, b);
      }
    }
  }
  if (composed.fully_connected()) {
    world_->Heal();
  } else {
    world_->SetReachability(composed);
  }
}

void FaultInjector::InjectPartition(const FaultEvent& event) {
  FaultEvent realized = event;
  if ((event.partition().isolate_leader() || event.partition().leader_in_minority()) &&
      !view_->leader().has_value()) {
    return;
  }
  const uint64_t id = next_partition_id_++;
  partitions_.emplace(id, PartitionMatrix(realized.mutable_partition()));
  ApplyPartitions();
  const std::string key = absl::StrCat("partition ", id);
  OpenSpan(key, {Timeline::Process::kCluster, kFaultsTrack},
           PartitionLabel(realized.partition()), "partition");
  Record(realized);
  ScheduleUndo(event, [this, id, key]() {
    partitions_.erase(id);
    ApplyPartitions();
    CloseSpan(key);
  });
}

void FaultInjector::InjectProcessFault(const FaultEvent& event) {
  FaultEvent realized = event;
  const scenarios::NodeRef& ref =
      event.has_crash()     ? event.crash()
      : event.has_restart() ? event.restart()
      : event.has_pause()   ? event.pause()
      : event.has_resume()  ? event.resume()
                            : event.wipe();
  const int32_t node = Resolve(ref);
  if (node < 0) return;
  scenarios::NodeRef resolved;
  resolved.set_node(NodeTag(node));
  const std::string key = absl::StrCat("process ", node);
  if (event.has_crash()) {
    if (!world_->Crash(node).ok()) return;
    view_->OnDown(world_->now(), node);
    *realized.mutable_crash() = resolved;
    OpenSpan(key, NodeTrack(node), "crashed", "crash");
    ScheduleUndo(event, [this, node, key]() {
      if (world_->Restart(node).ok()) CloseSpan(key);
    });
  } else if (event.has_pause()) {
    if (!world_->Pause(node).ok()) return;
    *realized.mutable_pause() = resolved;
    OpenSpan(key, NodeTrack(node), "paused", "pause");
    ScheduleUndo(event, [this, node, key]() {
      if (world_->Resume(node).ok()) CloseSpan(key);
    });
  } else if (event.has_restart()) {
    if (!world_->Restart(node).ok()) return;
    *realized.mutable_restart() = resolved;
    CloseSpan(key);
    if (timeline_ != nullptr) timeline_->Instant(NodeTrack(node), world_->now(), "restart", "crash");
  } else if (event.has_resume()) {
    if (!world_->Resume(node).ok()) return;
    *realized.mutable_resume() = resolved;
    CloseSpan(key);
  } else {
    if (!world_->Wipe(node).ok()) return;
    view_->OnDown(world_->now(), node);
    *realized.mutable_wipe() = resolved;
    CloseSpan(key);
    if (timeline_ != nullptr) timeline_->Instant(NodeTrack(node), world_->now(), "wipe", "crash");
  }
  Record(realized);
}

void FaultInjector::InjectOther(const FaultEvent& event) {
  if (event.has_heal()) {
    HealNetwork();
    for (auto it = open_spans_.begin(); it != open_spans_.end();) {
      const bool network = it->second.category == "partition" || it->second.category == "clog";
      ++it;
      if (network) CloseSpan(std::prev(it)->first);
    }
  } else if (event.has_clock_jump()) {
    const NodeId node = Tag(event.clock_jump().node(), cluster_nodes_);
    world_->JumpClock(node, Get(event.clock_jump().delta(), SimDuration::Zero()));
    if (timeline_ != nullptr) {
      timeline_->Instant(NodeTrack(node), world_->now(),
                         absl::StrCat("clock jump ", event.clock_jump().delta()), "clock");
    }
  } else if (event.has_clock_drift()) {
    const NodeId node = Tag(event.clock_drift().node(), cluster_nodes_);
    world_->SetClockDrift(node, event.clock_drift().drift_ppm());
    const std::string key = absl::StrCat("drift ", node);
    CloseSpan(key);
    OpenSpan(key, NodeTrack(node), absl::StrCat("drift ", event.clock_drift().drift_ppm(), " ppm"),
             "clock");
    ScheduleUndo(event, [this, node, key]() {
      world_->SetClockDrift(node, base_drift_ppm_[node]);
      CloseSpan(key);
    });
  } else if (event.has_clog()) {
    const NodeId a = Tag(event.clog().a(), cluster_nodes_);
    const NodeId b = Tag(event.clog().b(), cluster_nodes_);
    // A clog holds deliveries for its length; without a duration it lasts 1 s.
    const SimDuration length = Get(event.duration(), Get(event.clog().extra_delay(),
                                                         SimDuration::Seconds(1)));
    world_->Clog(a, b, length);
    world_->Clog(b, a, length);
    if (timeline_ != nullptr) {
      timeline_->Span({Timeline::Process::kCluster, kFaultsTrack}, world_->now(),
                      world_->now() + length,
                      absl::StrCat("clog ", event.clog().a(), "<->", event.clog().b()), "clog");
    }
  } else {
    CHECK_UNREACHABLE("unvalidated fault event");
  }
  Record(event);
}

void FaultInjector::InjectDisk(const FaultEvent& event) {
  const int32_t node = Resolve(event.disk().node());
  if (node < 0) return;
  // Refused only in the World's recoverable mode (read corruption), which the runner
  // does not use; a refused fault is skipped like one without a target.
  if (!world_->SetDiskFaults(node, ToDiskFaults(event.disk())).ok()) return;
  FaultEvent realized = event;
  realized.mutable_disk()->mutable_node()->Clear();
  realized.mutable_disk()->mutable_node()->set_node(NodeTag(node));
  const uint64_t number = next_disk_event_++;
  faulty_disks_[node] = number;
  const std::string key = absl::StrCat("disk ", node);
  CloseSpan(key);  // A later event replaces the earlier one's faults.
  OpenSpan(key, NodeTrack(node), DiskLabel(event.disk()), "disk");
  ScheduleUndo(event, [this, node, number, key]() {
    auto it = faulty_disks_.find(node);
    if (it == faulty_disks_.end() || it->second != number) return;
    faulty_disks_.erase(it);
    world_->SetDiskFaults(node, sim::DiskFaults()).IgnoreError();
    CloseSpan(key);
  });
  Record(realized);
}

void FaultInjector::InjectMembership(const FaultEvent& event) {
  const std::optional<int32_t> leader = view_->leader();
  if (!leader.has_value() || !membership_change_) return;
  const int32_t node = Resolve(event.membership().node());
  // No such node up, or the leader itself, which cannot modify itself (§1.5): nothing
  // is asked.
  if (node < 0 || node == *leader) return;
  // A change the leader refuses (another one in flight) is recorded all the same: the
  // request was made, and a replay makes it again, to the same answer and trace.
  const scenarios::MembershipKind kind = event.membership().kind();
  const bool accepted = membership_change_(*leader, node, kind).ok();
  if (accepted) view_->OnMembershipChange(node);
  FaultEvent realized = event;
  realized.mutable_membership()->mutable_node()->Clear();
  realized.mutable_membership()->mutable_node()->set_node(NodeTag(node));
  if (timeline_ != nullptr) {
    std::string name = scenarios::MembershipKind_Name(kind);
    absl::AsciiStrToLower(&name);
    timeline_->Instant(NodeTrack(node), world_->now(),
                       absl::StrCat(name == "remove" ? "remove" : absl::StrCat("make ", name),
                                    accepted ? ": accepted by " : ": refused by ",
                                    NodeTag(*leader)),
                       "membership");
  }
  Record(realized);
}

void FaultInjector::InjectStepDown(const FaultEvent& event) {
  const std::optional<int32_t> leader = view_->leader();
  if (!leader.has_value() || !step_down_) return;
  // Recorded whatever the answer, as a membership request is.
  const bool accepted = step_down_(*leader).ok();
  if (timeline_ != nullptr) {
    timeline_->Instant(NodeTrack(*leader), world_->now(),
                       accepted ? "step down: handing over" : "step down: refused",
                       "membership");
  }
  Record(event);
}

void FaultInjector::HealNetwork() {
  partitions_.clear();
  world_->Heal();
  world_->UnclogAll();
}

void FaultInjector::HealAll() {
  for (sim::TimerId id : pending_undos_) world_->scheduler().Cancel(id);
  pending_undos_.clear();
  HealNetwork();
  // Disks first, so that the restarts below read a well-behaved disk. Only disks that
  // have faults are told (each change is a trace event).
  for (const auto& [node, number] : faulty_disks_) {
    world_->SetDiskFaults(node, sim::DiskFaults()).IgnoreError();
  }
  faulty_disks_.clear();
  for (NodeId n = 0; n < cluster_nodes_; ++n) {
    const sim::ProcessState state = world_->state(n);
    if (state == sim::ProcessState::kCrashed) world_->Restart(n).IgnoreError();
    if (state == sim::ProcessState::kPaused) world_->Resume(n).IgnoreError();
    world_->SetClockDrift(n, base_drift_ppm_[n]);
  }
  FinishTimeline(world_->now());
}

void FaultInjector::OpenSpan(const std::string& key, Timeline::Track track, std::string name,
                             std::string category) {
  if (timeline_ == nullptr) return;
  open_spans_[key] = OpenTimelineSpan{track, world_->now(), std::move(name), std::move(category)};
}

void FaultInjector::CloseSpan(const std::string& key) {
  auto it = open_spans_.find(key);
  if (it == open_spans_.end()) return;
  timeline_->Span(it->second.track, it->second.start, world_->now(), it->second.name,
                  it->second.category);
  open_spans_.erase(it);
}

void FaultInjector::FinishTimeline(sim::SimTime end) {
  if (timeline_ == nullptr) return;
  for (auto& [key, span] : open_spans_) {
    timeline_->Span(span.track, span.start, end, span.name, span.category);
  }
  open_spans_.clear();
}

}  // namespace ravensim::tools
