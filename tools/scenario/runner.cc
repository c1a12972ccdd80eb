#include "tools/scenario/runner.h"

#include <chrono>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checkers/history/history.h"
#include "checkers/raft/raft_invariant_checker.h"
#include "checkers/raft/raft_observation_view.h"
#include "core/base/check.h"
#include "core/rachis/rachis.pb.h"
#include "core/rachis/rachis_node.h"
#include "sim/harness/rachis_host.h"
#include "sim/harness/rachis_observations.h"
#include "sim/harness/world.h"
#include "tools/scenario/cluster_view.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/election_deadlock.h"
#include "tools/scenario/fault_injector.h"
#include "tools/scenario/fault_plan.h"
#include "tools/scenario/runner_clients.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

using scenarios::FaultEvent;
using scenarios::Scenario;
using sim::NodeId;
using sim::SimDuration;
using sim::SimTime;

constexpr uint64_t kDefaultEventBudget = 50'000'000;

SimDuration Get(const std::string& text, SimDuration fallback) {
  auto d = ParseDurationOr(text, fallback);
  CHECK_MSG(d.ok(), "unvalidated duration %s", text.c_str());
  return *d;
}

int64_t WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Role RoleOf(std::string_view role) {
  if (role == "Leader") return Role::kLeader;
  if (role == "Candidate") return Role::kCandidate;
  if (role == "Follower") return Role::kFollower;
  if (role == "Passive") return Role::kPassive;
  return Role::kOther;  // LeaderElect.
}

sim::LinkOptions LinkFor(const std::string& min, const std::string& median,
                         const std::string& max, const sim::LinkOptions& base) {
  sim::LinkOptions link = base;
  link.one_way_delay_ns_min = Get(min, SimDuration::Nanos(base.one_way_delay_ns_min)).nanos();
  link.one_way_delay_ns_mean =
      Get(median, SimDuration::Nanos(base.one_way_delay_ns_mean)).nanos();
  link.one_way_delay_ns_max = Get(max, SimDuration::Nanos(base.one_way_delay_ns_max)).nanos();
  link.one_way_delay_ns_mean = std::max(link.one_way_delay_ns_mean, link.one_way_delay_ns_min);
  link.one_way_delay_ns_max = std::max(link.one_way_delay_ns_max, link.one_way_delay_ns_mean);
  return link;
}

// One run: owns the world and everything that watches it.
class Run {
 public:
  Run(const Scenario& scenario, const RunOptions& options)
      : s_(scenario),
        options_(options),
        nodes_(scenario.cluster().nodes()),
        clients_(scenario.workload().clients()),
        watchers_(Listed(scenario.cluster().watchers(), nodes_)),
        passive_(Listed(scenario.cluster().passive(), nodes_)),
        fault_phase_end_(SimTime::Zero() + Get(scenario.run().duration(), SimDuration::Zero())),
        view_(nodes_, watchers_) {}

  RunReport Execute();

 private:
  // Which of the `nodes` cluster nodes `tags` lists.
  static std::vector<bool> Listed(const google::protobuf::RepeatedPtrField<std::string>& tags,
                                  int32_t nodes) {
    std::vector<bool> listed(nodes, false);
    for (const std::string& tag : tags) listed[*NodeIndex(tag, nodes)] = true;
    return listed;
  }
  harness::WorldOptions MakeWorldOptions(std::ostream* jsonl) const;
  rachis::ClusterTopologyProto Topology() const;
  std::unique_ptr<harness::Node> MakeNode(NodeId id);
  void OnObservation(const harness::ObservationRecord& record);
  absl::Status ChangeMembership(int32_t leader, int32_t node, scenarios::MembershipKind kind);
  absl::Status StepDown(int32_t leader);
  // "voters A B C, non-voters D", as the final leader reports its topology ("" if none).
  std::string FinalTopology() const;
  // RunReport::leaderless_nodes.
  std::string LeaderlessNodes() const;
  // RunReport::election_deadlock: each cluster node's topology and log, as it holds them.
  std::string ElectionDeadlockNow();
  void ScheduleFaults();
  void ScheduleWorkload();
  void Fire(const FaultEvent& event, SimDuration delay);
  void OnLeaderChange(const ClusterView::LeaderChange& change);
  void OnOperationCompleted();
  void Evaluate(RunReport* report);
  void DrawTimeline(RunReport* report);

