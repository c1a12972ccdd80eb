#include "checkers/models.h"

#include "absl/strings/str_cat.h"
#include "checkers/history/history.h"

namespace ravensim::checkers {

using history::Operation;
using history::OpKind;

ValueTable::ValueTable() { texts_.push_back("nil"); }

int32_t ValueTable::Intern(const history::Value& v) {
  const int32_t next = static_cast<int32_t>(texts_.size());
  switch (v.kind_case()) {
    case history::Value::kStr: {
      auto it = str_ids_.find(absl::string_view(v.str()));
      if (it != str_ids_.end()) return it->second;
      str_ids_.emplace(v.str(), next);
      break;
    }
    case history::Value::kInt: {
      auto [it, inserted] = int_ids_.try_emplace(v.int_(), next);
      if (!inserted) return it->second;
      break;
    }
    case history::Value::KIND_NOT_SET:
      return 0;
  }
  texts_.push_back(history::ValueToString(v));
  return next;
}

int32_t ValueTable::Unobserved() {
  if (unobserved_ < 0) {
    unobserved_ = static_cast<int32_t>(texts_.size());
    texts_.push_back("(a value no operation observed)");
  }
  return unobserved_;
}

// --- Register -------------------------------------------------------------------------

bool RegisterModel::Step(const State& s, const Input& in, bool outcome_unknown,
                         State* next) const {
  switch (in.kind) {
    case history::REGISTER_READ:
      *next = s;
      return outcome_unknown || in.result == s;
    case history::REGISTER_WRITE:
      *next = in.value;
      return true;
    case history::REGISTER_CAS:
      if (outcome_unknown) {
        *next = s == in.expected ? in.value : s;
        return true;
      }
      if (in.successful) {
        *next = in.value;
        return s == in.expected;
      }
      *next = s;
      return s != in.expected;
    default:
      return false;
  }
}

absl::StatusOr<std::vector<ModelOp<RegisterModel::Input>>> PrepareRegister(
    const history::History& history, const std::vector<int32_t>& indexes,
    RegisterModel* model) {
  std::vector<ModelOp<RegisterModel::Input>> out;
  out.reserve(indexes.size());
  for (int32_t i : indexes) {
    const Operation& op = history.operations(i);
    const OpKind k = op.kind();
    if (k != history::REGISTER_READ && k != history::REGISTER_WRITE &&
        k != history::REGISTER_CAS) {
      return absl::InvalidArgumentError(absl::StrCat(
          "operation ", i, " (id ", op.id(), "): field 'kind': ", history::OpKindName(k),
          " is not a register operation"));
    }
    if (op.outcome() == history::FAIL) continue;
    if (op.outcome() == history::UNKNOWN && k == history::REGISTER_READ) continue;
    auto m = BaseModelOp<RegisterModel::Input>(op, i);
    m.input.kind = k;
    m.input.value = model->values().Intern(op.value());
    m.input.expected = model->values().Intern(op.expected());
    m.input.result = model->values().Intern(op.result());
    m.input.successful = op.successful();
    out.push_back(std::move(m));
  }
  return out;
}

void CanonicalizeUnobservedValues(std::vector<ModelOp<RegisterModel::Input>>* ops,
                                  RegisterModel* model) {
  std::vector<bool> observed(static_cast<size_t>(model->values().size()), false);
  observed[0] = true;  // nil: the initial state
  for (const ModelOp<RegisterModel::Input>& m : *ops) {
    if (m.input.kind == history::REGISTER_READ && !m.outcome_unknown) {
      observed[m.input.result] = true;
    }
    if (m.input.kind == history::REGISTER_CAS) observed[m.input.expected] = true;
  }
  for (ModelOp<RegisterModel::Input>& m : *ops) {
    if (m.input.kind == history::REGISTER_READ || observed[m.input.value]) continue;
    m.input.value = model->values().Unobserved();
  }
}

// --- Key-value ------------------------------------------------------------------------

namespace {
constexpr uint64_t kBase = 0x100000001b3ULL;
}  // namespace

KvModel::KvModel() {
  InternValue("");
  nodes_.push_back(Node{-1, 0, 0, 0});  // node 0: the put of "" (the initial state)
  node_ids_[static_cast<uint32_t>(0)] = 0;
}

int32_t KvModel::InternValue(const std::string& text) {
  auto [it, inserted] = value_ids_.try_emplace(text, static_cast<int32_t>(values_.size()));
  if (inserted) {
    uint64_t hash = 0, power = 1;
    for (unsigned char c : text) {
      hash = hash * kBase + c + 1;
      power *= kBase;
    }
    values_.push_back(Text{text, hash, power});
  }
  return it->second;
}

int32_t KvModel::NodeFor(int32_t parent, int32_t value) const {
  const uint64_t key = (static_cast<uint64_t>(parent + 1) << 32) | static_cast<uint32_t>(value);
  auto [it, inserted] = node_ids_.try_emplace(key, static_cast<int32_t>(nodes_.size()));
  if (inserted) {
    const Text& v = values_[value];
    Node n{parent, value, v.text.size(), v.hash};
    if (parent >= 0) {
      n.length += nodes_[parent].length;
      n.hash += nodes_[parent].hash * v.power;
    }
    nodes_.push_back(n);
  }
  return it->second;
}

const std::string& KvModel::Materialize(int32_t node) const {
  if (auto it = materialized_.find(node); it != materialized_.end()) return it->second;
  std::vector<int32_t> chain;
  for (int32_t n = node; n >= 0; n = nodes_[n].parent) chain.push_back(n);
  std::string text;
  text.reserve(nodes_[node].length);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) text += values_[nodes_[*it].value].text;
  return materialized_[node] = std::move(text);
}

