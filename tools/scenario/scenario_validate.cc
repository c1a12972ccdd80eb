#include "tools/scenario/scenario_validate.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "google/protobuf/descriptor.h"
#include "sim/time.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/ratio.h"

namespace ravensim::tools {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;
using scenarios::Scenario;
using sim::SimDuration;

constexpr int32_t kMaxErrors = 50;

// The longest duration (either sign) a scenario may give: ~42 days, more than any run
// within the event budget covers.
constexpr SimDuration kMaxScenarioDuration = SimDuration::Seconds(1000 * 3600);

// A clock's drift must be strictly within ±500,000 ppm (sim::Clock's bound). Compared
// without std::abs, which has no answer for INT64_MIN.
bool DriftInRange(int64_t ppm) { return ppm > -500'000 && ppm < 500'000; }

enum class Sign { kAny, kNonNegative, kPositive };

// A position in the message tree: the field path, the parser's location sub-tree (if
// any) and the best known line/column (the enclosing field's, when the field itself
// was not written).
struct Loc {
  const TextFormat::ParseInfoTree* tree = nullptr;
  const Descriptor* descriptor = nullptr;
  std::string path;
  int line = 0;
  int column = 0;
};

class Validator {
 public:
  Validator(const Scenario& scenario, std::string file, const TextFormat::ParseInfoTree* tree)
      : s_(scenario), file_(std::move(file)), tree_(tree) {}

  std::vector<ScenarioError> Run() {
    const Loc root{tree_, Scenario::descriptor(), "", 0, 0};
    node_count_ = s_.cluster().nodes();
    for (const scenarios::FaultEvent& e : s_.timeline()) memberships_ |= e.has_membership();
    ValidateCluster(Child(root, "cluster"));
    ValidateNetwork(Child(root, "network"));
    if (s_.databases_size() > 0) {
      Error(Child(root, "databases", 0),
            "the database layer is not modelled yet; only the cluster layer (Rachis and "
            "the replicated register) can be simulated");
    }
    ValidateWorkload(Child(root, "workload"));
    for (int i = 0; i < s_.timeline_size(); ++i) {
      ValidateFaultEvent(Child(root, "timeline", i), s_.timeline(i));
    }
    ValidateProfile(Child(root, "random_faults"));
    ValidateRun(Child(root, "run"));
    ValidateChecks(Child(root, "checks"));
    ValidateExpect(Child(root, "expect"));
    return std::move(errors_);
  }

 private:
  Loc Child(const Loc& parent, std::string_view field, int index = -1) const {
    const FieldDescriptor* fd = parent.descriptor->FindFieldByName(std::string(field));
    CHECK_MSG(fd != nullptr, "no field %s", std::string(field).c_str());
    Loc loc;
    loc.descriptor = fd->message_type();
    loc.path = parent.path.empty() ? std::string(field) : absl::StrCat(parent.path, ".", std::string(field));
    if (index >= 0) absl::StrAppend(&loc.path, "[", index, "]");
    loc.line = parent.line;
    loc.column = parent.column;
    if (parent.tree != nullptr) {
      // The parser's tree wants an index for repeated fields (-1 only for singular
      // ones); a whole repeated field is located at its first element.
      const int query = fd->is_repeated() ? std::max(index, 0) : -1;
      const auto where = parent.tree->GetLocation(fd, query);
      if (where.line >= 0) {
        loc.line = where.line + 1;
        loc.column = where.column + 1;
      }
      if (fd->message_type() != nullptr && (index >= 0 || !fd->is_repeated())) {
        loc.tree = parent.tree->GetTreeForNested(fd, query);
      }
    }
    return loc;
  }

  void Error(const Loc& at, std::string message) {
    if (static_cast<int32_t>(errors_.size()) >= kMaxErrors) return;
    errors_.push_back(ScenarioError{file_, at.line, at.column, at.path, std::move(message)});
  }

