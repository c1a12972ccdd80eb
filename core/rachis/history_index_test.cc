// HistoryIndex against a reference map, under random inserts, re-inserts, conditional
// removals and lookups, with hashes that collide on purpose (few distinct low bits) so
// that runs wrap and backward shifts are exercised.
#include "core/rachis/history_index.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

// A deterministic 64-bit generator (splitmix64).
uint64_t Next(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void RunAgainstReference(uint64_t seed, int ids, uint64_t hash_mask, size_t reserve) {
  uint64_t state = seed;
  HistoryIndex index;
  index.Reserve(reserve);
  std::map<std::string, uint64_t> reference;  // id -> position
  std::map<uint64_t, std::string> id_of;      // position -> id (positions held or past)
  uint64_t next_position = 0;
  auto id_at = [&id_of](uint64_t position) -> std::string_view {
    auto it = id_of.find(position);
    EXPECT_NE(it, id_of.end()) << position;
    return it == id_of.end() ? std::string_view() : std::string_view(it->second);
  };
  auto hash_of = [hash_mask](const std::string& id) {
    uint64_t h = 1469598103934665603ull;
    for (char c : id) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    return h & hash_mask;
  };
  for (int step = 0; step < 20000; ++step) {
    const std::string id = "req-" + std::to_string(Next(&state) % static_cast<uint64_t>(ids));
    const uint64_t hash = hash_of(id);
    switch (Next(&state) % 4) {
      case 0:
      case 1: {  // insert at a new position (re-insert: the id moves there)
        const uint64_t position = next_position++;
        id_of[position] = id;
        index.Insert(id, hash, position, id_at);
        reference[id] = position;
        break;
      }
      case 2: {  // remove if at its current position, or try a stale one
        auto it = reference.find(id);
        if (it == reference.end()) {
          index.EraseIfAt(id, hash, next_position + 5, id_at);
          break;
        }
        const bool stale = Next(&state) % 3 == 0;
        const uint64_t position = stale ? it->second + 1 : it->second;
        index.EraseIfAt(id, hash, position, id_at);
        if (!stale) reference.erase(it);
        break;
      }
      case 3: {  // look up
        uint64_t position = 0;
        const bool found = index.Find(id, hash, id_at, &position);
        auto it = reference.find(id);
        ASSERT_EQ(found, it != reference.end()) << id << " at step " << step;
        if (found) {
          ASSERT_EQ(position, it->second) << id;
        }
        break;
      }
    }
    ASSERT_EQ(index.size(), reference.size()) << "step " << step;
  }
  for (const auto& [id, position] : reference) {
    uint64_t found_position = 0;
    ASSERT_TRUE(index.Find(id, hash_of(id), id_at, &found_position)) << id;
    EXPECT_EQ(found_position, position);
  }
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  uint64_t ignored = 0;
  EXPECT_FALSE(index.Find("req-1", hash_of("req-1"), id_at, &ignored));
}

TEST(HistoryIndexTest, MatchesReferenceWithWellSpreadHashes) {
  RunAgainstReference(1, 300, ~uint64_t{0}, 0);
  RunAgainstReference(2, 5000, ~uint64_t{0}, 4096);
}

TEST(HistoryIndexTest, MatchesReferenceWithCollidingHashes) {
  RunAgainstReference(3, 200, 0x7, 0);      // 8 distinct hashes: long runs
  RunAgainstReference(4, 200, 0xF0, 64);    // low bits all zero: one home slot
  RunAgainstReference(5, 1000, 0x3F, 16);
}

}  // namespace
}  // namespace ravensim::rachis
