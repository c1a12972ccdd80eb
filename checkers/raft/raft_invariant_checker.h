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
//                           voters in force, never counting a watcher or promotable;
//   * exactly once        — RavenDB's LogHistory (RAVENDB_MODEL.md §1.4): a client
//                           request in the log twice is executed again only once more
//                           than Cluster.LogHistoryMaxEntries requests were executed
//                           since (it is skipped, on every node alike, otherwise).
// Feed observations in time order with Observe(); the first violation is kept and later
// observations are ignored. Observe() takes a RaftObservationView (raft_observation_view.h,
// what a runner parses each observation into without allocating) or a RaftObservation
// (read through a view); both check the same. Memory is proportional to the log sizes
// observed. Thread-compatible.
#ifndef RAVENSIM_CHECKERS_RAFT_RAFT_INVARIANT_CHECKER_H_
#define RAVENSIM_CHECKERS_RAFT_RAFT_INVARIANT_CHECKER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "checkers/raft/raft_observation.pb.h"
#include "checkers/raft/raft_observation_view.h"

namespace ravensim::checkers::raft {

namespace internal {

// Values keyed by strictly increasing log index, kept in one vector: finding an index in
// a run without gaps is one subtraction, appending at the end and dropping a prefix are
// amortized O(1), and nothing is allocated per entry (the checker's logs and commit
// records are such runs). Inserting below the last index shifts the later slots.
template <typename T>
class IndexedRun {
 public:
  struct Slot {
    uint64_t index;
    T value;
  };

  bool empty() const { return head_ == slots_.size(); }
  size_t size() const { return slots_.size() - head_; }
  Slot* begin() { return slots_.data() + head_; }
  Slot* end() { return slots_.data() + slots_.size(); }
  const Slot* begin() const { return slots_.data() + head_; }
  const Slot* end() const { return slots_.data() + slots_.size(); }
  const Slot& back() const { return slots_.back(); }

  // The first slot whose index is >= `index` (end() if none).
  Slot* LowerBound(uint64_t index) {
    Slot* const first = begin();
    Slot* const last = end();
    if (first == last || index <= first->index) return first;
    if (index > last[-1].index) return last;
    const uint64_t offset = index - first->index;
    if (offset < size() && first[offset].index == index) return first + offset;
    return std::lower_bound(first, last, index,
                            [](const Slot& s, uint64_t i) { return s.index < i; });
  }
  const Slot* LowerBound(uint64_t index) const {
    return const_cast<IndexedRun*>(this)->LowerBound(index);
  }
  // The first slot whose index is > `index`.
  Slot* UpperBound(uint64_t index) {
    return index == UINT64_MAX ? end() : LowerBound(index + 1);
  }
  Slot* Find(uint64_t index) {
    Slot* const slot = LowerBound(index);
    return slot != end() && slot->index == index ? slot : nullptr;
  }
  const Slot* Find(uint64_t index) const {
    return const_cast<IndexedRun*>(this)->Find(index);
  }

  // Like std::map::emplace: the slot at `index`, and whether it was inserted. The usual
  // cases, an index past the last or one held in a run without gaps, inline; the others
  // out of line.
  [[gnu::always_inline]] std::pair<Slot*, bool> Emplace(uint64_t index, const T& value) {
    if (empty() || index > back().index) {
      slots_.push_back(Slot{index, value});
      return {&slots_.back(), true};
    }
    Slot* const first = begin();
    const uint64_t offset = index - first->index;
    if (index >= first->index && offset < size() && first[offset].index == index) {
      return {first + offset, false};
    }
    return EmplaceBelowLast(index, value);
  }
  [[gnu::noinline]] std::pair<Slot*, bool> EmplaceBelowLast(uint64_t index, const T& value) {
    Slot* const slot = LowerBound(index);
    if (slot->index == index) return {slot, false};
    const auto at = slots_.insert(slots_.begin() + (slot - slots_.data()), Slot{index, value});
    return {&*at, true};
  }
  // Appends at an index above every held one.
  void Append(uint64_t index, const T& value) { slots_.push_back(Slot{index, value}); }
  // Drops [first, end()).
  void EraseFrom(const Slot* first) {
    slots_.resize(static_cast<size_t>(first - slots_.data()));
    if (empty()) clear();
  }
  // Drops [begin(), last].
  void EraseThrough(const Slot* last) {
    head_ = static_cast<size_t>(last - slots_.data()) + 1;
    if (empty()) {
      clear();
    } else if (head_ >= 64 && head_ * 2 >= slots_.size()) {
      slots_.erase(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    slots_.clear();
    head_ = 0;
  }

 private:
  std::vector<Slot> slots_;
  size_t head_ = 0;  // slots_[0, head_) are dropped
};

}  // namespace internal

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

struct RaftCheckerOptions {
  // The nodes' Cluster.LogHistoryMaxEntries (RAVENDB_MODEL.md §1.2): how many executed
  // request ids a node remembers.
  int64_t log_history_max_entries = 4096;
};

class RaftInvariantChecker {
 public:
  RaftInvariantChecker() = default;
  explicit RaftInvariantChecker(const RaftCheckerOptions& options) : options_(options) {}