  const Scenario& s_;
  const RunOptions& options_;
  const int32_t nodes_;
  const int32_t clients_;
  const std::vector<bool> watchers_;  // cluster.watchers, by node
  const std::vector<bool> passive_;   // cluster.passive, by node
  const SimTime fault_phase_end_;     // run.duration: workload and faults before it
  rachis::ClusterTopologyProto topology_;
  ClusterView view_;
  // The hosts' nodes keep RachisOptions' default LogHistory.
  checkers::raft::RaftInvariantChecker raft_{
      {.log_history_max_entries = rachis::kDefaultLogHistoryMaxEntries}};
  checkers::raft::RaftObservationView raft_scratch_;  // OnObservation's parse target.
  std::unique_ptr<ClientRecorder> recorder_;
  std::unique_ptr<harness::World> world_;
  std::unique_ptr<FaultInjector> injector_;
  Timeline timeline_;
  // Triggered faults not fired yet, with how many matching events they have seen.
  struct Armed {
    FaultEvent event;
    int32_t seen = 0;
    bool fired = false;
  };
  std::vector<Armed> armed_;
  // Each node's last reported topology (TOPOLOGY_CHANGED): voters, non-voters.
  struct ReportedTopology {
    std::vector<std::string> voters;
    std::vector<std::string> non_voters;
    // "voters A B C, non-voters D" (no non-voters part without any).
    std::string Text() const {
      std::string out = absl::StrCat("voters ", absl::StrJoin(voters, " "));
      if (!non_voters.empty()) {
        absl::StrAppend(&out, ", non-voters ", absl::StrJoin(non_voters, " "));
      }
      return out;
    }
  };
  std::vector<ReportedTopology> topologies_;
};

harness::WorldOptions Run::MakeWorldOptions(std::ostream* jsonl) const {
  harness::WorldOptions w;
  w.seed = options_.seed;
  w.node_count = nodes_ + clients_;
  w.cluster_node_count = nodes_;
  const scenarios::Network& net = s_.network();
  sim::LinkOptions base;
  base.one_way_delay_ns_min = 100'000;
  base.one_way_delay_ns_mean = 300'000;
  base.one_way_delay_ns_max = 5'000'000;
  w.network.default_link = LinkFor(net.one_way_delay_min(), net.one_way_delay_median(),
                                   net.one_way_delay_max(), base);
  w.clocks.resize(w.node_count);
  for (const scenarios::NodeClock& c : s_.cluster().clocks()) {
    sim::ClockOptions& clock = w.clocks[*NodeIndex(c.node(), nodes_)];
    clock.offset = Get(c.offset(), SimDuration::Zero());
    clock.drift_ppm = c.drift_ppm();
  }
  w.trace.jsonl = jsonl;
  w.trace.keep_event_hashes = options_.keep_event_hashes;
  w.scheduler.event_budget =
      s_.run().event_budget() == 0 ? kDefaultEventBudget : s_.run().event_budget();
  return w;
}

rachis::ClusterTopologyProto Run::Topology() const {
  rachis::ClusterTopologyProto topology;
  topology.set_topology_id(absl::StrCat("scenario-", s_.name()));
  for (int32_t i = 0; i < nodes_; ++i) {
    if (passive_[i]) continue;  // Outside the cluster until a membership event adds it.
    rachis::TopologyNode* node =
        watchers_[i] ? topology.add_watchers() : topology.add_members();
    node->set_tag(NodeTag(i));
    node->set_node_id(i);
  }
  topology.set_last_node_id(NodeTag(nodes_ - 1));
  return topology;
}

rachis::NodeKind ToNodeKind(scenarios::MembershipKind kind) {
  switch (kind) {
    case scenarios::MEMBER: return rachis::NodeKind::kMember;
    case scenarios::PROMOTABLE: return rachis::NodeKind::kPromotable;
    case scenarios::WATCHER: return rachis::NodeKind::kWatcher;
    case scenarios::REMOVE: return rachis::NodeKind::kRemove;
    default: CHECK_UNREACHABLE("unvalidated membership kind");
  }
}

