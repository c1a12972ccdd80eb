// Finds ../shared/oracles (oracles/README.md) for tests and benchmarks, which read the
// external histories in place rather than copying them into the repository.
#ifndef RAVENSIM_CHECKERS_ORACLES_PATH_H_
#define RAVENSIM_CHECKERS_ORACLES_PATH_H_

#include <string>

#include "absl/status/statusor.h"

namespace ravensim::checkers {

// Tries, in order: $RAVENSIM_ORACLES; <source workspace>/../shared/oracles, where the
// source workspace is found by resolving the runfiles symlink of checkers/BUILD.bazel
// (tests) or $BUILD_WORKSPACE_DIRECTORY (bazel run); /work/shared/oracles. Returns
// NotFound listing every place tried.
absl::StatusOr<std::string> FindOraclesDir();

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_ORACLES_PATH_H_
