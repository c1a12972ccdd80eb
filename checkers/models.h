// Linearizability models (the M of search.h) and the conversion of history operations
// into their inputs: a read/write/cas register, a get/put/append key-value store, and
// compare-exchange (RAVENDB_MODEL.md §4.1).
//
// Each model instance interns the values of one partition (one key) into small ids,
// so states are cheap to copy, hash and compare; Describe* turn them back into text.
// A model object is built by the matching Prepare* function and is then read-only:
// the search may use it from one thread while other partitions run elsewhere.
//
// Operations a model ignores are dropped by Prepare*: FAIL outcomes (definitely no
// effect) and reads whose outcome is unknown (no effect, nothing observed).
#ifndef RAVENSIM_CHECKERS_MODELS_H_
#define RAVENSIM_CHECKERS_MODELS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "checkers/history/history.pb.h"
#include "checkers/search.h"

namespace ravensim::checkers {

// Interns values (absent = id 0) so that models compare small integers.
class ValueTable {
 public:
  ValueTable();
  int32_t Intern(const history::Value& v);
  // The id of a value that stands for every value no operation observes (see
  // CanonicalizeUnobservedValues); no history value interns to it.
  int32_t Unobserved();
  const std::string& Text(int32_t id) const { return texts_[id]; }
  int32_t size() const { return static_cast<int32_t>(texts_.size()); }

 private:
  absl::flat_hash_map<std::string, int32_t> str_ids_;
  absl::flat_hash_map<int64_t, int32_t> int_ids_;
  std::vector<std::string> texts_;  // ValueToString of each id
  int32_t unobserved_ = -1;
};

// A register that starts absent (nil). read returns its value; write sets it; cas
// sets `value` if the register equals `expected` (successful) and otherwise does not.
class RegisterModel {
 public:
  using State = int32_t;  // value id
  struct Input {
    history::OpKind kind;
    int32_t value = 0;     // write / cas new value
    int32_t expected = 0;  // cas
    int32_t result = 0;    // read
    bool successful = false;
    bool operator==(const Input&) const = default;
  };
  State Init() const { return 0; }
  bool Step(const State& s, const Input& in, bool outcome_unknown, State* next) const;
  uint64_t Hash(const State& s) const { return search_internal::Mix64(s); }
  std::string DescribeState(const State& s) const { return values_.Text(s); }
  bool ReadOnly(const Input& in) const { return in.kind == history::REGISTER_READ; }
  // A read, or a cas that failed: with its outcome known, it never changes the state.
  bool KnownOutcomeKeepsState(const Input& in) const {
    return in.kind == history::REGISTER_READ ||
           (in.kind == history::REGISTER_CAS && !in.successful);
  }

  ValueTable& values() { return values_; }

 private:
  ValueTable values_;
};

// A key-value store partition (one key) starting as "". get returns the value; put
// replaces it; append concatenates.
//
// States are nodes of a persistent list: a node is a put value, or a parent node
// with a value appended, memoized by (parent, value), so a step is one hash lookup
// and a state is an int. Each node carries its length and a polynomial hash; a get
// compares those first and, only when they match, the materialized string — so the
// comparison is exact. Two nodes spelling the same string by different routes are
// different states, which only means less pruning in the search cache.
// Step adds nodes: a KvModel is used by one search at a time.
class KvModel {
 public:
  using State = int32_t;  // node id; 0 = ""
  struct Input {
    history::OpKind kind;
    int32_t value = 0;   // put / append argument (interned)
    int32_t result = 0;  // get result (interned)
    bool operator==(const Input&) const = default;
  };
  KvModel();
  State Init() const { return 0; }
  bool Step(const State& s, const Input& in, bool outcome_unknown, State* next) const;
  uint64_t Hash(const State& s) const { return search_internal::Mix64(s); }
  std::string DescribeState(const State& s) const;
  bool ReadOnly(const Input& in) const { return in.kind == history::KV_GET; }
  bool KnownOutcomeKeepsState(const Input& in) const { return ReadOnly(in); }