  // Checks one observation. Returns false once a violation has been found.
  bool Observe(const RaftObservationView& observation);
  bool Observe(const RaftObservation& observation);  // through a view of it
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
    uint64_t incarnation = 0;
    uint64_t base_index = 0;
    uint64_t base_term = 0;
    internal::IndexedRun<LogEntryView> log;
    uint64_t commit_index = 0;
    // As reported by TOPOLOGY_CHANGED: sorted, without duplicates (a few tags, searched
    // linearly).
    std::vector<std::string> voters;
    std::vector<std::string> non_voters;
    // The one-byte tags of voters and non_voters as sets of bytes (bit b of word b / 64):
    // a one-byte supporter (the usual tag, "A") is checked with two bit tests; a longer
    // one, which only a longer tag can equal, is searched for in the lists.
    uint64_t one_byte_voters[4] = {};
    uint64_t one_byte_non_voters[4] = {};
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
  struct FirstEntry {  // the first term seen at an index, and its identity
    uint64_t term = 0;
    EntryIdentity identity;
  };

  void Fail(const RaftObservationView& o, const std::string& invariant,
            const std::string& explanation, uint64_t index);
  // Fail(o, invariant, explain(), index): the explanation is built out of line, so the
  // checks' frames stay small (no formatting buffers) on the path that passes.
  template <typename Explain>
  [[gnu::cold, gnu::noinline]] void FailWith(const RaftObservationView& o,
                                             const char* invariant, uint64_t index,
                                             const Explain& explain) {
    Fail(o, invariant, explain(), index);
  }
  void OnLeadership(const RaftObservationView& o, NodeView& node);
  // The checks of the observations every command makes (an append, a commit, an apply)
  // are inlined into Observe: no call per check on the path that passes.
  [[gnu::always_inline]] inline void OnAppended(const RaftObservationView& o, NodeView& node);
  // A commit by `o`'s node to `index` (o.index, or o.commit_index when folded into an
  // append).
  [[gnu::always_inline]] inline void OnCommit(const RaftObservationView& o, NodeView& node,
                                              uint64_t index, bool by_quorum);
  [[gnu::always_inline]] inline void OnFoldedApplied(const RaftObservationView& o);
  [[gnu::always_inline]] inline void OnApplied(const RaftObservationView& o, uint64_t index,
                                               uint64_t command_hash, bool skipped,
                                               bool not_request);
  // The exactly-once check of a first apply of `index` (executed or skipped).
  void CheckExactlyOnce(const RaftObservationView& o, uint64_t index, uint64_t command_hash,
                        bool skipped);
  void CheckQuorum(const RaftObservationView& o, const NodeView& node, const char* what);
  void ResetLog(NodeView& node, uint64_t index, uint64_t term);
  NodeView& NodeOf(int32_t node) {  // valid until the next call
    if (static_cast<uint32_t>(node) < dense_nodes_.size()) return dense_nodes_[node];
    return AddNode(node);
  }
  NodeView& AddNode(int32_t node);
  // The identity recorded for (index, term), recording `identity` if there is none:
  // {identity, whether recorded now}.
  [[gnu::always_inline]] inline std::pair<const EntryIdentity*, bool> RecordEntry(
      uint64_t index, uint64_t term, const EntryIdentity& identity);

  static constexpr int32_t kDenseNodes = 1024;
  std::vector<NodeView> dense_nodes_;  // node ids [0, kDenseNodes), grown on demand
  std::map<int32_t, NodeView> other_nodes_;
  std::map<uint64_t, int32_t> leader_of_term_;
  // (index, term) -> identity: the first term seen at each index here, the others
  // (a rare overwrite of uncommitted entries) in the hash map, only looked up.
  internal::IndexedRun<FirstEntry> first_entries_;
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, EntryIdentity> other_entries_;
  internal::IndexedRun<Committed> committed_;
  // What the first node to apply an index applied there, and whether it executed it.
  enum class Execution : uint8_t { kExecuted, kSkipped, kNotRequest };
  struct AppliedEntry {
    uint64_t hash = 0;
    Execution execution = Execution::kExecuted;
  };
  internal::IndexedRun<AppliedEntry> applied_;
  // Request (command hash) -> the highest index at which it was executed. Only looked
  // up, never iterated.
  absl::flat_hash_map<uint64_t, uint64_t> last_execution_;
  RaftCheckerOptions options_;
  std::optional<RaftViolation> violation_;
  int64_t observations_ = 0;
  RaftObservationView scratch_;  // Observe(RaftObservation)'s view
};

}  // namespace ravensim::checkers::raft

#endif  // RAVENSIM_CHECKERS_RAFT_RAFT_INVARIANT_CHECKER_H_
