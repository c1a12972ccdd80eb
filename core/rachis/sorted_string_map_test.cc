#include "core/rachis/sorted_string_map.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

template <typename V>
std::vector<std::pair<std::string, V>> Contents(const SortedStringMap<V>& map) {
  return {map.begin(), map.end()};
}

template <typename V>
std::vector<std::pair<std::string, V>> Contents(const std::map<std::string, V>& map) {
  return {map.begin(), map.end()};
}

// Random insertions, lookups, updates and erasures (by key, by iterator, while
// iterating), checked after every step against std::map: same entries in the same
// order. Keys share prefixes, differ in length, hold bytes >= 0x80 (ordered as unsigned,
// as std::string compares) and are sometimes too long to be kept inline.
TEST(SortedStringMapTest, BehavesAsStdMapUnderRandomOperations) {
  uint64_t state = 0x243f6a8885a308d3ull;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::string pieces[] = {"", "a", "b", "ab", "\x80", "\xff", "client-1-",
                                std::string(20, 'z'), std::string(1, '\0')};
  auto key = [&] {
    std::string k;
    for (uint64_t n = next() % 3; n > 0; --n) k += pieces[next() % 9];
    k += std::to_string(next() % 6);
    return k;
  };
  SortedStringMap<int64_t> map;
  std::map<std::string, int64_t> reference;
  for (int step = 0; step < 20000; ++step) {
    const std::string k = key();
    switch (next() % 7) {
      case 0:
      case 1: {
        const int64_t v = static_cast<int64_t>(next() % 1000);
        map[k] = v;
        reference[k] = v;
        break;
      }
      case 2: {
        auto it = map.find(k);
        auto ref = reference.find(k);
        ASSERT_EQ(it != map.end(), ref != reference.end());
        if (it != map.end()) {
          EXPECT_EQ(it->first, ref->first);
          EXPECT_EQ(it->second, ref->second);
          ++it->second;
          ++ref->second;
        }
        EXPECT_EQ(map.count(k), reference.count(k));
        break;
      }
      case 3:
        EXPECT_EQ(map.erase(k), reference.erase(k));
        break;
      case 4: {
        auto it = map.find(k);
        auto ref = reference.find(k);
        ASSERT_EQ(it != map.end(), ref != reference.end());
        if (it != map.end()) {
          auto after = map.erase(it);
          auto ref_after = reference.erase(ref);
          ASSERT_EQ(after != map.end(), ref_after != reference.end());
          if (after != map.end()) {
            EXPECT_EQ(after->first, ref_after->first);
          }
        }
        break;
      }
      case 5: {
        // Erase while iterating, as the node expires submissions.
        const int64_t threshold = static_cast<int64_t>(next() % 1000);
        for (auto it = map.begin(); it != map.end();) {
          it = it->second < threshold ? map.erase(it) : std::next(it);
        }
        for (auto it = reference.begin(); it != reference.end();) {
          it = it->second < threshold ? reference.erase(it) : std::next(it);
        }
        break;
      }
      case 6:
        if (next() % 50 == 0) {
          map.clear();
          reference.clear();
        }
        break;
    }
    ASSERT_EQ(map.empty(), reference.empty());
    ASSERT_EQ(map.size(), reference.size());
    ASSERT_EQ(Contents(map), Contents(reference)) << "step " << step;
  }
}

TEST(SortedStringMapTest, OperatorBracketInsertsValueInitialized) {
  SortedStringMap<uint64_t> map;
  EXPECT_EQ(map["b"], 0u);
  map["a"] = 7;
  map["c"] = 9;
  EXPECT_EQ(map["a"], 7u);
  ASSERT_EQ(map.size(), 3u);
  std::vector<std::string> keys;
  for (const auto& [k, v] : map) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace ravensim::rachis
