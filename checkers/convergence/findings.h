// A property violation found by the convergence / durability / lost-update checkers
// (STYLE.md §D.3: returned as values, never crashes).
#ifndef RAVENSIM_CHECKERS_CONVERGENCE_FINDINGS_H_
#define RAVENSIM_CHECKERS_CONVERGENCE_FINDINGS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ravensim::checkers {

struct Finding {
  // "divergence", "conflict-policy", "missing-write", "lost-update",
  // "write-assurance", "elle-lost-update".
  std::string check;
  std::string database;
  std::string document;
  std::vector<std::string> nodes;    // sorted
  std::vector<int64_t> operations;   // history operation ids involved
  std::string message;
};

// "[check] db/document (nodes A,B; ops #1,#2): message"
std::string FormatFinding(const Finding& f);

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_CONVERGENCE_FINDINGS_H_
