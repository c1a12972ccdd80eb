// The model-generic linearizability search (Porcupine / Wing-Gong-Lowe with a cache),
// DESIGN.md §6.
//
// A model M provides (const, pure member functions; see models.h):
//   using State;                        // copyable, with operator== (the equality)
//   using Input;                        // one operation: arguments and observed result
//   State Init() const;
//   // Applies `in` to `s`. Returns false if the observed result is impossible in `s`.
//   // When `outcome_unknown` is true the result was never observed: the step takes
//   // effect as `s` allows and returns true; "never took effect" is the search's job.
//   bool Step(const State& s, const Input& in, bool outcome_unknown, State* next) const;
//   uint64_t Hash(const State& s) const;
//   std::string DescribeState(const State& s) const;
//   bool ReadOnly(const Input& in) const;  // never changes the state
//   // With its outcome known, never changes the state (a read; a failed cas).
//   bool KnownOutcomeKeepsState(const Input& in) const;
// and Input has operator== (equal inputs behave identically).
//
// The search walks the call/return events in time order (calls before returns at
// equal times, so operations touching at a point are concurrent). At each call it
// tries to linearize the operation next; at a return whose operation is not yet
// linearized it backtracks. Every (set of linearized operations, state) pair is
// visited at most once (the cache). Operations with an unknown outcome return "after
// the end": they may take effect any time after their invocation, or never, so the
// search succeeds once every operation with a known outcome is linearized.
//
// A cut: an operation with a known outcome that keeps the state (a read, a failed
// cas), linearized at once when it may be (invoked, and its result possible in the
// current state), stands first in some linearization from there if any exists — moved
// ahead of the others it changes no state, and any operation that must precede it
// returned before its call, so is linearized already. So when nothing follows from
// linearizing it, nothing follows from the state before it either: the search
// backtracks past both instead of trying the other operations in its place.
//
// A second cut: of the operations with an unknown outcome that would change nothing in
// the current configuration, only the first tried is linearized there; the others stay
// pending. Such a step is never needed: the operation may as well stay pending, to the
// end if need be ("never took effect"), so every linearization has a twin without such
// steps. Placing the first keeps it out of later scans; placing any subset would make
// every subset, at every point, a configuration of its own. Timed-out writes of values
// nobody observed (models.h merges those values) and timed-out cas operations whose
// expected value is not there are the common case.
//
// Budget: `max_steps` bounds the loop iterations and `max_cache_entries` the memory;
// exceeding either yields kUnknown, never a pass. The result depends only on the input
// (no clocks), so it is the same on every run and thread.
//
// Thread-compatible: each call owns its data; run several in parallel freely.
#ifndef RAVENSIM_CHECKERS_SEARCH_H_
#define RAVENSIM_CHECKERS_SEARCH_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/base/check.h"