// The operator's requests go to the leader's server (World::Command), whose answer
// they return.
absl::Status Run::ChangeMembership(int32_t leader, int32_t node,
                                   scenarios::MembershipKind kind) {
  // TryModifyTopology (§1.5); a new node's id is its index, as in the bootstrap topology.
  return world_->Command(
      leader, "topology",
      [&](harness::Node* host, const harness::Context& context, harness::Effects* effects) {
        return static_cast<harness::RachisHost*>(host)
            ->ModifyTopology(context, NodeTag(node), node, ToNodeKind(kind), effects)
            .status();
      });
}

absl::Status Run::StepDown(int32_t leader) {
  return world_->Command(
      leader, "step-down",
      [](harness::Node* host, const harness::Context& context, harness::Effects* effects) {
        return static_cast<harness::RachisHost*>(host)->StepDown(context, effects);
      });
}

std::string Run::FinalTopology() const {
  const std::optional<int32_t> leader = view_.leader();
  if (!leader.has_value()) return "";
  return absl::StrCat(topologies_[*leader].Text(), " (as leader ", NodeTag(*leader),
                      " has it)");
}

std::string Run::LeaderlessNodes() const {
  if (view_.leader().has_value()) return "";
  std::vector<std::string> parts;
  for (int32_t n = 0; n < nodes_; ++n) {
    std::string part = NodeTag(n);
    if (!view_.up(n)) {
      absl::StrAppend(&part, " down");
      parts.push_back(std::move(part));
      continue;
    }
    const char* role = "leader-elect";
    switch (view_.role(n)) {
      case Role::kFollower: role = "follower"; break;
      case Role::kCandidate: role = "candidate"; break;
      case Role::kLeader: role = "leader"; break;  // deposed, not yet told
      case Role::kPassive: role = "passive"; break;
      case Role::kOther: break;
    }
    absl::StrAppend(&part, " ", role, ", term ", view_.term(n));
    const ReportedTopology& t = topologies_[n];
    absl::StrAppend(&part, ", ",
                    t.voters.empty() && t.non_voters.empty() ? "no topology" : t.Text());
    parts.push_back(std::move(part));
  }
  return absl::StrJoin(parts, "; ");
}

std::string Run::ElectionDeadlockNow() {
  if (view_.leader().has_value()) return "";
  std::vector<ElectorState> states;
  for (int32_t n = 0; n < nodes_; ++n) {
    ElectorState& state = states.emplace_back();
    state.tag = NodeTag(n);
    harness::Node* node = world_->node(n);
    state.up = view_.up(n) && node != nullptr;
    if (!state.up) continue;
    const rachis::RachisNode& rachis = static_cast<harness::RachisHost*>(node)->rachis();
    const rachis::ClusterTopology& topology = rachis.topology();
    state.passive = rachis.state() == rachis::RachisState::kPassive;
    state.wiped = topology.topology_id.empty();
    state.members = topology.MemberTags();
    state.listed = topology.AllTags();
    state.last_log_term = rachis.log().LastTerm();
    state.last_log_index = rachis.log().LastIndex();
  }
  return ElectionDeadlock(states);
}

std::unique_ptr<harness::Node> Run::MakeNode(NodeId id) {
  if (id >= nodes_) return recorder_->MakeClient(id);
  harness::RachisHostOptions options;
  options.tag = NodeTag(id);
  // A passive node has no bootstrap topology: it starts Passive and waits to be added.
  if (!passive_[id]) options.bootstrap_topology = topology_;
  options.election_timeout_ns =
      Get(s_.cluster().timing().election_timeout(), SimDuration::Millis(300)).nanos();
  options.operation_timeout_ns =
      Get(s_.cluster().timing().operation_timeout(), SimDuration::Seconds(15)).nanos();
  return std::make_unique<harness::RachisHost>(std::move(options));
}

void Run::OnObservation(const harness::ObservationRecord& record) {
  // A view into the detail bytes, reused for every observation: nothing is copied.
  checkers::raft::RaftObservationView& observation = raft_scratch_;
  if (!harness::DecodeRachisObservation(record, &observation)) return;
  if (observation.incarnation == 0) observation.incarnation = record.incarnation;
  if (s_.checks().raft_invariants()) raft_.Observe(observation);
  using Kind = checkers::raft::RaftObservation;
  if (observation.kind == Kind::TOPOLOGY_CHANGED) {
    ReportedTopology& t = topologies_[record.node];
    t.voters.assign(observation.voters.begin(), observation.voters.end());
    t.non_voters.assign(observation.non_voters.begin(), observation.non_voters.end());
  } else if (observation.kind == Kind::STATE_CHANGED) {
    view_.OnRole(record.time, record.node, RoleOf(observation.role), observation.term);
  } else if (observation.kind == Kind::ELECTION_WON) {
    for (std::string_view supporter : observation.supporters) {
      const auto voter = NodeIndex(supporter, nodes_);
      if (voter.has_value() && *voter != record.node) {
        view_.OnVote(record.time, *voter, record.node, observation.term);
      }
    }
  }
}

