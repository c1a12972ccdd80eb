#include "checkers/convergence/durability.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checkers/convergence/change_vector.h"
#include "checkers/convergence/convergence.h"

namespace ravensim::checkers {

using history::Operation;
using observation::DatabaseObservation;
using observation::DocumentVersion;
using observation::NodeState;

namespace {

struct AckedWrite {
  const Operation* op;
  const history::DocumentWrite* write;
  ChangeVector cv;
  const DatabaseObservation* db;
};

absl::StatusOr<std::vector<AckedWrite>> CollectWrites(const history::History& h,
                                                      const observation::Observations& obs) {
  std::vector<AckedWrite> out;
  for (int i = 0; i < h.operations_size(); ++i) {
    const Operation& op = h.operations(i);
    if (op.outcome() != history::OK || !op.has_document()) continue;
    const std::string where = absl::StrCat("operation ", i, " (id ", op.id(), ")");
    const DatabaseObservation* db = nullptr;
    for (const DatabaseObservation& d : obs.databases()) {
      if (d.database() == op.document().database()) db = &d;
    }
    if (db == nullptr && obs.databases_size() == 1 && op.document().database().empty()) {
      db = &obs.databases(0);
    }
    for (const history::DocumentWrite& w : op.document().writes()) {
      if (w.change_vector().empty()) continue;  // no reply detail: cannot be judged
      if (db == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": field 'document.database': no "
                                                       "observation of database '",
                                                       op.document().database(), "'"));
      }
      absl::StatusOr<ChangeVector> cv = ChangeVector::Parse(w.change_vector());
      if (!cv.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": field 'document.writes.change_vector': ", cv.status().message()));
      }
      out.push_back({&op, &w, *std::move(cv), db});
    }
  }
  return out;
}

const DocumentVersion* Current(const NodeState& n, const std::string& id) {
  for (const DocumentVersion& d : n.documents()) {
    if (d.id() == id) return &d;
  }
  return nullptr;
}

bool InConflictsTable(const NodeState& n, const std::string& id, const ChangeVector& cv) {
  for (const observation::Conflict& c : n.conflicts()) {
    if (c.id() != id) continue;
    for (const DocumentVersion& v : c.versions()) {
      absl::StatusOr<ChangeVector> vcv = ChangeVector::Parse(v.change_vector());
      if (vcv.ok() && vcv->Contains(cv)) return true;
    }
  }
  return false;
}

struct Verdict {
  enum Kind { kFine, kLost, kMissing } kind = kFine;
  const DocumentVersion* mine = nullptr;    // the write's conflicted revision
  const DocumentVersion* winner = nullptr;  // what resolution kept
};

// Judges one write on one node.
Verdict Judge(const AckedWrite& w, const NodeState& n) {
  const std::string& id = w.write->key();
  const DocumentVersion* cur = Current(n, id);
  absl::StatusOr<ChangeVector> cur_cv =
      cur ? ChangeVector::Parse(cur->change_vector()) : absl::StatusOr<ChangeVector>(ChangeVector());
  std::vector<const DocumentVersion*> candidates;
  const DocumentVersion* mine = nullptr;
  for (const DocumentVersion& r : n.conflicted_revisions()) {
    if (r.id() != id) continue;
    absl::StatusOr<ChangeVector> cv = ChangeVector::Parse(r.change_vector());
    if (!cv.ok()) continue;
    if (cv->Compare(w.cv) == CvOrder::kEqual) mine = &r;
    if (cur == nullptr || (cur_cv.ok() && cur_cv->Contains(*cv))) candidates.push_back(&r);
  }
  if (mine != nullptr && !candidates.empty()) {
    const DocumentVersion& winner = ResolveToLatestWinner(candidates);
    absl::StatusOr<ChangeVector> wcv = ChangeVector::Parse(winner.change_vector());
    if (wcv.ok() && !wcv->Contains(w.cv)) return Verdict{Verdict::kLost, mine, &winner};
  }
  if (cur != nullptr && cur_cv.ok() && cur_cv->Contains(w.cv)) return Verdict{};
  if (InConflictsTable(n, id, w.cv)) return Verdict{};
  return Verdict{Verdict::kMissing};
}


