// HistoryIndex: the LogHistory's positions by request id (RAVENDB_MODEL.md §1.4), an
// open-addressing table with linear probing.
//
// The index keeps no ids: each slot holds an id's hash and its position, and the caller
// says which id a position holds (`id_at(position)` -> std::string_view, called only for
// positions the index holds). A lookup compares hashes first and reads an id only when
// they match. Removal shifts the following slots back (no tombstones), so the table
// never degrades however many ids come and go. At most half full: probes stay short.
//
// Only ever looked up, never iterated: no hash order reaches behaviour.
#ifndef RAVENSIM_CORE_RACHIS_HISTORY_INDEX_H_
#define RAVENSIM_CORE_RACHIS_HISTORY_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace ravensim::rachis {

class HistoryIndex {
 public:
  // Room for `n` ids without growing.
  void Reserve(size_t n) {
    size_t capacity = kMinCapacity;
    while (capacity < 2 * n) capacity *= 2;
    if (capacity > slots_.size()) Rehash(capacity);
  }
  void Clear() {
    for (Slot& slot : slots_) slot = Slot{};
    count_ = 0;
  }
  size_t size() const { return count_; }

  // The position of `id` (whose hash is `hash`), if the index holds it.
  template <typename IdAt>
  bool Find(std::string_view id, uint64_t hash, const IdAt& id_at, uint64_t* position) const {
    if (count_ == 0) return false;
    for (size_t i = static_cast<size_t>(hash) & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.position_plus_one == 0) return false;
      if (slot.hash == hash && id_at(slot.position_plus_one - 1) == id) {
        *position = slot.position_plus_one - 1;
        return true;
      }
    }
  }

  // Maps `id` to `position`, replacing the position it had if the index holds it.
  // REQUIRES: id_at(position) == id for as long as the index holds the position.
  template <typename IdAt>
  void Insert(std::string_view id, uint64_t hash, uint64_t position, const IdAt& id_at) {
    if (2 * (count_ + 1) > slots_.size()) {
      Rehash(slots_.empty() ? kMinCapacity : 2 * slots_.size());
    }
    for (size_t i = static_cast<size_t>(hash) & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.position_plus_one == 0) {
        slot.hash = hash;
        slot.position_plus_one = position + 1;
        ++count_;
        return;
      }
      if (slot.hash == hash && id_at(slot.position_plus_one - 1) == id) {
        slot.position_plus_one = position + 1;
        return;
      }
    }
  }

  // Removes `id` if the index maps it to `position` (else changes nothing).
  template <typename IdAt>
  void EraseIfAt(std::string_view id, uint64_t hash, uint64_t position, const IdAt& id_at) {
    if (count_ == 0) return;
    size_t i = static_cast<size_t>(hash) & mask_;
    for (;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.position_plus_one == 0) return;
      if (slot.hash == hash && id_at(slot.position_plus_one - 1) == id) break;
    }
    if (slots_[i].position_plus_one != position + 1) return;
    // Backward-shift deletion: pull back every following slot of the run whose home is
    // not between the hole and it (cyclically), so every lookup still finds it.
    size_t hole = i;
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      const Slot& slot = slots_[j];
      if (slot.position_plus_one == 0) break;
      const size_t home = static_cast<size_t>(slot.hash) & mask_;
      // The slot may move to the hole iff its home is not in (hole, j].
      const bool home_after_hole = ((home - hole - 1) & mask_) < ((j - hole) & mask_);
      if (home_after_hole) continue;
      slots_[hole] = slot;
      hole = j;
    }
    slots_[hole] = Slot{};
    --count_;
  }

 private:
  static constexpr size_t kMinCapacity = 16;
  struct Slot {
    uint64_t hash = 0;
    uint64_t position_plus_one = 0;  // 0: empty
  };
  void Rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (const Slot& slot : old) {
      if (slot.position_plus_one == 0) continue;
      size_t i = static_cast<size_t>(slot.hash) & mask_;
      while (slots_[i].position_plus_one != 0) i = (i + 1) & mask_;
      slots_[i] = slot;  // ids are distinct: no comparison needed
    }
  }

  std::vector<Slot> slots_;  // size: 0 or a power of two
  size_t mask_ = 0;
  size_t count_ = 0;
};

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_HISTORY_INDEX_H_