void Run::Fire(const FaultEvent& event, SimDuration delay) {
  // Like a timed event, a triggered one due at or after the end of the fault phase is
  // dropped: the heal and quiesce that follow are free of faults and operator actions
  // (operations still completing, or a leader elected after the heal, match triggers).
  if (world_->now() + delay >= fault_phase_end_) return;
  // Faults are injected from scheduler events, never from inside a node callback.
  world_->scheduler().ScheduleAfter(
      delay, [this, event]() { injector_->Inject(event); }, "fault.inject");
}

void Run::ScheduleFaults() {
  std::vector<FaultEvent> timed;
  for (const FaultEvent& e : s_.timeline()) {
    if (e.has_on()) {
      armed_.push_back(Armed{e});
    } else {
      timed.push_back(e);
    }
  }
  for (FaultEvent& e : DrawRandomFaults(s_, options_.seed, fault_phase_end_)) {
    timed.push_back(std::move(e));
  }
  // Stable by time, so events at the same time keep their file order.
  std::stable_sort(timed.begin(), timed.end(), [](const FaultEvent& a, const FaultEvent& b) {
    return Get(a.at(), SimDuration::Zero()) < Get(b.at(), SimDuration::Zero());
  });
  for (const FaultEvent& e : timed) {
    const SimTime at = SimTime::Zero() + Get(e.at(), SimDuration::Zero());
    if (at >= fault_phase_end_) continue;
    world_->scheduler().Schedule(at, [this, e]() { injector_->Inject(e); }, "fault.inject");
  }
}

void Run::ScheduleWorkload() {
  if (clients_ == 0) return;
  const scenarios::RegisterWorkload& w = s_.workload().register_();
  auto set_active = [this](bool active) {
    for (NodeId id = nodes_; id < nodes_ + clients_; ++id) {
      if (auto* client = world_->node_as<harness::ClusterClient>(id)) client->SetActive(active);
    }
  };
  const SimTime start = SimTime::Zero() + Get(w.start(), SimDuration::Zero());
  if (start > SimTime::Zero()) {
    world_->scheduler().Schedule(start, [set_active]() { set_active(true); }, "workload.start");
  }
  const SimTime stop =
      w.stop().empty() ? fault_phase_end_ : SimTime::Zero() + Get(w.stop(), SimDuration::Zero());
  world_->scheduler().Schedule(stop, [set_active]() { set_active(false); }, "workload.stop");
}

void Run::OnLeaderChange(const ClusterView::LeaderChange& change) {
  for (Armed& a : armed_) {
    const scenarios::Trigger& t = a.event.on();
    const bool matches = t.leader_changes() ||
                         (!t.becomes_leader().empty() && t.becomes_leader() == NodeTag(change.node));
    if (a.fired || !matches) continue;
    if (++a.seen >= std::max(t.occurrence(), 1)) {
      a.fired = true;
      Fire(a.event, Get(t.delay(), SimDuration::Zero()));
    }
  }
}

void Run::OnOperationCompleted() {
  for (Armed& a : armed_) {
    const scenarios::Trigger& t = a.event.on();
    if (a.fired || t.after_operations() <= 0) continue;
    if (recorder_->completed() >= t.after_operations()) {
      a.fired = true;
      Fire(a.event, Get(t.delay(), SimDuration::Zero()));
    }
  }
}

