// RegisterStateMachine: a small replicated key -> value register applied from the
// Rachis log (RAVENDB_MODEL.md §0: cluster-layer state is linearizable because it goes
// through Raft). Supports write, read and compare-and-set; every result carries the
// Rachis index that produced it, as compare-exchange results do in RavenDB (§4.1).
//
// Deterministic: the state is kept sorted by key, snapshots are sorted. Thread-compatible.
#ifndef RAVENSIM_CORE_CLUSTER_REGISTER_STATE_MACHINE_H_
#define RAVENSIM_CORE_CLUSTER_REGISTER_STATE_MACHINE_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cluster/register.pb.h"
#include "core/rachis/rachis_node.h"

namespace ravensim::cluster {

// The register's key -> value pairs, sorted by key (bytewise, as std::string compares):
// one vector, searched (in order up to kLinearSearchMax entries, else by bisection) over
// the keys' first eight bytes held as integers (a parallel vector), the rest compared
// only between keys that share them; a std::map
// walked its nodes and called memcmp at each. Read-only outside the state machine;
// offers the lookups of the map it replaced.
class RegisterValues {
 public:
  using value_type = std::pair<std::string, std::string>;
  using iterator = std::vector<value_type>::const_iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const_iterator find(std::string_view key) const {
    bool found = false;
    const size_t i = Search(key, &found);
    return found ? begin() + static_cast<std::ptrdiff_t>(i) : end();
  }
  size_t count(std::string_view key) const { return find(key) == end() ? 0 : 1; }
  // The value at `key`; throws std::out_of_range if absent (as std::map::at).
  const std::string& at(std::string_view key) const;
  bool operator==(const RegisterValues& other) const { return entries_ == other.entries_; }

  // The value at `key`, inserted empty if absent: {value, whether it was there}.
  [[gnu::always_inline]] std::pair<std::string*, bool> FindOrInsert(std::string_view key) {
    bool found = false;
    const size_t i = Search(key, &found);
    if (found) return {&entries_[i].second, true};
    return {InsertAt(i, key), false};
  }
  // nullptr if absent.
  [[gnu::always_inline]] std::string* FindValue(std::string_view key) {
    bool found = false;
    const size_t i = Search(key, &found);
    return found ? &entries_[i].second : nullptr;
  }
  void clear() {
    entries_.clear();
    prefixes_.clear();
  }
  // Appends (key, value): keys must come in increasing order (else use FindOrInsert).
  void AppendSorted(std::string key, std::string value) {
    prefixes_.push_back(Prefix(key));
    entries_.emplace_back(std::move(key), std::move(value));
  }

  // The first eight bytes of `key` as a big-endian integer, zero-padded: keys order as
  // their prefixes do wherever those differ. Every apply computes one, so a short key is
  // read as two overlapping loads (its first and its last two or four bytes, each put
  // where its bytes belong) instead of byte by byte. (PrefixByBytes is the definition.)
  static uint64_t Prefix(std::string_view key) {
    const char* const s = key.data();
    const size_t n = key.size();
    if (n >= 8) return LoadBigEndian<uint64_t>(s);
    if (n >= 4) {
      return (uint64_t{LoadBigEndian<uint32_t>(s)} << 32) |
             (uint64_t{LoadBigEndian<uint32_t>(s + n - 4)} << (8 * (8 - n)));
    }
    if (n >= 2) {
      return (uint64_t{LoadBigEndian<uint16_t>(s)} << 48) |
             (uint64_t{LoadBigEndian<uint16_t>(s + n - 2)} << (8 * (8 - n)));
    }
    return n == 1 ? uint64_t{static_cast<uint8_t>(s[0])} << 56 : 0;
  }
  // Prefix() byte by byte, as it was first written (register_state_machine_test compares).
  static uint64_t PrefixByBytes(std::string_view key) {
    const size_t n = key.size() < 8 ? key.size() : 8;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(key[i]);
    // (An empty key's prefix is 0: a shift by 64 bits would be undefined.)
    return n == 8 || n == 0 ? v : v << (8 * (8 - n));
  }

 private:
  // The index of the first entry whose key is not below `key` (size() if none), and
  // whether its key is `key`.
  [[gnu::always_inline]] size_t Search(std::string_view key, bool* found) const {
    const uint64_t prefix = Prefix(key);
    const uint64_t* const prefixes = prefixes_.data();
    // Whether entry i's key is below `key`.
    const auto below = [&](size_t i) {
      return prefixes[i] < prefix || (prefixes[i] == prefix && TieLess(entries_[i].first, key));
    };
    size_t first = 0;
    size_t count = prefixes_.size();
    if (count <= kLinearSearchMax) {
      // A few keys (a register's usual size): scanned in order, fewer steps than halving.
      while (first < count && below(first)) ++first;
      count = 0;
    }
    while (count > 0) {
      const size_t half = count / 2;
      const size_t middle = first + half;
      if (below(middle)) {
        first = middle + 1;
        count -= half + 1;
      } else {
        count = half;
      }
    }
    *found = first < prefixes_.size() && prefixes[first] == prefix &&
             entries_[first].first.size() == key.size() &&
             (key.size() <= 8 || std::string_view(entries_[first].first) == key);
    return first;
  }
  // a < b for keys of equal prefixes: two keys of up to eight bytes then differ only in
  // trailing zero bytes, so the shorter is below; longer keys are compared whole.
  static bool TieLess(std::string_view a, std::string_view b) {
    if (a.size() <= 8 && b.size() <= 8) return a.size() < b.size();
    return a < b;
  }
  [[gnu::noinline]] std::string* InsertAt(size_t i, std::string_view key);
  // The sizeof(Word) bytes at `p` as a big-endian integer.
  template <typename Word>
  static Word LoadBigEndian(const char* p) {
    Word v;
    std::memcpy(&v, p, sizeof(Word));
    if constexpr (std::endian::native == std::endian::little) {
      if constexpr (sizeof(Word) == 8) return __builtin_bswap64(v);
      if constexpr (sizeof(Word) == 4) return __builtin_bswap32(v);
      if constexpr (sizeof(Word) == 2) return __builtin_bswap16(v);
    }
    return v;
  }

  static constexpr size_t kLinearSearchMax = 8;  // entries scanned in order, not halved

  std::vector<value_type> entries_;
  std::vector<uint64_t> prefixes_;  // Prefix() of each entry's key
};

class RegisterStateMachine : public rachis::RachisStateMachine {
 public:
  // Applies a serialized RegisterCommand; returns a serialized RegisterResult. A command
  // that does not parse yields ok=false and changes nothing.
  std::string Apply(uint64_t index, const std::string& command) override;
  // The same result, written over `*result` (its room reused).
  void ApplyInto(uint64_t index, const std::string& command, std::string* result) override;
  std::string Serialize() const override;
  absl::Status Restore(const std::string& data) override;

  const RegisterValues& values() const { return values_; }
  uint64_t applied_count() const { return applied_count_; }

  // Helpers for clients and tests: the bytes RegisterCommand::SerializeAsString() writes
  // for the command, built directly (register_state_machine_test compares them).
  static std::string EncodeWrite(std::string_view key, std::string_view value);
  static std::string EncodeRead(std::string_view key);
  static std::string EncodeCas(std::string_view key, std::string_view expected,
                               std::string_view new_value);
  static absl::StatusOr<RegisterResult> DecodeResult(const std::string& bytes);

 private:
  RegisterValues values_;
  uint64_t applied_count_ = 0;  // not part of the replicated state
};

}  // namespace ravensim::cluster

#endif  // RAVENSIM_CORE_CLUSTER_REGISTER_STATE_MACHINE_H_
