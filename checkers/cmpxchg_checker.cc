#include "checkers/cmpxchg_checker.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "checkers/history/history.h"

namespace ravensim::checkers {

using history::Operation;
using Kind = CmpxchgModel::Kind;
using CmpOp = ModelOp<CmpxchgModel::Input>;

namespace {

bool IsKnownWrite(const CmpOp& m) {
  return !m.outcome_unknown && m.input.kind != Kind::kGet && m.input.successful;
}

// The Raft index a successful write gave the key (puts) or consumed (deletes).
int64_t WriteIndex(const CmpOp& m) {
  return m.input.kind == Kind::kPut ? m.input.effect_index : m.input.result_index;
}

// An (index, value) pair some reply showed as the key's current version.
struct Observation {
  int64_t index;
  int32_t value;
  int64_t return_time;
};

std::vector<Observation> ValueObservations(const history::History& history,
                                           const CmpxchgPartition& p, ValueTable* values) {
  std::vector<Observation> out;
  for (const CmpOp& m : p.ops) {
    if (m.outcome_unknown) continue;
    const bool shows_current =
        m.input.kind == Kind::kGet || !m.input.successful;  // unsuccessful writes do
    if (shows_current && m.input.result_exists) {
      out.push_back({m.input.result_index, m.input.result_value, m.return_time});
    }
  }
  for (int32_t pos : p.local_gets) {
    const Operation& op = history.operations(pos);
    if (op.has_result() && !history::IsAbsent(op.result())) {
      out.push_back({op.result_index(), values->Intern(op.result()), op.return_time_ns()});
    }
  }
  return out;
}

// Gives each unknown-outcome put the index observations show for its value.
void ResolveUnknownPuts(const history::History& history, CmpxchgPartition* p) {
  absl::flat_hash_set<int64_t> known;
  for (const CmpOp& m : p->ops) {
    if (IsKnownWrite(m)) known.insert(WriteIndex(m));
  }
  absl::flat_hash_map<int32_t, std::vector<int>> unknown_puts_by_value;
  for (int i = 0; i < static_cast<int>(p->ops.size()); ++i) {
    CmpOp& m = p->ops[i];
    if (m.outcome_unknown && m.input.kind == Kind::kPut) {
      m.input.effect_index = -1 - i;  // private: no reply can show a negative index
      unknown_puts_by_value[m.input.value].push_back(i);
    }
  }
  std::map<int64_t, int32_t> unexplained;  // index -> value (ordered: deterministic)
  for (const Observation& o : ValueObservations(history, *p, &p->model.values())) {
    if (!known.contains(o.index)) unexplained.emplace(o.index, o.value);
  }
  absl::flat_hash_set<int64_t> resolved;
  for (const auto& [index, value] : unexplained) {
    auto it = unknown_puts_by_value.find(value);
    if (it == unknown_puts_by_value.end()) continue;  // a violation the checks will find
    if (it->second.size() > 1) {
      p->unresolvable = absl::StrCat(
          "index ", index, " with value ", p->model.values().Text(value),
          " could have been written by several unknown-outcome puts");
      return;
    }
    CmpOp& u = p->ops[it->second[0]];
    if (u.input.effect_index > 0 && u.input.effect_index != index) {
      p->unresolvable = absl::StrCat("an unknown-outcome put of ",
                                     p->model.values().Text(value),
                                     " is shown at two indexes");
      return;
    }
    u.input.effect_index = index;
    resolved.insert(index);
  }
  bool unobserved_put = false;
  for (const CmpOp& m : p->ops) {
    unobserved_put |= m.outcome_unknown && m.input.kind == Kind::kPut && m.input.effect_index < 0;
  }
  for (const CmpOp& m : p->ops) {
    if (unobserved_put && IsKnownWrite(m) && m.input.expected_index != 0 &&
        !known.contains(m.input.expected_index) && !resolved.contains(m.input.expected_index)) {
      p->unresolvable = absl::StrCat(
          "a write expected index ", m.input.expected_index,
          " which no reply showed; it may come from an unknown-outcome put");
      return;
    }
  }
}

}  // namespace

absl::StatusOr<CmpxchgPartition> PrepareCmpxchg(const history::History& history,
                                                const std::vector<int32_t>& indexes) {
  CmpxchgPartition p;
  for (int32_t i : indexes) {
    const Operation& op = history.operations(i);
    Kind kind;
    switch (op.kind()) {
      case history::CMPXCHG_PUT: kind = Kind::kPut; break;
      case history::CMPXCHG_DELETE: kind = Kind::kDelete; break;
      case history::CMPXCHG_GET_LINEARIZABLE: kind = Kind::kGet; break;
      case history::CMPXCHG_GET_LOCAL:
        if (op.outcome() == history::OK) p.local_gets.push_back(i);
        continue;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("operation ", i, " (id ", op.id(), "): field 'kind': ",
                         history::OpKindName(op.kind()), " is not a compare-exchange operation"));
    }
    if (op.outcome() == history::FAIL) continue;
    if (op.outcome() == history::UNKNOWN && kind == Kind::kGet) continue;
    CmpOp m = BaseModelOp<CmpxchgModel::Input>(op, i);
    m.input.kind = kind;
    m.input.expected_index = op.index();
    m.input.value = p.model.values().Intern(op.value());
    m.input.successful = op.successful();
    m.input.result_index = op.result_index();
    m.input.result_exists = op.has_result() && !history::IsAbsent(op.result());
    m.input.result_value = p.model.values().Intern(op.result());
    m.input.effect_index = op.result_index();
    p.ops.push_back(std::move(m));
  }
  ResolveUnknownPuts(history, &p);
  bool successful_delete = false, absent_read = false;
  for (const CmpOp& m : p.ops) {
    if (m.outcome_unknown && m.input.kind == Kind::kDelete) {
      p.fast_path_applicable = false;
      p.fast_path_blocker = "an unknown-outcome delete";
    }
    successful_delete |= m.input.kind == Kind::kDelete && (m.outcome_unknown || m.input.successful);
    absent_read |= !m.outcome_unknown && m.input.kind == Kind::kGet && !m.input.result_exists;
  }
  if (p.fast_path_applicable && successful_delete && absent_read) {
    p.fast_path_applicable = false;
    p.fast_path_blocker = "reads of an absent key after deletes";
  }
  if (!p.unresolvable.empty()) {
    p.fast_path_applicable = false;
    p.fast_path_blocker = p.unresolvable;
  }
  return p;
}