bool KvModel::Step(const State& s, const Input& in, bool outcome_unknown,
                   State* next) const {
  switch (in.kind) {
    case history::KV_GET: {
      *next = s;
      if (outcome_unknown) return true;
      const Node& n = nodes_[s];
      const Text& r = values_[in.result];
      return n.length == r.text.size() && n.hash == r.hash && Materialize(s) == r.text;
    }
    case history::KV_PUT:
      *next = NodeFor(-1, in.value);
      return true;
    case history::KV_APPEND:
      *next = NodeFor(s, in.value);
      return true;
    default:
      return false;
  }
}

std::string KvModel::DescribeState(const State& s) const {
  return history::ValueToString(history::StrValue(Materialize(s)));
}

// A kv value as the store holds it: strings as they are, integers in decimal, nil as "".
static std::string KvText(const history::Value& v) {
  if (v.has_str()) return v.str();
  if (v.has_int_()) return absl::StrCat(v.int_());
  return std::string();
}

absl::StatusOr<std::vector<ModelOp<KvModel::Input>>> PrepareKv(
    const history::History& history, const std::vector<int32_t>& indexes, KvModel* model) {
  std::vector<ModelOp<KvModel::Input>> out;
  out.reserve(indexes.size());
  for (int32_t i : indexes) {
    const Operation& op = history.operations(i);
    const OpKind k = op.kind();
    if (k != history::KV_GET && k != history::KV_PUT && k != history::KV_APPEND) {
      return absl::InvalidArgumentError(absl::StrCat(
          "operation ", i, " (id ", op.id(), "): field 'kind': ", history::OpKindName(k),
          " is not a key-value operation"));
    }
    if (op.outcome() == history::FAIL) continue;
    if (op.outcome() == history::UNKNOWN && k == history::KV_GET) continue;
    auto m = BaseModelOp<KvModel::Input>(op, i);
    m.input.kind = k;
    m.input.value = model->InternValue(KvText(op.value()));
    m.input.result = model->InternValue(KvText(op.result()));
    out.push_back(std::move(m));
  }
  return out;
}

// --- Compare-exchange -----------------------------------------------------------------

// RAVENDB_MODEL.md §4.1: put overwrites when the key exists and the index matches, and
// creates an absent key regardless of the supplied index; otherwise it returns the
// current (index, value) unsuccessfully. delete removes on a matching index, returns
// the current value on a mismatch, and reports success on an absent key.
bool CmpxchgModel::Step(const State& s, const Input& in, bool outcome_unknown,
                        State* next) const {
  *next = s;
  switch (in.kind) {
    case Kind::kGet:
      if (outcome_unknown) return true;
      if (in.result_exists != s.exists) return false;
      return !s.exists || (in.result_index == s.index && in.result_value == s.value);
    case Kind::kPut: {
      const bool applies = !s.exists || s.index == in.expected_index;
      if (applies) *next = State{true, in.effect_index, in.value};
      if (outcome_unknown) return true;
      if (applies) return in.successful;
      return !in.successful && in.result_index == s.index && in.result_value == s.value;
    }
    case Kind::kDelete: {
      const bool matches = s.exists && s.index == in.expected_index;
      if (matches) *next = State();
      if (outcome_unknown) return true;
      if (!s.exists || matches) return in.successful;
      return !in.successful && in.result_index == s.index && in.result_value == s.value;
    }
  }
  return false;
}

uint64_t CmpxchgModel::Hash(const State& s) const {
  if (!s.exists) return 0x1234567ULL;
  return search_internal::Mix64(static_cast<uint64_t>(s.index) * 0x9e3779b97f4a7c15ULL ^
                                static_cast<uint64_t>(s.value));
}

std::string CmpxchgModel::DescribeState(const State& s) const {
  if (!s.exists) return "absent";
  return absl::StrCat("index=", s.index, " value=", values_.Text(s.value));
}

}  // namespace ravensim::checkers