  // Interns a value (not thread-safe; call before searching).
  int32_t InternValue(const std::string& text);

 private:
  struct Text {
    std::string text;
    uint64_t hash;
    uint64_t power;  // kBase^length
  };
  struct Node {
    int32_t parent;  // -1 for a put's value
    int32_t value;
    uint64_t length;
    uint64_t hash;
  };
  int32_t NodeFor(int32_t parent, int32_t value) const;
  const std::string& Materialize(int32_t node) const;

  absl::flat_hash_map<std::string, int32_t> value_ids_;
  std::vector<Text> values_;
  mutable std::vector<Node> nodes_;
  mutable absl::flat_hash_map<uint64_t, int32_t> node_ids_;  // (parent+1, value) -> node
  mutable absl::flat_hash_map<int32_t, std::string> materialized_;
};

// Compare-exchange on one key (RAVENDB_MODEL.md §4.1). State: absent, or present with
// the Raft index of the command that last modified it and its value.
class CmpxchgModel {
 public:
  struct State {
    bool exists = false;
    int64_t index = 0;
    int32_t value = 0;
    bool operator==(const State&) const = default;
  };
  enum class Kind { kPut, kDelete, kGet };
  struct Input {
    Kind kind = Kind::kGet;
    int64_t expected_index = 0;  // put / delete argument
    int32_t value = 0;           // put argument
    // The index a successful put gives the key: the reply's Raft index, or for an
    // unknown-outcome put the index it was resolved to (see cmpxchg_checker.h).
    int64_t effect_index = 0;
    // Observed reply (outcome known).
    bool successful = false;
    int64_t result_index = 0;
    bool result_exists = false;
    int32_t result_value = 0;
    bool operator==(const Input&) const = default;
  };
  State Init() const { return State(); }
  bool Step(const State& s, const Input& in, bool outcome_unknown, State* next) const;
  uint64_t Hash(const State& s) const;
  std::string DescribeState(const State& s) const;
  bool ReadOnly(const Input& in) const { return in.kind == Kind::kGet; }
  bool KnownOutcomeKeepsState(const Input& in) const { return ReadOnly(in); }

  ValueTable& values() { return values_; }
  const ValueTable& values() const { return values_; }

 private:
  ValueTable values_;
};

// Converts the operations at `indexes` (positions in `history`, one partition) into
// model inputs. Errors name the operation and the field.
absl::StatusOr<std::vector<ModelOp<RegisterModel::Input>>> PrepareRegister(
    const history::History& history, const std::vector<int32_t>& indexes,
    RegisterModel* model);

// A value that no operation observes (no read returned it, no cas expected it) can
// only make reads and cas operations fail while the register holds it, like any other
// such value: from any of them the same operations succeed. This gives every such
// value written by `ops` one id (ValueTable::Unobserved), which merges states the
// search would keep apart and makes unknown-outcome writes of different unobserved
// values twins (search.h), linearized in invocation order instead of in every subset:
// a few dozen timed-out writes would otherwise exhaust any budget. The verdict is the
// same as with the original values, and so is every step's validity, so a
// linearization found with the result replays on the original `ops` (which keep the
// values to show in a counterexample).
void CanonicalizeUnobservedValues(std::vector<ModelOp<RegisterModel::Input>>* ops,
                                  RegisterModel* model);
absl::StatusOr<std::vector<ModelOp<KvModel::Input>>> PrepareKv(
    const history::History& history, const std::vector<int32_t>& indexes, KvModel* model);

// Fills the fields common to every model.
template <typename Input>
ModelOp<Input> BaseModelOp(const history::Operation& op, int32_t position) {
  ModelOp<Input> m;
  m.history_index = position;
  m.client_id = op.client_id();
  m.invoke_time = op.invoke_time_ns();
  m.outcome_unknown = op.outcome() == history::UNKNOWN;
  m.return_time = m.outcome_unknown ? kReturnNever : op.return_time_ns();
  return m;
}

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_MODELS_H_
