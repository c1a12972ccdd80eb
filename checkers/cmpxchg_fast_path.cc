// CheckCmpxchgFastPath (declared in cmpxchg_checker.h).
#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "checkers/cmpxchg_checker.h"
#include "checkers/history/history.h"

namespace ravensim::checkers {
namespace {

using Kind = CmpxchgModel::Kind;
using CmpOp = ModelOp<CmpxchgModel::Input>;

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();

std::string Name(const history::History& h, const CmpOp& m) {
  return absl::StrCat("#", h.operations(m.history_index).id());
}

// A version of the key: 0 is the initial absent one; k >= 1 is made by writes[k-1].
struct Window {
  int64_t lower = kMinTime;  // max invocation of the reads of the previous version
  const CmpOp* lower_by = nullptr;
  int64_t upper = kReturnNever;  // min return of the reads of this version
  const CmpOp* upper_by = nullptr;
};

FastPathResult Violation(std::string why, std::vector<const CmpOp*> ops) {
  FastPathResult r;
  r.verdict = Verdict::kNotLinearizable;
  r.explanation = std::move(why);
  for (const CmpOp* m : ops) {
    if (m != nullptr) r.involved.push_back(m->history_index);
  }
  std::sort(r.involved.begin(), r.involved.end());
  r.involved.erase(std::unique(r.involved.begin(), r.involved.end()), r.involved.end());
  return r;
}

int64_t WriteIndex(const CmpOp* m) {
  return m->input.kind == Kind::kPut ? m->input.effect_index : m->input.result_index;
}

// Orders the successful writes (and resolved unknown puts) by Raft index into the
// version chain and checks each write's expected index against its predecessor.
// Fills `version_of_index` (put index -> version k >= 1). Returns a violation or
// kLinearizable.
FastPathResult BuildChain(const history::History& h, const CmpxchgPartition& p,
                          std::vector<const CmpOp*>* writes, std::vector<const CmpOp*>* reads,
                          absl::flat_hash_map<int64_t, int>* version_of_index) {
  for (const CmpOp& m : p.ops) {
    if (m.input.kind == Kind::kPut && m.outcome_unknown) {
      if (m.input.effect_index > 0) writes->push_back(&m);
    } else if (m.input.kind != Kind::kGet && m.input.successful) {
      writes->push_back(&m);
    } else {
      reads->push_back(&m);  // gets and unsuccessful writes show the current version
    }
  }
  std::sort(writes->begin(), writes->end(),
            [&](const CmpOp* a, const CmpOp* b) { return WriteIndex(a) < WriteIndex(b); });
  for (size_t k = 1; k <= writes->size(); ++k) {
    const CmpOp* w = (*writes)[k - 1];
    const CmpOp* prev = k >= 2 ? (*writes)[k - 2] : nullptr;
    if (prev != nullptr && WriteIndex(prev) == WriteIndex(w)) {
      return Violation(absl::StrCat(Name(h, *prev), " and ", Name(h, *w),
                                    " both claim Raft index ", WriteIndex(w)),
                       {prev, w});
    }
    // RAVENDB_MODEL.md §4.1: a write applies to an existing key only if its expected
    // index is the key's current index; an absent key accepts any put or delete.
    const bool prev_exists = prev != nullptr && prev->input.kind == Kind::kPut;
    if (prev_exists && w->input.expected_index != WriteIndex(prev)) {
      return Violation(
          absl::StrCat(Name(h, *w), " succeeded with expected index ", w->input.expected_index,
                       " but the version before it (Raft order) has index ", WriteIndex(prev),
                       ", written by ", Name(h, *prev)),
          {prev, w});
    }
    if (w->input.kind == Kind::kPut) (*version_of_index)[WriteIndex(w)] = static_cast<int>(k);
  }
  return FastPathResult{};
}

// Maps each read to the version it shows and narrows the windows of the writes around
// it: the version's write must precede the read's return, the next write follow its
// invocation.
FastPathResult ConstrainByReads(const history::History& h, const CmpxchgPartition& p,
                                const std::vector<const CmpOp*>& writes,
                                const std::vector<const CmpOp*>& reads,
                                const absl::flat_hash_map<int64_t, int>& version_of_index,
                                std::vector<Window>* win) {
  const ValueTable& values = p.model.values();
  const int m = static_cast<int>(writes.size());
  for (const CmpOp* r : reads) {
    int k = 0;
    if (r->input.result_exists) {
      auto it = version_of_index.find(r->input.result_index);
      if (it == version_of_index.end()) {
        return Violation(absl::StrCat(Name(h, *r), " saw index ", r->input.result_index,
                                      ", which no successful put produced"),
                         {r});
      }
      k = it->second;
      const CmpOp* w = writes[k - 1];
      if (w->input.value != r->input.result_value) {
        return Violation(absl::StrCat(Name(h, *r), " saw ", values.Text(r->input.result_value),
                                      " at index ", r->input.result_index, " but ",
                                      Name(h, *w), " wrote ", values.Text(w->input.value)),
                         {r, w});
      }
      if (r->input.kind != Kind::kGet && r->input.expected_index == r->input.result_index) {
        return Violation(absl::StrCat(Name(h, *r), " failed although its expected index ",
                                      r->input.expected_index, " is the current one"),
                         {r, w});
      }
    } else if (r->input.kind != Kind::kGet) {
      return Violation(absl::StrCat(Name(h, *r),
                                    " failed on an absent key, where it always succeeds"),
                       {r});
    }
    // Reads of an absent key: PrepareCmpxchg guarantees version 0 is the only absent one.
    if (k >= 1 && r->return_time < (*win)[k].upper) {
      (*win)[k].upper = r->return_time;
      (*win)[k].upper_by = r;
    }
    if (k + 1 <= m && r->invoke_time > (*win)[k + 1].lower) {
      (*win)[k + 1].lower = r->invoke_time;
      (*win)[k + 1].lower_by = r;
    }
  }
  return FastPathResult{};
}

// Places the writes greedily at the earliest time each window allows.
FastPathResult PlaceWrites(const history::History& h, const std::vector<const CmpOp*>& writes,
                           const std::vector<Window>& win) {
  int64_t t = kMinTime;
  const CmpOp* t_by = nullptr;
  for (size_t k = 1; k <= writes.size(); ++k) {
    const CmpOp* w = writes[k - 1];
    if (w->invoke_time > t) {
      t = w->invoke_time;
      t_by = w;
    }
    if (win[k].lower > t) {
      t = win[k].lower;
      t_by = win[k].lower_by;
    }
    const int64_t upper = std::min(w->return_time, win[k].upper);
    if (t > upper) {
      const CmpOp* upper_by = w->return_time <= win[k].upper ? w : win[k].upper_by;
      return Violation(
          absl::StrCat(Name(h, *w), " (index ", WriteIndex(w),
                       ") cannot take effect: it must follow ", Name(h, *t_by), " (time ", t,
                       ") but precede the return of ", Name(h, *upper_by), " (time ", upper, ")"),
          {w, t_by, upper_by});
    }
  }
  return FastPathResult{};
}

}  // namespace

FastPathResult CheckCmpxchgFastPath(const history::History& h, const CmpxchgPartition& p) {
  std::vector<const CmpOp*> writes, reads;
  absl::flat_hash_map<int64_t, int> version_of_index;
  FastPathResult r = BuildChain(h, p, &writes, &reads, &version_of_index);
  if (r.verdict != Verdict::kLinearizable) return r;
  std::vector<Window> win(writes.size() + 2);
  r = ConstrainByReads(h, p, writes, reads, version_of_index, &win);
  if (r.verdict != Verdict::kLinearizable) return r;
  return PlaceWrites(h, writes, win);
}

}  // namespace ravensim::checkers