RunReport Run::Execute() {
  const int64_t wall_start = WallNanos();
  RunReport report;
  report.scenario_name = s_.name();
  report.seed = options_.seed;
  topology_ = Topology();
  topologies_.resize(nodes_);
  recorder_ = std::make_unique<ClientRecorder>(s_, nodes_, [this]() { return world_->now(); });
  recorder_->SetCompletionListener([this]() { OnOperationCompleted(); });
  world_ = std::make_unique<harness::World>(MakeWorldOptions(options_.trace_jsonl),
                                            [this](NodeId id) { return MakeNode(id); });
  for (const scenarios::LinkDelay& l : s_.network().links()) {
    const NodeId a = *NodeIndex(l.a(), nodes_);
    const NodeId b = *NodeIndex(l.b(), nodes_);
    const sim::LinkOptions link =
        LinkFor(l.one_way_delay_min(), l.one_way_delay_median(), l.one_way_delay_max(),
                sim::LinkOptions{});
    world_->SetLinkOptions(a, b, link);
    world_->SetLinkOptions(b, a, link);
  }
  std::vector<int64_t> drifts(nodes_, 0);
  for (const scenarios::NodeClock& c : s_.cluster().clocks()) {
    drifts[*NodeIndex(c.node(), nodes_)] = c.drift_ppm();
  }
  injector_ = std::make_unique<FaultInjector>(
      world_.get(), &view_, options_.build_timeline ? &timeline_ : nullptr, options_.seed,
      drifts);
  injector_->SetMembershipChange(
      [this](int32_t leader, int32_t node, scenarios::MembershipKind kind) {
        return ChangeMembership(leader, node, kind);
      });
  injector_->SetStepDown([this](int32_t leader) { return StepDown(leader); });
  view_.SetLeaderListener([this](const ClusterView::LeaderChange& c) { OnLeaderChange(c); });
  world_->SetObserver([this](const harness::ObservationRecord& r) { OnObservation(r); });

  const SimTime until = options_.until.value_or(SimTime::Max());
  ScheduleFaults();
  ScheduleWorkload();
  world_->Start();
  absl::Status status = world_->RunUntil(std::min(fault_phase_end_, until));
  if (status.ok() && s_.run().heal_and_quiesce().enabled() && until > fault_phase_end_) {
    injector_->HealAll();
    report.heal_time = world_->now();
    const SimTime quiesce_end =
        world_->now() + Get(s_.run().heal_and_quiesce().quiesce(), SimDuration::Seconds(10));
    status = world_->RunUntil(std::min(quiesce_end, until));
  }
  report.status = status;
  report.end_time = world_->now();
  report.events = world_->scheduler().events_run();
  report.fingerprint = world_->fingerprint();
  report.event_hashes = world_->trace().event_hashes();
  report.faults_injected = injector_->injected_count();
  report.realized_faults = injector_->realized();
  report.leader_changes = static_cast<int64_t>(view_.leader_changes().size());
  report.topology = FinalTopology();
  report.leaderless_nodes = LeaderlessNodes();
  report.election_deadlock = ElectionDeadlockNow();
  report.history = std::move(*recorder_).Finish(
      absl::StrCat("scenario ", s_.name(), " seed ", options_.seed));
  for (const history::Operation& op : report.history.operations()) {
    if (op.outcome() == history::OK) ++report.operations_ok;
    if (op.outcome() == history::FAIL) ++report.operations_fail;
    if (op.outcome() == history::UNKNOWN) ++report.operations_unknown;
  }
  if (status.ok()) Evaluate(&report);
  if (options_.build_timeline) DrawTimeline(&report);
  report.wall_time_ns = WallNanos() - wall_start;
  return report;
}

void Run::Evaluate(RunReport* report) {
  if (s_.checks().raft_invariants()) {
    const auto result = raft_.Result();
    CheckReport check{"raft_invariants"};
    check.verdict = result.ok ? Verdict::kHeld : Verdict::kViolated;
    check.detail = result.ok ? absl::StrCat(result.observations, " observations, no violation")
                             : result.violation->ToString();
    report->checks.push_back(std::move(check));
  }
  if (s_.checks().linearizability()) {
    report->checks.push_back(EvaluateLinearizability(
        report->history, s_.checks().linearizability_max_steps(), options_.checker_threads));
  }
  if (s_.checks().watchers_never_vote()) report->checks.push_back(EvaluateWatchers(view_));
  RunFacts facts;
  facts.view = &view_;
  facts.history = &report->history;
  facts.fault_phase_end = fault_phase_end_;
  facts.heal_time = report->heal_time;
  facts.last_fault_time = injector_->last_fault_time();
  facts.end = report->end_time;
  for (const scenarios::Liveness& l : s_.checks().liveness()) {
    report->checks.push_back(EvaluateLiveness(l, facts));
  }
  ApplyExpectation(s_.expect(), &report->checks);
}