namespace ravensim::checkers {

enum class Verdict { kLinearizable, kNotLinearizable, kUnknown };

// "linearizable", "not linearizable", "unknown".
const char* VerdictName(Verdict v);

inline constexpr int64_t kReturnNever = std::numeric_limits<int64_t>::max();

// One operation as a model sees it.
template <typename Input>
struct ModelOp {
  int32_t history_index = 0;  // position in the History it came from
  int64_t client_id = 0;
  int64_t invoke_time = 0;
  int64_t return_time = kReturnNever;  // kReturnNever when the outcome is unknown
  bool outcome_unknown = false;
  Input input;
};

struct SearchBudget {
  int64_t max_steps = 50'000'000;
  int64_t max_cache_entries = 20'000'000;
};

struct SearchResult {
  Verdict verdict = Verdict::kUnknown;
  std::string why;  // set for kUnknown
  bool step_budget_exhausted = false;  // kUnknown because of the step limit
  int64_t steps = 0;
  int64_t cache_entries = 0;
  // kNotLinearizable: the longest partial linearization the search reached (positions
  // in the ops vector, in linearization order), and the operation whose return it
  // could not get past from there.
  std::vector<int32_t> longest_linearization;
  int32_t stuck_op = -1;
};

namespace search_internal {

// splitmix64 finalizer: our own hash, stable across runs and platforms.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Events in a doubly linked list over an array; index 0 is the head sentinel.
struct Event {
  int32_t op = -1;
  bool is_call = false;
  int32_t match = -1;  // for a call: the index of its return event
  int32_t prev = -1;
  int32_t next = -1;
};

std::vector<Event> BuildEvents(const std::vector<int64_t>& invoke_times,
                               const std::vector<int64_t>& return_times);

// Append-only storage that never moves its elements (blocks of 2^12).
template <typename T>
class BlockedArray {
 public:
  void push_back(T v) {
    if ((size_ & kMask) == 0 && (size_ >> kShift) >= blocks_.size()) {
      blocks_.emplace_back(new T[kBlock]);
    }
    blocks_[size_ >> kShift][size_ & kMask] = std::move(v);
    ++size_;
  }
  T& operator[](size_t i) { return blocks_[i >> kShift][i & kMask]; }
  const T& operator[](size_t i) const { return blocks_[i >> kShift][i & kMask]; }
  size_t size() const { return size_; }
  // Forgets the elements; keeps up to `keep_blocks` blocks for reuse.
  void Clear(size_t keep_blocks) {
    size_ = 0;
    if (blocks_.size() > keep_blocks) blocks_.resize(keep_blocks);
  }

 private:
  static constexpr int kShift = 12;
  static constexpr size_t kBlock = size_t{1} << kShift;
  static constexpr size_t kMask = kBlock - 1;
  std::vector<std::unique_ptr<T[]>> blocks_;
  size_t size_ = 0;
};

// Open-addressing set of (bitset, state id) keys. A slot holds the entry id and 32
// bits of its hash, so most probes touch one cache line.
class VisitedSet {
 public:
  VisitedSet() = default;
  // Empties the set for bitsets of `words` words (moderate allocations are kept).
  void Reset(int words);
  // True if an entry with hash `h` and bits `bits` exists for which `same_state(id)`
  // holds. Otherwise the caller may Insert.
  template <typename SameState>
  bool Contains(uint64_t h, const uint64_t* bits, const SameState& same_state) const {
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (size_t slot = h & mask_;; slot = (slot + 1) & mask_) {
      const Slot s = slots_[slot];
      if (s.id1 == 0) return false;
      if (s.tag != tag) continue;
      const uint32_t id = s.id1 - 1;
      if (SameBits(id, bits) && same_state(id)) return true;
    }
  }
  // Adds an entry; its id is size() before the call.
  void Insert(uint64_t h, const uint64_t* bits);
  int64_t size() const { return static_cast<int64_t>(hashes_.size()); }

 private:
  struct Slot {
    uint32_t id1 = 0;  // entry id + 1; 0 = empty
    uint32_t tag = 0;  // high half of the hash
  };
  bool SameBits(uint32_t id, const uint64_t* bits) const {
    const size_t base = size_t{id} * words_;
    for (int w = 0; w < words_; ++w) {
      if (arena_[base + w] != bits[w]) return false;
    }
    return true;
  }
  void Grow();
  int words_ = 1;
  size_t mask_ = 0;
  std::vector<Slot> slots_;
  BlockedArray<uint64_t> hashes_;
  BlockedArray<uint64_t> arena_;
};

}  // namespace search_internal

// A search that can be continued with a larger step budget: Run(limit) stops with
// kUnknown when `limit` total steps are used, and a later Run with a larger limit
// resumes exactly where it stopped, so growing budgets cost no repeated work.
// Owns copies of nothing: `model` and `ops` must outlive it.
template <typename M>
class Search {
 public:
  using State = typename M::State;
  using Op = ModelOp<typename M::Input>;

