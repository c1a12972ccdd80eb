#include "checkers/search.h"

#include <numeric>

namespace ravensim::checkers {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kLinearizable:
      return "linearizable";
    case Verdict::kNotLinearizable:
      return "not linearizable";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "unknown";
}

namespace search_internal {

std::vector<Event> BuildEvents(const std::vector<int64_t>& invoke_times,
                               const std::vector<int64_t>& return_times) {
  const int n = static_cast<int>(invoke_times.size());
  // Sort keys: (time, call before return, op position) — a total, input-only order.
  struct Key {
    int64_t time;
    int kind;  // 0 call, 1 return
    int32_t op;
  };
  std::vector<Key> keys;
  keys.reserve(2 * n);
  for (int i = 0; i < n; ++i) {
    keys.push_back(Key{invoke_times[i], 0, i});
    keys.push_back(Key{return_times[i], 1, i});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.op < b.op;
  });
  std::vector<Event> ev(keys.size() + 1);
  std::vector<int32_t> call_of(n, -1);
  for (size_t k = 0; k < keys.size(); ++k) {
    Event& e = ev[k + 1];
    e.op = keys[k].op;
    e.is_call = keys[k].kind == 0;
    e.prev = static_cast<int32_t>(k);
    e.next = k + 1 < keys.size() ? static_cast<int32_t>(k + 2) : -1;
    if (e.is_call) {
      call_of[e.op] = static_cast<int32_t>(k + 1);
    } else {
      CHECK_GE(call_of[e.op], 0);  // return before its call: times were not validated
      ev[call_of[e.op]].match = static_cast<int32_t>(k + 1);
    }
  }
  ev[0].next = keys.empty() ? -1 : 1;
  return ev;
}

void VisitedSet::Reset(int words) {
  constexpr size_t kKeepSlots = size_t{1} << 18;
  words_ = words;
  if (slots_.size() > kKeepSlots || slots_.empty()) {
    slots_.assign(1024, Slot());
  } else {
    std::fill(slots_.begin(), slots_.end(), Slot());
  }
  mask_ = slots_.size() - 1;
  hashes_.Clear(/*keep_blocks=*/64);
  arena_.Clear(/*keep_blocks=*/256);
}

void VisitedSet::Insert(uint64_t h, const uint64_t* bits) {
  if ((hashes_.size() + 1) * 2 > slots_.size()) Grow();
  const uint32_t id = static_cast<uint32_t>(hashes_.size());
  hashes_.push_back(h);
  for (int w = 0; w < words_; ++w) arena_.push_back(bits[w]);
  size_t slot = h & mask_;
  while (slots_[slot].id1 != 0) slot = (slot + 1) & mask_;
  slots_[slot] = Slot{id + 1, static_cast<uint32_t>(h >> 32)};
}

void VisitedSet::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot());
  mask_ = slots_.size() - 1;
  for (const Slot& e : old) {
    if (e.id1 == 0) continue;
    size_t slot = hashes_[e.id1 - 1] & mask_;
    while (slots_[slot].id1 != 0) slot = (slot + 1) & mask_;
    slots_[slot] = e;
  }
}

}  // namespace search_internal
}  // namespace ravensim::checkers
