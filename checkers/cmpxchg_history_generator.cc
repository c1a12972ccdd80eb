#include "checkers/cmpxchg_history_generator.h"

#include <algorithm>
#include <map>
#include <queue>
#include <vector>

#include "absl/strings/str_cat.h"
#include "checkers/history/history.h"

namespace ravensim::checkers {
namespace {

// splitmix64: a small deterministic generator (checkers do not depend on sim/).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int64_t Below(int64_t n) { return static_cast<int64_t>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t s_;
};

struct Item {
  bool exists = false;
  int64_t index = 0;
  std::string value;
  int64_t last_index = 0;  // last index the key ever had (for stale expectations)
  // Latest index a known-outcome reply showed: clients can only expect what they saw.
  int64_t published = 0;
  int64_t published_before = 0;  // the one before it (a stale expectation)
};

}  // namespace

history::History GenerateCmpxchgHistory(const CmpxchgHistoryOptions& o, uint64_t seed) {
  Rng rng(seed);
  history::History h;
  h.set_source(absl::StrCat("generated cmpxchg history, seed ", seed));
  // Invocation times: each client runs one operation at a time.
  using Slot = std::pair<int64_t, int64_t>;  // (free at, client)
  std::priority_queue<Slot, std::vector<Slot>, std::greater<Slot>> free;
  for (int c = 0; c < o.client_count; ++c) free.push({rng.Below(o.max_duration_ns), c});
  std::vector<int64_t> effect_time;
  for (int i = 0; i < o.operation_count; ++i) {
    auto [t, client] = free.top();
    free.pop();
    const int64_t duration = 1 + rng.Below(o.max_duration_ns);
    history::Operation* op = h.add_operations();
    op->set_id(i);
    op->set_client_id(client);
    op->set_node(std::string(1, static_cast<char>('A' + client % 3)));
    op->set_key(absl::StrCat("k", rng.Below(o.key_count)));
    op->set_invoke_time_ns(t);
    op->set_return_time_ns(t + duration);
    effect_time.push_back(t + rng.Below(duration + 1));
    const int64_t r = rng.Below(1000);
    if (r < o.delete_per_mille) op->set_kind(history::CMPXCHG_DELETE);
    else if (r < o.delete_per_mille + o.local_get_per_mille) op->set_kind(history::CMPXCHG_GET_LOCAL);
    else if (r < o.delete_per_mille + o.local_get_per_mille + o.get_per_mille) {
      op->set_kind(history::CMPXCHG_GET_LINEARIZABLE);
    } else {
      op->set_kind(history::CMPXCHG_PUT);
      *op->mutable_value() = history::StrValue(absl::StrCat("v", i));
    }
    free.push({t + duration + rng.Below(o.max_duration_ns / 4 + 1), client});
  }
  // Apply in effect order against the reference store.
  std::vector<int> order(o.operation_count);
  for (int i = 0; i < o.operation_count; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return effect_time[a] < effect_time[b]; });
  std::map<std::string, Item> store;
  int64_t raft_index = 0;
  for (int i : order) {
    history::Operation& op = *h.mutable_operations(i);
    Item& item = store[op.key()];
    const bool unknown = rng.Below(1000) < o.unknown_per_mille;
    const bool takes_effect = !unknown || rng.Below(2) == 0;
    if (op.kind() == history::CMPXCHG_PUT || op.kind() == history::CMPXCHG_DELETE) {
      // Mostly the current index; sometimes a stale or absent-form one.
      const int64_t pick = rng.Below(10);
      op.set_index(pick < 7 ? item.published : pick < 9 ? item.published_before : 0);
    }
    if (takes_effect) {
      const int64_t index = ++raft_index;
      switch (op.kind()) {
        case history::CMPXCHG_PUT: {
          const bool applies = !item.exists || item.index == op.index();
          op.set_successful(applies);
          if (applies) {
            item = Item{true, index, op.value().str(), index};
          }
          op.set_result_index(item.index);
          *op.mutable_result() = history::StrValue(item.value);
          break;
        }
        case history::CMPXCHG_DELETE: {
          const bool applies = !item.exists || item.index == op.index();
          op.set_successful(applies);
          if (!applies) {
            op.set_result_index(item.index);
            *op.mutable_result() = history::StrValue(item.value);
          } else {
            op.set_result_index(index);
            item.exists = false;
            item.last_index = index;
          }
          break;
        }
        default:  // GETs
          --raft_index;  // reads do not go through the log here
          op.set_result_index(item.exists ? item.index : 0);
          if (item.exists) *op.mutable_result() = history::StrValue(item.value);
          break;
      }
    }
    if (takes_effect && !unknown && op.has_result_index() &&
        op.result_index() != item.published) {
      item.published_before = item.published;
      item.published = op.result_index();
    }
    if (unknown) {
      op.clear_return_time_ns();
      op.clear_result();
      op.clear_result_index();
      op.clear_successful();
      op.set_outcome(history::UNKNOWN);
    } else {
      op.set_outcome(history::OK);
    }
  }
  return h;
}

}  // namespace ravensim::checkers