  Search(const M& model, const std::vector<Op>& ops, int64_t max_cache_entries)
      : model_(model), ops_(ops), max_cache_entries_(max_cache_entries) {
    const int n = static_cast<int>(ops.size());
    std::vector<int64_t> invokes(n), returns(n);
    for (int i = 0; i < n; ++i) {
      invokes[i] = ops[i].invoke_time;
      returns[i] = ops[i].outcome_unknown ? kReturnNever : ops[i].return_time;
    }
    ev_ = search_internal::BuildEvents(invokes, returns);
    FindTwins();
    words_ = std::max(1, (n + 63) / 64);
    bits_.assign(words_, 0);
    zobrist_.resize(n);
    for (int i = 0; i < n; ++i) zobrist_[i] = search_internal::Mix64(0x5eed0000ULL + i);
    visited_.Reset(words_);
    state_ = model.Init();
    entry_ = ev_[0].next;
  }

  // Runs until decided or until `step_limit` steps in total have been used.
  SearchResult Run(int64_t step_limit);

 private:
  using Event = search_internal::Event;
  struct Frame {
    int32_t call;
    State state;
    bool passed_noop;  // passed_noop_ of the configuration the call was linearized in
  };

  // Symmetry: unknown-outcome operations with equal inputs are interchangeable once
  // both are invoked, so they are linearized in invocation order: an operation may be
  // linearized only after its earlier twin (a bounded look-back; fewer twins found
  // only means less pruning).
  void FindTwins() {
    const int n = static_cast<int>(ops_.size());
    twin_.assign(n, -1);
    std::vector<int32_t> unknown;
    for (int i = 0; i < n; ++i) {
      if (ops_[i].outcome_unknown) unknown.push_back(i);
    }
    std::stable_sort(unknown.begin(), unknown.end(), [&](int32_t a, int32_t b) {
      return ops_[a].invoke_time < ops_[b].invoke_time;
    });
    for (size_t j = 0; j < unknown.size(); ++j) {
      for (size_t k = j; k-- > 0 && j - k <= 256;) {
        if (ops_[unknown[k]].input == ops_[unknown[j]].input) {
          twin_[unknown[j]] = unknown[k];
          break;
        }
      }
    }
  }
  bool Bit(int op) const { return (bits_[op >> 6] >> (op & 63)) & 1; }
  void Flip(int op) { bits_[op >> 6] ^= uint64_t{1} << (op & 63); }
  void Lift(int32_t call) {
    Event& c = ev_[call];
    ev_[c.prev].next = c.next;
    ev_[c.next].prev = c.prev;
    Event& r = ev_[c.match];
    ev_[r.prev].next = r.next;
    if (r.next >= 0) ev_[r.next].prev = r.prev;
  }
  void Unlift(int32_t call) {
    Event& c = ev_[call];
    Event& r = ev_[c.match];
    ev_[r.prev].next = c.match;
    if (r.next >= 0) ev_[r.next].prev = c.match;
    ev_[c.prev].next = call;
    ev_[c.next].prev = call;
  }
  // At a call: tries to linearize its operation next. Returns true if it did.
  bool TryLinearize(int32_t call);
  // At a return of a pending known-outcome operation: records the longest
  // linearization and backtracks. Returns false when there is nothing to undo.
  bool Backtrack(int op);