Finding LostUpdate(const AckedWrite& w, const Verdict& v, const std::vector<std::string>& nodes,
                   const std::map<std::string, const Operation*>& writer) {
  Finding f{"lost-update", w.db->database(), w.write->key(), nodes, {w.op->id()}, ""};
  absl::StatusOr<ChangeVector> wcv = ChangeVector::Parse(v.winner->change_vector());
  const std::string winner_key = wcv.ok() ? wcv->ToString() : v.winner->change_vector();
  auto it = writer.find(winner_key);
  const Operation* winner_op = it == writer.end() ? nullptr : it->second;
  if (winner_op != nullptr) f.operations.push_back(winner_op->id());
  std::sort(f.operations.begin(), f.operations.end());
  std::map<std::string, int64_t> offset;
  for (const NodeState& n : w.db->nodes()) offset[n.node()] = n.clock_offset_ns();
  const bool true_order_reversed =
      winner_op != nullptr && winner_op->invoke_time_ns() < w.op->invoke_time_ns();
  const bool offsets = offset[w.op->node()] != 0 ||
                       (winner_op != nullptr && offset[winner_op->node()] != 0);
  f.message = absl::StrCat(
      "acknowledged write #", w.op->id(), " [", w.cv.ToString(), "] was dropped by conflict "
      "resolution in favour of ", winner_op ? absl::StrCat("#", winner_op->id()) : "a write not in the history",
      " [", winner_key, "]; rule: ResolveToLatest keeps the larger LastModified (",
      v.winner->last_modified_ns(), " > ", v.mine->last_modified_ns(), ", wall clocks); ",
      true_order_reversed || offsets
          ? absl::StrCat("clocks were skewed (", true_order_reversed
                                                     ? "the winner was written earlier in true time; "
                                                     : "",
                         "offsets: ", w.op->node(), "=", offset[w.op->node()], "ns",
                         winner_op ? absl::StrCat(", ", winner_op->node(), "=", offset[winner_op->node()], "ns") : "",
                         ")")
          : "clocks were not skewed");
  return f;
}

// Whether the write was allowed to disappear: enough of the nodes holding it lost data.
bool Excused(const AckedWrite& w, int64_t required_replicas) {
  std::set<std::string> replicas(w.op->document().replicated_to().begin(),
                                 w.op->document().replicated_to().end());
  replicas.insert(w.op->node());
  int64_t lost = 0;
  for (const NodeState& n : w.db->nodes()) lost += replicas.contains(n.node()) && n.lost_data();
  return lost >= required_replicas + 1;
}

int64_t RequiredReplicas(const AckedWrite& w) {
  const history::DocumentDetails& d = w.op->document();
  if (d.write_assurance_majority()) {
    int64_t members = 0;
    for (const NodeState& n : w.db->nodes()) members += n.role() == observation::MEMBER;
    return members / 2;
  }
  return d.write_assurance_replicas();
}

}  // namespace

absl::StatusOr<std::vector<Finding>> CheckDurability(const history::History& history,
                                                     const observation::Observations& obs) {
  absl::StatusOr<std::vector<AckedWrite>> writes = CollectWrites(history, obs);
  if (!writes.ok()) return writes.status();
  std::map<std::string, const Operation*> writer;  // canonical cv -> acknowledged write
  for (const AckedWrite& w : *writes) writer.emplace(w.cv.ToString(), w.op);
  std::vector<Finding> out;
  for (const AckedWrite& w : *writes) {
    const int64_t required = RequiredReplicas(w);
    const int replied = w.op->document().replicated_to_size();
    if (required > 0 && replied < required + 1) {
      out.push_back({"write-assurance", w.db->database(), w.write->key(), {w.op->node()}, {w.op->id()},
                     absl::StrCat("acknowledged with write assurance to ", required,
                                  " replicas but the reply names ", replied, " nodes")});
    }
    std::vector<std::string> lost_on, missing_on;
    Verdict lost;
    for (const NodeState& n : w.db->nodes()) {
      if (!MustConverge(n)) continue;
      const Verdict v = Judge(w, n);
      if (v.kind == Verdict::kLost) {
        lost_on.push_back(n.node());
        lost = v;
      } else if (v.kind == Verdict::kMissing) {
        missing_on.push_back(n.node());
      }
    }
    std::sort(lost_on.begin(), lost_on.end());
    std::sort(missing_on.begin(), missing_on.end());
    if (!lost_on.empty()) out.push_back(LostUpdate(w, lost, lost_on, writer));
    if (!missing_on.empty() && !Excused(w, required)) {
      out.push_back({required > 0 ? "write-assurance" : "missing-write", w.db->database(),
                     w.write->key(), missing_on, {w.op->id()},
                     absl::StrCat("acknowledged write #", w.op->id(), " [", w.cv.ToString(),
                                  "] is neither present nor superseded",
                                  required > 0 ? absl::StrCat(" although fewer than ", required + 1,
                                                              " of its replicas lost data")
                                               : "")});
    }
  }
  return out;
}

}  // namespace ravensim::checkers