  std::optional<SimDuration> Duration(const Loc& parent, std::string_view field,
                                      const std::string& text, Sign sign,
                                      bool required = false) {
    if (text.empty()) {
      if (required) Error(Child(parent, field), "is required (e.g. \"10s\")");
      return std::nullopt;
    }
    auto d = ParseDuration(text);
    if (!d.ok()) {
      Error(Child(parent, field), std::string(d.status().message()));
      return std::nullopt;
    }
    // Bounded so that any sum the runner forms of a few of them (a time plus a fault's
    // length, a disk's queue of slow operations) stays far inside the 64-bit clock.
    if (*d > kMaxScenarioDuration || *d < -kMaxScenarioDuration) {
      Error(Child(parent, field), absl::StrCat("must be within ±1000h, got \"", text, "\""));
      return std::nullopt;
    }
    if (sign == Sign::kNonNegative && *d < SimDuration::Zero()) {
      Error(Child(parent, field), absl::StrCat("must not be negative, got \"", text, "\""));
    }
    if (sign == Sign::kPositive && *d <= SimDuration::Zero()) {
      Error(Child(parent, field), absl::StrCat("must be positive, got \"", text, "\""));
    }
    return *d;
  }

  // Checks that `tag` names a cluster node; `required` reports an empty tag.
  bool Node(const Loc& parent, std::string_view field, const std::string& tag,
            int index = -1, bool required = true) {
    if (tag.empty()) {
      if (required) Error(Child(parent, field, index), "a node tag is required");
      return false;
    }
    if (!NodeIndex(tag, node_count_).has_value()) {
      std::string range = node_count_ > 0
                              ? absl::StrCat("A..", NodeTag(std::min(node_count_,
                                                                     kMaxClusterNodes) - 1))
                              : "none";
      Error(Child(parent, field, index),
            absl::StrCat("node \"", tag, "\" is not in the cluster (", range, ")"));
      return false;
    }
    return true;
  }

  bool IsWatcher(const std::string& tag) const {
    for (const std::string& w : s_.cluster().watchers()) {
      if (w == tag) return true;
    }
    return false;
  }

  void ValidateCluster(const Loc& at);
  void ValidateNetwork(const Loc& at);
  void ValidateWorkload(const Loc& at);
  void ValidateFaultEvent(const Loc& at, const scenarios::FaultEvent& e);
  void ValidateTrigger(const Loc& at, const scenarios::Trigger& t);
  void ValidateNodeRef(const Loc& at, const scenarios::NodeRef& ref);
  void ValidatePartition(const Loc& at, const scenarios::Partition& p);
  void ValidateDiskFault(const Loc& at, const scenarios::DiskFault& d);
  void ValidateMembership(const Loc& at, const scenarios::Membership& m);
  // Checks a probability field ("N/D", scenario.proto); counts it in *set when it is
  // above zero and in *bad when it does not parse.
  void Probability(const Loc& parent, std::string_view field, const std::string& text,
                   int* set, int* bad);
  void ValidateProfile(const Loc& at);
  void ValidateRun(const Loc& at);
  void ValidateChecks(const Loc& at);
  void ValidateLiveness(const Loc& at, const scenarios::Liveness& l);
  void ValidateExpect(const Loc& at);