std::vector<LocalReadViolation> CheckLocalGets(const history::History& history,
                                               const CmpxchgPartition& p) {
  std::vector<LocalReadViolation> out;
  absl::flat_hash_map<int64_t, const CmpOp*> put_by_index;
  for (const CmpOp& m : p.ops) {
    if (m.input.kind == Kind::kPut && (m.input.successful || m.outcome_unknown) &&
        m.input.effect_index > 0) {
      put_by_index.emplace(m.input.effect_index, &m);
    }
  }
  // Per node: (invoke, return, index) of gets that saw a version, in invoke order.
  std::map<std::string, std::vector<std::pair<int32_t, int64_t>>> by_node;
  for (int32_t pos : p.local_gets) {
    const Operation& op = history.operations(pos);
    if (!op.has_result() || history::IsAbsent(op.result())) continue;
    auto it = put_by_index.find(op.result_index());
    if (it == put_by_index.end()) {
      out.push_back({pos, absl::StrCat("returned index ", op.result_index(),
                                       ", which no put produced")});
      continue;
    }
    const CmpOp& w = *it->second;
    if (p.model.values().Text(w.input.value) != history::ValueToString(op.result())) {
      out.push_back({pos, absl::StrCat("returned ", history::ValueToString(op.result()),
                                       " at index ", op.result_index(), " but that put wrote ",
                                       p.model.values().Text(w.input.value))});
    } else if (w.invoke_time > op.return_time_ns()) {
      out.push_back({pos, absl::StrCat("returned index ", op.result_index(),
                                       " before the put that wrote it was invoked")});
    }
    by_node[op.node()].push_back({pos, op.result_index()});
  }
  for (auto& [node, gets] : by_node) {
    // Gets were appended in history order; compare each with every earlier get on the
    // node that returned before it was invoked, via the running maximum.
    std::sort(gets.begin(), gets.end(), [&](const auto& a, const auto& b) {
      return history.operations(a.first).invoke_time_ns() <
             history.operations(b.first).invoke_time_ns();
    });
    std::vector<std::pair<int64_t, int64_t>> by_return;  // (return, index)
    for (const auto& [pos, index] : gets) {
      by_return.push_back({history.operations(pos).return_time_ns(), index});
    }
    std::sort(by_return.begin(), by_return.end());
    size_t r = 0;
    int64_t max_index = 0;
    for (const auto& [pos, index] : gets) {
      const int64_t invoke = history.operations(pos).invoke_time_ns();
      while (r < by_return.size() && by_return[r].first < invoke) {
        max_index = std::max(max_index, by_return[r].second);
        ++r;
      }
      if (index < max_index) {
        out.push_back({pos, absl::StrCat("node ", node, " went back from index ", max_index,
                                         " to ", index)});
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.operation < b.operation; });
  return out;
}

}  // namespace ravensim::checkers
