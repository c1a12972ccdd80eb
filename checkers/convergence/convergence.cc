#include "checkers/convergence/convergence.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checkers/convergence/change_vector.h"
#include "core/base/check.h"

namespace ravensim::checkers {

using observation::DatabaseObservation;
using observation::DocumentVersion;
using observation::NodeState;

std::string FormatFinding(const Finding& f) {
  std::vector<std::string> ops;
  for (int64_t id : f.operations) ops.push_back(absl::StrCat("#", id));
  return absl::StrCat("[", f.check, "] ", f.database, "/", f.document, " (nodes ",
                      absl::StrJoin(f.nodes, ","), ops.empty() ? "" : "; ops ",
                      absl::StrJoin(ops, ","), "): ", f.message);
}

bool MustConverge(const NodeState& node) {
  return node.role() == observation::MEMBER || node.caught_up();
}

const DocumentVersion& ResolveToLatestWinner(const std::vector<const DocumentVersion*>& versions) {
  CHECK(!versions.empty());
  const DocumentVersion* best = nullptr;
  for (const DocumentVersion* v : versions) {
    if (best == nullptr || v->last_modified_ns() > best->last_modified_ns() ||
        (v->last_modified_ns() == best->last_modified_ns() &&
         v->change_vector() > best->change_vector())) {
      best = v;
    }
  }
  return *best;
}

namespace {

absl::StatusOr<std::string> CanonicalCv(const std::string& text, const std::string& where) {
  absl::StatusOr<ChangeVector> cv = ChangeVector::Parse(text);
  if (!cv.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", cv.status().message()));
  return cv->ToString();
}

// What one node holds for each document id, as comparable text.
absl::StatusOr<std::map<std::string, std::string>> Holdings(const DatabaseObservation& db,
                                                           const NodeState& n) {
  std::map<std::string, std::string> out;
  for (const DocumentVersion& d : n.documents()) {
    const std::string where = absl::StrCat(db.database(), " node ", n.node(), " document ", d.id());
    absl::StatusOr<std::string> cv = CanonicalCv(d.change_vector(), where);
    if (!cv.ok()) return cv.status();
    out[d.id()] = d.is_tombstone() ? absl::StrCat("tombstone cv=[", *cv, "]")
                                   : absl::StrCat("data=", d.data(), " cv=[", *cv, "]");
  }
  for (const observation::Conflict& c : n.conflicts()) {
    std::vector<std::string> versions;
    for (const DocumentVersion& v : c.versions()) {
      const std::string where = absl::StrCat(db.database(), " node ", n.node(), " conflict ", c.id());
      absl::StatusOr<std::string> cv = CanonicalCv(v.change_vector(), where);
      if (!cv.ok()) return cv.status();
      versions.push_back(absl::StrCat(v.is_tombstone() ? "tombstone" : v.data(), "@[", *cv, "]"));
    }
    std::sort(versions.begin(), versions.end());
    absl::StrAppend(&out[c.id()], " conflicted{", absl::StrJoin(versions, " | "), "}");
  }
  return out;
}

void CheckDivergence(const DatabaseObservation& db,
                     const std::map<std::string, std::map<std::string, std::string>>& by_node,
                     std::vector<Finding>* out) {
  std::set<std::string> ids;
  for (const auto& [node, docs] : by_node) {
    for (const auto& [id, text] : docs) ids.insert(id);
  }
  for (const std::string& id : ids) {
    std::map<std::string, std::vector<std::string>> groups;  // holding -> nodes
    for (const auto& [node, docs] : by_node) {
      auto it = docs.find(id);
      groups[it == docs.end() ? std::string("absent") : it->second].push_back(node);
    }
    if (groups.size() <= 1) continue;
    Finding f{"divergence", db.database(), id, {}, {}, ""};
    std::vector<std::string> parts;
    for (const auto& [holding, nodes] : groups) {
      parts.push_back(absl::StrCat(absl::StrJoin(nodes, ","), " hold ", holding));
      f.nodes.insert(f.nodes.end(), nodes.begin(), nodes.end());
    }
    std::sort(f.nodes.begin(), f.nodes.end());
    f.message = absl::StrJoin(parts, "; ");
    out->push_back(std::move(f));
  }
}

absl::Status CheckPolicy(const DatabaseObservation& db, const NodeState& n,
                         std::vector<Finding>* out) {
  using observation::ConflictPolicy;
  if (db.policy() == observation::RESOLVE_TO_LATEST) {
    for (const observation::Conflict& c : n.conflicts()) {
      out->push_back({"conflict-policy", db.database(), c.id(), {n.node()}, {},
                      "left in the conflicts table although ResolveToLatest is configured"});
    }
  }
  for (const DocumentVersion& d : n.documents()) {
    if (!d.resolved()) continue;
    if (db.policy() == observation::NO_RESOLVER) {
      out->push_back({"conflict-policy", db.database(), d.id(), {n.node()}, {},
                      "resolved although no resolver is configured"});
      continue;
    }
    if (db.policy() != observation::RESOLVE_TO_LATEST) continue;
    absl::StatusOr<ChangeVector> resolved = ChangeVector::Parse(d.change_vector());
    if (!resolved.ok()) return resolved.status();
    std::vector<const DocumentVersion*> candidates;
    for (const DocumentVersion& r : n.conflicted_revisions()) {
      absl::StatusOr<ChangeVector> cv = ChangeVector::Parse(r.change_vector());
      if (!cv.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(db.database(), " node ", n.node(),
                                                       " revision of ", r.id(), ": ",
                                                       cv.status().message()));
      }
      if (r.id() == d.id() && resolved->Contains(*cv)) candidates.push_back(&r);
    }
    if (candidates.empty()) continue;  // resolved earlier than the revisions kept
    const DocumentVersion& winner = ResolveToLatestWinner(candidates);
    if (winner.is_tombstone() != d.is_tombstone() || winner.data() != d.data()) {
      out->push_back({"conflict-policy", db.database(), d.id(), {n.node()}, {},
                      absl::StrCat("ResolveToLatest should keep the version with LastModified ",
                                   winner.last_modified_ns(), " (", winner.data(),
                                   ") but the node holds ", d.data())});
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Finding>> CheckConvergence(const observation::Observations& obs) {
  std::vector<Finding> out;
  for (const DatabaseObservation& db : obs.databases()) {
    std::map<std::string, std::map<std::string, std::string>> by_node;
    for (const NodeState& n : db.nodes()) {
      if (!MustConverge(n)) continue;
      absl::StatusOr<std::map<std::string, std::string>> h = Holdings(db, n);
      if (!h.ok()) return h.status();
      by_node[n.node()] = std::move(*h);
      if (absl::Status s = CheckPolicy(db, n, &out); !s.ok()) return s;
    }
    CheckDivergence(db, by_node, &out);
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.database, a.document, a.check) < std::tie(b.database, b.document, b.check);
  });
  return out;
}

}  // namespace ravensim::checkers