  const Scenario& s_;
  std::string file_;
  const TextFormat::ParseInfoTree* tree_;
  int32_t node_count_ = 0;
  bool memberships_ = false;  // The timeline has a membership event.
  std::vector<ScenarioError> errors_;
};

void Validator::ValidateCluster(const Loc& at) {
  const scenarios::Cluster& c = s_.cluster();
  if (c.nodes() < 1 || c.nodes() > kMaxClusterNodes) {
    Error(Child(at, "nodes"), absl::StrCat("must be between 1 and ", kMaxClusterNodes,
                                           ", got ", c.nodes()));
    node_count_ = std::clamp(c.nodes(), 0, kMaxClusterNodes);
  }
  std::set<std::string> seen;
  for (int i = 0; i < c.watchers_size(); ++i) {
    if (!Node(at, "watchers", c.watchers(i), i)) continue;
    if (!seen.insert(c.watchers(i)).second) {
      Error(Child(at, "watchers", i), absl::StrCat("node \"", c.watchers(i),
                                                   "\" is listed twice"));
    }
  }
  std::set<std::string> passive;
  for (int i = 0; i < c.passive_size(); ++i) {
    if (!Node(at, "passive", c.passive(i), i)) continue;
    if (seen.count(c.passive(i)) > 0) {
      Error(Child(at, "passive", i), absl::StrCat("node \"", c.passive(i),
                                                  "\" is a watcher; a passive node is "
                                                  "outside the cluster until added"));
    } else if (!passive.insert(c.passive(i)).second) {
      Error(Child(at, "passive", i), absl::StrCat("node \"", c.passive(i),
                                                  "\" is listed twice"));
    }
  }
  if (c.nodes() > 0 && static_cast<int32_t>(seen.size() + passive.size()) >= c.nodes()) {
    Error(Child(at, seen.empty() ? "passive" : "watchers"),
          "at least one node must be a voting member");
  }
  const Loc timing = Child(at, "timing");
  Duration(timing, "election_timeout", c.timing().election_timeout(), Sign::kPositive);
  Duration(timing, "operation_timeout", c.timing().operation_timeout(), Sign::kPositive);
  for (int i = 0; i < c.clocks_size(); ++i) {
    const Loc clock = Child(at, "clocks", i);
    Node(clock, "node", c.clocks(i).node());
    Duration(clock, "offset", c.clocks(i).offset(), Sign::kAny);
    if (!DriftInRange(c.clocks(i).drift_ppm())) {
      Error(Child(clock, "drift_ppm"), "must be within (-500000, 500000)");
    }
  }
}

void Validator::ValidateNetwork(const Loc& at) {
  auto check_delays = [&](const Loc& loc, const std::string& min, const std::string& median,
                          const std::string& max) {
    auto a = Duration(loc, "one_way_delay_min", min, Sign::kNonNegative);
    auto b = Duration(loc, "one_way_delay_median", median, Sign::kNonNegative);
    auto c = Duration(loc, "one_way_delay_max", max, Sign::kNonNegative);
    if (a && b && *a > *b) Error(loc, "one_way_delay_min is above one_way_delay_median");
    if (b && c && *b > *c) Error(loc, "one_way_delay_median is above one_way_delay_max");
    if (a && c && *a > *c) Error(loc, "one_way_delay_min is above one_way_delay_max");
  };
  const scenarios::Network& n = s_.network();
  check_delays(at, n.one_way_delay_min(), n.one_way_delay_median(), n.one_way_delay_max());
  for (int i = 0; i < n.links_size(); ++i) {
    const Loc link = Child(at, "links", i);
    const auto& l = n.links(i);
    Node(link, "a", l.a());
    Node(link, "b", l.b());
    if (l.one_way_delay_min().empty() || l.one_way_delay_median().empty() ||
        l.one_way_delay_max().empty()) {
      Error(link, "a link needs one_way_delay_min, one_way_delay_median and "
                  "one_way_delay_max");
    }
    check_delays(link, l.one_way_delay_min(), l.one_way_delay_median(),
                 l.one_way_delay_max());
  }
}

void Validator::ValidateWorkload(const Loc& at) {
  const scenarios::Workload& w = s_.workload();
  if (w.clients() < 0 || w.clients() > kMaxClients) {
    Error(Child(at, "clients"), absl::StrCat("must be between 0 and ", kMaxClients));
  }
  if (w.has_documents()) {
    Error(Child(at, "documents"),
          "document workloads need the database layer, which is not modelled yet");
  }
  const Loc reg = Child(at, "register");
  const auto& r = w.register_();
  if (r.keys() < 0 || r.keys() > 1000) Error(Child(reg, "keys"), "must be between 0 and 1000");
  if (r.operations_per_client() < 0) {
    Error(Child(reg, "operations_per_client"), "must not be negative");
  }
  Duration(reg, "think_time", r.think_time(), Sign::kPositive);
  Duration(reg, "start", r.start(), Sign::kNonNegative);
  Duration(reg, "stop", r.stop(), Sign::kNonNegative);
  Duration(reg, "client_timeout", r.client_timeout(), Sign::kPositive);
  if (w.clients() > 0 && !w.has_register_()) {
    Error(Child(at, "register"), "clients need a workload: set workload.register");
  }
}

int CountSet(std::initializer_list<bool> fields) {
  int n = 0;
  for (bool f : fields) n += f ? 1 : 0;
  return n;
}

void Validator::ValidateFaultEvent(const Loc& at, const scenarios::FaultEvent& e) {
  const int when = CountSet({!e.at().empty(), e.has_on()});
  if (when != 1) Error(at, "set exactly one of 'at' (a time) and 'on' (a trigger)");
  Duration(at, "at", e.at(), Sign::kNonNegative);
  if (e.has_on()) ValidateTrigger(Child(at, "on"), e.on());
  const int kinds = CountSet({e.has_partition(), e.has_crash(), e.has_restart(),
                              e.has_pause(), e.has_resume(), e.has_wipe(),
                              e.has_clock_jump(), e.has_clock_drift(), e.has_clog(),
                              e.has_heal(), e.has_disk(), e.has_membership(),
                              e.has_step_down()});
  if (kinds != 1) {
    Error(at, absl::StrCat("set exactly one fault (partition, crash, restart, pause, resume, "
                           "wipe, clock_jump, clock_drift, clog, heal, disk, membership, "
                           "step_down); found ", kinds));
  }
  if (e.has_partition()) ValidatePartition(Child(at, "partition"), e.partition());
  if (e.has_crash()) ValidateNodeRef(Child(at, "crash"), e.crash());
  if (e.has_restart()) ValidateNodeRef(Child(at, "restart"), e.restart());
  if (e.has_pause()) ValidateNodeRef(Child(at, "pause"), e.pause());
  if (e.has_resume()) ValidateNodeRef(Child(at, "resume"), e.resume());
  if (e.has_wipe()) ValidateNodeRef(Child(at, "wipe"), e.wipe());
  if (e.has_clock_jump()) {
    const Loc j = Child(at, "clock_jump");
    Node(j, "node", e.clock_jump().node());
    Duration(j, "delta", e.clock_jump().delta(), Sign::kAny, /*required=*/true);
  }
  if (e.has_clock_drift()) {
    const Loc d = Child(at, "clock_drift");
    Node(d, "node", e.clock_drift().node());
    if (!DriftInRange(e.clock_drift().drift_ppm())) {
      Error(Child(d, "drift_ppm"), "must be within (-500000, 500000)");
    }
  }
  if (e.has_clog()) {
    const Loc c = Child(at, "clog");
    Node(c, "a", e.clog().a());
    Node(c, "b", e.clog().b());
    if (!e.clog().a().empty() && e.clog().a() == e.clog().b()) {
      Error(Child(c, "b"), "a clog needs two different nodes");
    }
    Duration(c, "extra_delay", e.clog().extra_delay(), Sign::kPositive);
  }
  if (e.has_disk()) ValidateDiskFault(Child(at, "disk"), e.disk());
  if (e.has_membership()) ValidateMembership(Child(at, "membership"), e.membership());
  Duration(at, "duration", e.duration(), Sign::kPositive);
  if (!e.duration().empty() &&
      (e.has_restart() || e.has_resume() || e.has_wipe() || e.has_heal() ||
       e.has_clock_jump() || e.has_membership() || e.has_step_down())) {
    Error(Child(at, "duration"), "this fault is instantaneous and cannot have a duration");
  }
}

void Validator::Probability(const Loc& parent, std::string_view field,
                            const std::string& text, int* set, int* bad) {
  if (text.empty()) return;
  auto ratio = ParseRatio(text);
  if (!ratio.ok()) {
    Error(Child(parent, field), std::string(ratio.status().message()));
    ++*bad;
    return;
  }
  if (!ratio->never()) ++*set;
}

void Validator::ValidateDiskFault(const Loc& at, const scenarios::DiskFault& d) {
  ValidateNodeRef(Child(at, "node"), d.node());
  int set = d.disk_full() ? 1 : 0;
  int bad = 0;
  Probability(at, "write_error", d.write_error(), &set, &bad);
  Probability(at, "fsync_error", d.fsync_error(), &set, &bad);
  Probability(at, "torn_write", d.torn_write(), &set, &bad);
  Probability(at, "slow_io", d.slow_io(), &set, &bad);
  Probability(at, "read_corruption", d.read_corruption(), &set, &bad);
  Duration(at, "slow_io_latency", d.slow_io_latency(), Sign::kPositive);
  if (!d.slow_io_latency().empty() && d.slow_io().empty()) {
    Error(Child(at, "slow_io_latency"), "needs slow_io (how often an operation is slow)");
  }
  if (set == 0 && bad == 0) {
    Error(at, "set at least one fault: write_error, fsync_error, torn_write, slow_io or "
              "read_corruption above \"0/1\", or disk_full");
  }
}

void Validator::ValidateMembership(const Loc& at, const scenarios::Membership& m) {
  const Loc node = Child(at, "node");
  ValidateNodeRef(node, m.node());
  if (m.node().leader()) {
    Error(Child(node, "leader"), "the leader makes the change and cannot modify itself "
                                 "(RAVENDB_MODEL.md §1.5); name a node or a follower");
  }
  if (m.kind() == scenarios::MEMBERSHIP_KIND_UNSPECIFIED) {
    Error(Child(at, "kind"), "is required: MEMBER, PROMOTABLE, WATCHER or REMOVE");
  } else if (!scenarios::MembershipKind_IsValid(m.kind())) {
    Error(Child(at, "kind"), absl::StrCat("unknown kind ", static_cast<int>(m.kind())));
  }
}

void Validator::ValidateTrigger(const Loc& at, const scenarios::Trigger& t) {
  if (CountSet({!t.becomes_leader().empty(), t.leader_changes(), t.after_operations() != 0}) !=
      1) {
    Error(at, "set exactly one of becomes_leader, leader_changes, after_operations");
  }
  // (A watcher may lead once a membership event has made it a member.)
  if (!t.becomes_leader().empty() && Node(at, "becomes_leader", t.becomes_leader()) &&
      IsWatcher(t.becomes_leader()) && !memberships_) {
    Error(Child(at, "becomes_leader"),
          absl::StrCat("node \"", t.becomes_leader(), "\" is a watcher and never leads"));
  }
  if (t.after_operations() < 0) Error(Child(at, "after_operations"), "must be positive");
  if (t.occurrence() < 0) Error(Child(at, "occurrence"), "must be positive");
  Duration(at, "delay", t.delay(), Sign::kNonNegative);
}

void Validator::ValidateNodeRef(const Loc& at, const scenarios::NodeRef& ref) {
  if (CountSet({!ref.node().empty(), ref.leader(), ref.follower()}) != 1) {
    Error(at, "set exactly one of node, leader, follower");
  }
  if (!ref.node().empty()) Node(at, "node", ref.node());
}

void Validator::ValidatePartition(const Loc& at, const scenarios::Partition& p) {
  const int shapes = CountSet({p.group_size() > 0, !p.isolate().empty(), p.isolate_leader(),
                               p.majority_minority(), p.majorities_ring(), p.bridge(),
                               p.has_one_way()});
  if (shapes != 1) {
    Error(at, "set exactly one shape (group, isolate, isolate_leader, majority_minority, "
              "majorities_ring, bridge, one_way)");
  }
  std::set<std::string> grouped;
  for (int g = 0; g < p.group_size(); ++g) {
    const Loc group = Child(at, "group", g);
    for (int i = 0; i < p.group(g).nodes_size(); ++i) {
      const std::string& tag = p.group(g).nodes(i);
      if (Node(group, "nodes", tag, i) && !grouped.insert(tag).second) {
        Error(Child(group, "nodes", i), absl::StrCat("node \"", tag, "\" is in two groups"));
      }
    }
  }
  if (!p.isolate().empty()) Node(at, "isolate", p.isolate());
  if (p.has_one_way()) {
    const Loc ow = Child(at, "one_way");
    Node(ow, "from", p.one_way().from());
    Node(ow, "to", p.one_way().to());
  }
  if (p.leader_in_minority() && (!p.majority_minority() || p.order_size() > 0)) {
    Error(Child(at, "leader_in_minority"), "needs majority_minority and no order");
  }
  const int32_t minimum = p.majority_minority() ? 2 : 3;
  if ((p.majority_minority() || p.majorities_ring() || p.bridge()) && node_count_ < minimum) {
    Error(at, absl::StrCat("this shape needs at least ", minimum, " nodes"));
  }
  if (p.order_size() > 0) {
    std::set<std::string> ordered;
    for (int i = 0; i < p.order_size(); ++i) {
      if (Node(at, "order", p.order(i), i) && !ordered.insert(p.order(i)).second) {
        Error(Child(at, "order", i), absl::StrCat("node \"", p.order(i), "\" is listed twice"));
      }
    }
    if (p.order_size() != node_count_) {
      Error(Child(at, "order"), absl::StrCat("must list every node once (", node_count_,
                                             " nodes), got ", p.order_size()));
    }
  }
}

void Validator::ValidateProfile(const Loc& at) {
  const scenarios::FaultProfile& f = s_.random_faults();
  Duration(at, "start", f.start(), Sign::kNonNegative);
  Duration(at, "stop", f.stop(), Sign::kNonNegative);
  Duration(at, "mean_interval", f.mean_interval(), Sign::kNonNegative);
  auto lo = Duration(at, "min_duration", f.min_duration(), Sign::kPositive);
  auto hi = Duration(at, "max_duration", f.max_duration(), Sign::kPositive);
  if (lo && hi && *lo > *hi) Error(Child(at, "max_duration"), "is below min_duration");
  Duration(at, "max_clock_jump", f.max_clock_jump(), Sign::kPositive);
  if (f.max_concurrent() < 0) Error(Child(at, "max_concurrent"), "must not be negative");
  if (f.max_drift_ppm() < 0 || f.max_drift_ppm() >= 500'000) {
    Error(Child(at, "max_drift_ppm"), "must be within [0, 500000)");
  }
}

void Validator::ValidateRun(const Loc& at) {
  Duration(at, "duration", s_.run().duration(), Sign::kPositive, /*required=*/true);
  const Loc heal = Child(at, "heal_and_quiesce");
  Duration(heal, "quiesce", s_.run().heal_and_quiesce().quiesce(), Sign::kPositive);
}

void Validator::ValidateChecks(const Loc& at) {
  if (s_.checks().linearizability_max_steps() < 0) {
    Error(Child(at, "linearizability_max_steps"), "must not be negative");
  }
  std::set<std::string> names = {"raft_invariants", "linearizability", "watchers_never_vote"};
  for (int i = 0; i < s_.checks().liveness_size(); ++i) {
    const Loc l = Child(at, "liveness", i);
    const scenarios::Liveness& liveness = s_.checks().liveness(i);
    if (liveness.name().empty()) {
      Error(Child(l, "name"), "a liveness check needs a name");
    } else if (!names.insert(liveness.name()).second) {
      Error(Child(l, "name"), absl::StrCat("the name \"", liveness.name(), "\" is taken"));
    }
    ValidateLiveness(l, liveness);
  }
}

void Validator::ValidateLiveness(const Loc& at, const scenarios::Liveness& l) {
  if (CountSet({l.has_leader_within(), l.has_leader_stability(), l.has_progress()}) != 1) {
    Error(at, "set exactly one of leader_within, leader_stability, progress");
  }
  if (l.has_leader_within()) {
    const Loc w = Child(at, "leader_within");
    Duration(w, "within", l.leader_within().within(), Sign::kPositive, /*required=*/true);
    const bool at_anchor = l.leader_within().after() == scenarios::AT;
    Duration(w, "at", l.leader_within().at(), Sign::kNonNegative, /*required=*/at_anchor);
    if (l.leader_within().after() == scenarios::HEAL &&
        !s_.run().heal_and_quiesce().enabled()) {
      Error(Child(w, "after"), "HEAL needs run.heal_and_quiesce.enabled");
    }
  }
  if (l.has_leader_stability()) {
    const Loc st = Child(at, "leader_stability");
    Duration(st, "from", l.leader_stability().from(), Sign::kNonNegative);
    Duration(st, "to", l.leader_stability().to(), Sign::kNonNegative);
    if (l.leader_stability().max_leader_changes() < l.leader_stability().min_leader_changes() ||
        l.leader_stability().min_leader_changes() < 0) {
      Error(Child(st, "max_leader_changes"),
            "need 0 <= min_leader_changes <= max_leader_changes");
    }
  }
  if (l.has_progress()) {
    const Loc p = Child(at, "progress");
    Duration(p, "from", l.progress().from(), Sign::kNonNegative);
    Duration(p, "to", l.progress().to(), Sign::kNonNegative);
    for (int i = 0; i < l.progress().via_size(); ++i) Node(p, "via", l.progress().via(i), i);
    if (l.progress().has_max_ok() && l.progress().max_ok() < l.progress().min_ok()) {
      Error(Child(p, "max_ok"), "is below min_ok");
    }
  }
}

void Validator::ValidateExpect(const Loc& at) {
  const std::vector<std::string> enabled = EnabledCheckNames(s_);
  for (int i = 0; i < s_.expect().violated_size(); ++i) {
    const std::string& name = s_.expect().violated(i);
    if (std::find(enabled.begin(), enabled.end(), name) == enabled.end()) {
      Error(Child(at, "violated", i),
            absl::StrCat("\"", name, "\" is not a check this scenario runs"));
    }
  }
}

}  // namespace

std::vector<ScenarioError> ValidateScenarioWithLocations(
    const Scenario& scenario, const std::string& file,
    const TextFormat::ParseInfoTree* tree) {
  return Validator(scenario, file, tree).Run();
}

}  // namespace ravensim::tools