  const M& model_;
  const std::vector<Op>& ops_;
  const int64_t max_cache_entries_;
  std::vector<Event> ev_;
  std::vector<int32_t> twin_;
  int words_ = 1;
  std::vector<uint64_t> bits_;
  std::vector<uint64_t> zobrist_;
  uint64_t bits_hash_ = 0;
  search_internal::VisitedSet visited_;
  search_internal::BlockedArray<State> visited_states_;
  std::vector<Frame> stack_;
  State state_;
  // In the current configuration an unknown-outcome operation that changes nothing was
  // already tried (the second cut): no other such operation is placed in it.
  bool passed_noop_ = false;
  int32_t entry_ = -1;
  SearchResult result_;
  bool done_ = false;
};

template <typename M>
bool Search<M>::TryLinearize(int32_t call) {
  const int op = ev_[call].op;
  const int32_t t = twin_[op];
  if (t >= 0 && !Bit(t)) return false;
  State next;
  if (!model_.Step(state_, ops_[op].input, ops_[op].outcome_unknown, &next)) return false;
  // The second cut (above): of the unknown-outcome operations that would change nothing
  // here, only the first tried is placed.
  if (ops_[op].outcome_unknown && next == state_) {
    if (passed_noop_) return false;
    passed_noop_ = true;
  }
  Flip(op);
  const uint64_t h = search_internal::Mix64(bits_hash_ ^ zobrist_[op]) ^ model_.Hash(next);
  if (visited_.Contains(h, bits_.data(),
                        [&](uint32_t id) { return visited_states_[id] == next; })) {
    Flip(op);
    return false;
  }
  visited_.Insert(h, bits_.data());
  visited_states_.push_back(next);
  bits_hash_ ^= zobrist_[op];
  stack_.push_back(Frame{call, std::move(state_), passed_noop_});
  state_ = std::move(next);
  passed_noop_ = false;
  Lift(call);
  return true;
}

template <typename M>
bool Search<M>::Backtrack(int op) {
  if (stack_.size() > result_.longest_linearization.size() || result_.stuck_op < 0) {
    result_.longest_linearization.clear();
    for (const Frame& f : stack_) result_.longest_linearization.push_back(ev_[f.call].op);
    result_.stuck_op = op;
  }
  if (stack_.empty()) return false;
  for (;;) {
    Frame top = std::move(stack_.back());
    stack_.pop_back();
    const int top_op = ev_[top.call].op;
    Flip(top_op);
    bits_hash_ ^= zobrist_[top_op];
    state_ = std::move(top.state);
    passed_noop_ = top.passed_noop;
    Unlift(top.call);
    entry_ = ev_[top.call].next;
    // The cut (above): a state-keeping operation with a known outcome failed here, so
    // the state it was linearized from fails too.
    if (ops_[top_op].outcome_unknown || !model_.KnownOutcomeKeepsState(ops_[top_op].input)) {
      return true;
    }
    if (stack_.empty()) return false;
  }
}

template <typename M>
SearchResult Search<M>::Run(int64_t step_limit) {
  while (!done_) {
    if (entry_ < 0) {  // every operation linearized
      result_.verdict = Verdict::kLinearizable;
      break;
    }
    if (result_.steps >= step_limit) {
      SearchResult partial = result_;
      partial.verdict = Verdict::kUnknown;
      partial.why = "search step budget exhausted";
      partial.step_budget_exhausted = true;
      partial.cache_entries = visited_.size();
      return partial;
    }
    ++result_.steps;
    const Event& e = ev_[entry_];
    if (e.is_call) {
      if (visited_.size() >= max_cache_entries_) {
        result_.verdict = Verdict::kUnknown;
        result_.why = "search memory budget (cache entries) exhausted";
        break;
      }
      if (TryLinearize(entry_)) {
        entry_ = ev_[0].next;
      } else {
        entry_ = e.next;
      }
      continue;
    }
    if (ops_[e.op].outcome_unknown) {  // only unknown-outcome operations remain
      result_.verdict = Verdict::kLinearizable;
      break;
    }
    if (!Backtrack(e.op)) {
      result_.verdict = Verdict::kNotLinearizable;
      break;
    }
  }
  done_ = true;
  result_.cache_entries = visited_.size();
  if (result_.verdict != Verdict::kNotLinearizable) {
    result_.longest_linearization.clear();
    result_.stuck_op = -1;
  }
  return result_;
}

template <typename M>
SearchResult CheckOperations(const M& model, const std::vector<ModelOp<typename M::Input>>& ops,
                             const SearchBudget& budget) {
  Search<M> search(model, ops, budget.max_cache_entries);
  return search.Run(budget.max_steps);
}

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_SEARCH_H_