std::string DescribeOp(const history::Operation& op) {
  switch (op.kind()) {
    case history::REGISTER_READ:
      return absl::StrCat("read ", op.key());
    case history::REGISTER_WRITE:
      return absl::StrCat("write ", op.key(), "=", history::ValueToString(op.value()));
    case history::REGISTER_CAS:
      return absl::StrCat("cas ", op.key(), " ", history::ValueToString(op.expected()), "->",
                          history::ValueToString(op.value()));
    default:
      return history::OpKindName(op.kind());
  }
}

void Run::DrawTimeline(RunReport* report) {
  for (int32_t i = 0; i < nodes_; ++i) {
    timeline_.NameTrack({Timeline::Process::kCluster, i},
                        absl::StrCat("node ", NodeTag(i), watchers_[i]  ? " (watcher)"
                                                          : passive_[i] ? " (passive)"
                                                                        : ""));
  }
  for (const auto& span : view_.LeadershipSpans(report->end_time)) {
    timeline_.Span({Timeline::Process::kCluster, span.node}, span.start, span.end,
                   absl::StrCat("leader, term ", span.term), "leadership",
                   {{"term", absl::StrCat(span.term)}});
  }
  injector_->FinishTimeline(report->end_time);
  if (report->heal_time.has_value()) {
    timeline_.Instant({Timeline::Process::kCluster, 1000}, *report->heal_time, "heal all",
                      "heal");
  }
  for (int32_t c = 0; c < clients_; ++c) {
    timeline_.NameTrack({Timeline::Process::kClients, c}, absl::StrCat("client ", c));
  }
  for (const history::Operation& op : report->history.operations()) {
    const SimTime start = SimTime::FromNanos(op.invoke_time_ns());
    const SimTime end = op.has_return_time_ns() ? SimTime::FromNanos(op.return_time_ns())
                                                : report->end_time;
    std::string outcome = op.outcome() == history::OK     ? "ok"
                          : op.outcome() == history::FAIL ? "fail"
                                                          : "unknown";
    Timeline::Args args = {{"outcome", outcome}, {"node", op.node()},
                           {"op", history::DescribeOperation(op)}};
    timeline_.Span({Timeline::Process::kClients, static_cast<int32_t>(op.client_id())}, start,
                   std::max(start, end), absl::StrCat(DescribeOp(op), " ", outcome), "client",
                   std::move(args));
  }
  report->timeline = std::move(timeline_);
}

}  // namespace

bool RunReport::passed() const {
  if (!status.ok()) return false;
  for (const CheckReport& c : checks) {
    if (!c.as_expected()) return false;
  }
  return true;
}

std::string RunReport::Signature() const {
  if (!status.ok()) return absl::StrCat("error:", absl::StatusCodeToString(status.code()));
  std::vector<std::string> parts;
  for (const CheckReport& c : checks) {
    if (!c.as_expected()) parts.push_back(absl::StrCat(c.name, ":", VerdictName(c.verdict)));
  }
  return absl::StrJoin(parts, "+");
}

RunReport RunScenario(const Scenario& scenario, const RunOptions& options) {
  Run run(scenario, options);
  return run.Execute();
}

Scenario RealizedScenario(const Scenario& scenario, const RunReport& report) {
  Scenario realized = scenario;
  realized.clear_timeline();
  realized.clear_random_faults();
  for (const FaultEvent& e : report.realized_faults) *realized.add_timeline() = e;
  realized.clear_seeds();
  realized.add_seeds(report.seed);
  return realized;
}

SeedResult ToSeedResult(const RunReport& report, const std::string& reproduce) {
  SeedResult result;
  result.set_seed(report.seed);
  result.set_passed(report.passed());
  result.set_signature(report.Signature());
  for (const CheckReport& c : report.checks) {
    CheckOutcome* outcome = result.add_checks();
    outcome->set_name(c.name);
    outcome->set_verdict(VerdictName(c.verdict));
    outcome->set_detail(c.detail);
    outcome->set_as_expected(c.as_expected());
  }
  result.set_fingerprint(sim::FormatFingerprint(report.fingerprint));
  result.set_sim_time_ns(report.end_time.nanos());
  result.set_wall_time_ns(report.wall_time_ns);
  result.set_events(report.events);
  result.set_reproduce(reproduce);
  if (!report.status.ok()) result.set_error(std::string(report.status.message()));
  return result;
}

}  // namespace ravensim::tools
