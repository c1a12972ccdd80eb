// RaftInvariantChecker: checks Raft safety over per-node observations as they happen
// (RAVENDB_MODEL.md §7; the invariants of the Raft paper, §5.2-5.4, in the spirit of
// LogCabin's RaftConsensusInvariants):
//   * election safety     — at most one node wins (LeaderElect/Leader) in a term;
//   * log matching        — two logs holding an entry with the same index and term hold
//                           the same command there and the same term before it;
//   * leader completeness — a new leader of term T holds every entry committed in a term
//                           below T (unless compacted into its snapshot);
//   * state-machine safety— no two nodes commit or apply different entries at an index;
//                           no node truncates an entry it reported committed;
//   * commit monotone     — a node's commit index never decreases within an incarnation;
//   * voting quorum       — commits and election wins are decided by a majority of the
//                           voters in force, never counting a watcher or promotable.
// Feed observations in time order with Observe(); the first violation is kept and later
// observations are ignored. Memory is proportional to the log sizes observed.
// Thread-compatible.
#ifndef RAVENSIM_CHECKERS_RAFT_RAFT_INVARIANT_CHECKER_H_
#define RAVENSIM_CHECKERS_RAFT_RAFT_INVARIANT_CHECKER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checkers/raft/raft_observation.pb.h"

namespace ravensim::checkers::raft {

struct RaftViolation {
  std::string invariant;  // "election safety", "log matching", ...
  int32_t node = -1;
  std::string tag;
  uint64_t term = 0;
  uint64_t index = 0;
  int64_t time_ns = 0;
  std::string explanation;
  std::string ToString() const;
};

struct RaftCheckResult {
  bool ok = true;
  std::optional<RaftViolation> violation;  // set iff !ok
  int64_t observations = 0;
};

class RaftInvariantChecker {
 public:
  RaftInvariantChecker() = default;

  // Checks one observation. Returns false once a violation has been found.
  bool Observe(const RaftObservation& observation);
  RaftCheckResult Result() const;

  // Introspection for tests and liveness checks.
  uint64_t CommittedIndex() const;  // highest index reported committed by any node
  std::optional<uint64_t> CommittedHash(uint64_t index) const;
  int32_t LeaderOfTerm(uint64_t term) const;  // -1 if none

 private:
  struct LogEntryView {
    uint64_t term = 0;
    uint64_t hash = 0;
  };
  struct NodeView {
    std::string tag;
    uint64_t incarnation = 0;
    uint64_t base_index = 0;
    uint64_t base_term = 0;
    std::map<uint64_t, LogEntryView> log;  // index > base_index
    uint64_t commit_index = 0;
    std::set<std::string> voters;
    std::set<std::string> non_voters;
  };
  struct Committed {
    uint64_t term = 0;
    uint64_t hash = 0;
    uint64_t commit_term = 0;  // lowest node term at which it was reported committed
  };
  struct EntryIdentity {
    uint64_t hash = 0;
    uint64_t prev_term = 0;
  };

  void Fail(const RaftObservation& o, const std::string& invariant,
            const std::string& explanation, uint64_t index);
  void OnLeadership(const RaftObservation& o, NodeView& node);
  void OnAppended(const RaftObservation& o, NodeView& node);
  void OnCommit(const RaftObservation& o, NodeView& node);
  void CheckQuorum(const RaftObservation& o, const NodeView& node, const char* what);
  void ResetLog(NodeView& node, uint64_t index, uint64_t term);

  std::map<int32_t, NodeView> nodes_;
  std::map<uint64_t, int32_t> leader_of_term_;
  std::map<std::pair<uint64_t, uint64_t>, EntryIdentity> entries_;  // (index, term)
  std::map<uint64_t, Committed> committed_;
  std::map<uint64_t, uint64_t> applied_;  // index -> hash
  std::optional<RaftViolation> violation_;
  int64_t observations_ = 0;
};

}  // namespace ravensim::checkers::raft

#endif  // RAVENSIM_CHECKERS_RAFT_RAFT_INVARIANT_CHECKER_H_
