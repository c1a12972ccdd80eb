// Small random register histories for tests that compare search variants with each
// other or with a plain search over orders (search_test, models_test). Test-only.
#ifndef RAVENSIM_CHECKERS_RANDOM_REGISTER_HISTORIES_H_
#define RAVENSIM_CHECKERS_RANDOM_REGISTER_HISTORIES_H_

#include <cstdint>
#include <vector>

#include "checkers/history/history.h"
#include "checkers/models.h"
#include "checkers/search.h"

namespace ravensim::checkers {

struct RandomRegisterShape {
  int min_values = 3;  // distinct values written, besides absent
  int max_values = 3;
  int max_ops = 8;      // 2 to 1 + max_ops operations
  int unknown_in = 5;   // one operation in `unknown_in` has an unknown outcome
  bool unknown_reads = true;
};

// A deterministic stream of histories: each Next() call interns its values into `m`
// (a fresh model) and returns operations on overlapping intervals. Reads, writes and cas
// operations (successful or not, with any expected value) in equal parts.
class RandomRegisterHistories {
 public:
  explicit RandomRegisterHistories(uint64_t seed) : x_(seed) {}

  std::vector<ModelOp<RegisterModel::Input>> Next(const RandomRegisterShape& shape,
                                                  RegisterModel* m) {
    const int values = shape.min_values + static_cast<int>(Draw(
                                              shape.max_values - shape.min_values + 1));
    std::vector<int32_t> ids = {0};
    for (int i = 1; i <= values; ++i) ids.push_back(m->values().Intern(history::IntValue(i)));
    std::vector<ModelOp<RegisterModel::Input>> ops;
    const int n = 2 + static_cast<int>(Draw(shape.max_ops));
    int64_t t = 0;
    for (int i = 0; i < n; ++i) {
      t += static_cast<int64_t>(Draw(3));
      ModelOp<RegisterModel::Input> op;
      op.invoke_time = t;
      op.return_time = t + 1 + static_cast<int64_t>(Draw(6));
      op.outcome_unknown = Draw(shape.unknown_in) == 0;
      const int32_t written = ids[1 + Draw(values)], any = ids[Draw(ids.size())];
      switch (Draw(3)) {
        case 0:
          op.input = {.kind = history::REGISTER_READ, .result = any};
          if (!shape.unknown_reads) op.outcome_unknown = false;
          break;
        case 1:
          op.input = {.kind = history::REGISTER_WRITE, .value = written};
          break;
        default:
          op.input = {.kind = history::REGISTER_CAS, .value = written, .expected = any,
                      .successful = Draw(2) == 0};
          break;
      }
      if (op.outcome_unknown) op.return_time = kReturnNever;
      op.history_index = i;
      ops.push_back(op);
    }
    return ops;
  }

 private:
  uint64_t Draw(uint64_t n) {
    x_ = search_internal::Mix64(x_);
    return x_ % n;
  }
  uint64_t x_;
};

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_RANDOM_REGISTER_HISTORIES_H_
