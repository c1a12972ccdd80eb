// Change vectors as the checkers need them (RAVENDB_MODEL.md §3.1): parsed from
// "A:7-<db id>, B:5-<db id>", keyed by db id, compared entry-wise with missing entries
// counting as 0. Written here rather than taken from core/ (checkers never depend on
// core/). Values; thread-compatible.
#ifndef RAVENSIM_CHECKERS_CONVERGENCE_CHANGE_VECTOR_H_
#define RAVENSIM_CHECKERS_CONVERGENCE_CHANGE_VECTOR_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ravensim::checkers {

enum class CvOrder { kEqual, kBefore, kAfter, kConcurrent };

class ChangeVector {
 public:
  // "" is the empty vector. Errors name the bad entry.
  static absl::StatusOr<ChangeVector> Parse(absl::string_view text);

  // Entry-wise comparison: kBefore if every entry of *this is <= other's and one is
  // smaller (other is causally later), kConcurrent if each has a larger entry.
  CvOrder Compare(const ChangeVector& other) const;
  // True if *this is equal to or causally after `other`.
  bool Contains(const ChangeVector& other) const;
  // Entry-wise maximum.
  ChangeVector Merge(const ChangeVector& other) const;
  // Canonical text, entries sorted by db id.
  std::string ToString() const;
  bool empty() const { return etag_by_db_.empty(); }

 private:
  struct Entry {
    std::string node_tag;
    int64_t etag = 0;
  };
  std::map<std::string, Entry> etag_by_db_;  // db id -> entry
};

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_CONVERGENCE_CHANGE_VECTOR_H_
