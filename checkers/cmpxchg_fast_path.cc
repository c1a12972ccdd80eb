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

}  // namespace

FastPathResult CheckCmpxchgFastPath(const history::History& h, const CmpxchgPartition& p) {
  const ValueTable& values = p.model.values();
  // Successful writes, and unknown puts an observation resolved, in Raft index order.
  std::vector<const CmpOp*> writes;
  std::vector<const CmpOp*> reads;
  for (const CmpOp& m : p.ops) {
    if (m.input.kind == Kind::kPut && m.outcome_unknown) {
      if (m.input.effect_index > 0) writes.push_back(&m);
    } else if (m.input.kind != Kind::kGet && m.input.successful) {
      writes.push_back(&m);
    } else {
      reads.push_back(&m);  // gets and unsuccessful writes show the current version
    }
  }
  auto write_index = [](const CmpOp* m) {
    return m->input.kind == Kind::kPut ? m->input.effect_index : m->input.result_index;
  };
  std::sort(writes.begin(), writes.end(),
            [&](const CmpOp* a, const CmpOp* b) { return write_index(a) < write_index(b); });
  const int m = static_cast<int>(writes.size());
  absl::flat_hash_map<int64_t, int> version_of_index;  // put index -> version
  for (int k = 1; k <= m; ++k) {
    const CmpOp* w = writes[k - 1];
    const CmpOp* prev = k >= 2 ? writes[k - 2] : nullptr;
    if (prev != nullptr && write_index(prev) == write_index(w)) {
      return Violation(absl::StrCat(Name(h, *prev), " and ", Name(h, *w),
                                    " both claim Raft index ", write_index(w)),
                       {prev, w});
    }
    // RAVENDB_MODEL.md §4.1: a write applies to an existing key only if its expected
    // index is the key's current index; an absent key accepts any put or delete.
    const bool prev_exists = prev != nullptr && prev->input.kind == Kind::kPut;
    if (prev_exists && w->input.expected_index != write_index(prev)) {
      return Violation(
          absl::StrCat(Name(h, *w), " succeeded with expected index ", w->input.expected_index,
                       " but the version before it (Raft order) has index ",
                       write_index(prev), ", written by ", Name(h, *prev)),
          {prev, w});
    }
    if (w->input.kind == Kind::kPut) version_of_index[write_index(w)] = k;
  }
  std::vector<Window> win(m + 2);
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
    if (k >= 1 && r->return_time < win[k].upper) {
      win[k].upper = r->return_time;
      win[k].upper_by = r;
    }
    if (k + 1 <= m && r->invoke_time > win[k + 1].lower) {
      win[k + 1].lower = r->invoke_time;
      win[k + 1].lower_by = r;
    }
  }
  int64_t t = kMinTime;
  const CmpOp* t_by = nullptr;
  for (int k = 1; k <= m; ++k) {
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
          absl::StrCat(Name(h, *w), " (index ", write_index(w),
                       ") cannot take effect: it must follow ", Name(h, *t_by),
                       " (time ", t, ") but precede the return of ", Name(h, *upper_by),
                       " (time ", upper, ")"),
          {w, t_by, upper_by});
    }
  }
  return FastPathResult{};
}

}  // namespace ravensim::checkers
