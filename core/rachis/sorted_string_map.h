// SortedStringMap: a map from strings to values kept as one sorted vector.
//
// The node's request maps (submissions pending here, requests in flight on the leader)
// hold a handful of entries at most, one per client request in progress, and every
// command inserts into and erases from them: a sorted vector keeps its room from one
// command to the next and, with short request ids (kept inline by std::string), neither
// allocates nor frees, where std::map allocates and rebalances a node per insertion.
// Iteration is in key order, exactly as std::map<std::string, V> iterates (the node's
// results and messages follow that order). Insertion and erasure move the entries after
// the position, and invalidate iterators and references after it (as a vector does).
#ifndef RAVENSIM_CORE_RACHIS_SORTED_STRING_MAP_H_
#define RAVENSIM_CORE_RACHIS_SORTED_STRING_MAP_H_

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ravensim::rachis {

template <typename V>
class SortedStringMap {
 public:
  using value_type = std::pair<std::string, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }

  // A scan for the equal key (sizes compared first): the map holds a handful of entries,
  // and the ids of requests in progress differ in their last characters, where a
  // binary search's ordering comparisons would read them all twice.
  iterator find(std::string_view key) {
    for (iterator it = items_.begin(); it != items_.end(); ++it) {
      if (it->first.size() == key.size() &&
          (key.empty() || std::memcmp(it->first.data(), key.data(), key.size()) == 0)) {
        return it;
      }
    }
    return items_.end();
  }
  const_iterator find(std::string_view key) const {
    return const_cast<SortedStringMap*>(this)->find(key);
  }
  size_t count(std::string_view key) const { return find(key) != end() ? 1 : 0; }

  // The value of `key`, inserted value-initialized if absent (std::map::operator[]).
  V& operator[](std::string_view key) {
    iterator it = LowerBound(key);
    if (it != items_.end() && std::string_view(it->first) == key) return it->second;
    return items_.emplace(it, std::string(key), V())->second;
  }

  iterator erase(iterator it) { return items_.erase(it); }
  size_t erase(std::string_view key) {
    iterator it = find(key);
    if (it == items_.end()) return 0;
    items_.erase(it);
    return 1;
  }
  void clear() { items_.clear(); }

 private:
  iterator LowerBound(std::string_view key) {
    return std::lower_bound(
        items_.begin(), items_.end(), key,
        [](const value_type& item, std::string_view k) { return std::string_view(item.first) < k; });
  }

  std::vector<value_type> items_;  // sorted by key, keys distinct
};

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_SORTED_STRING_MAP_H_
