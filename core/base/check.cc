#include "core/base/check.h"

#include <cstdio>
#include <cstdlib>

namespace ravensim::base_internal {

void CheckFailed(const char* file, int line, const std::string& message) {
  // ABSL_RAW_LOG truncates long messages; print the whole text first.
  std::fprintf(stderr, "%s:%d: %s\n", file, line, message.c_str());
  std::fflush(stderr);
  ABSL_RAW_LOG(FATAL, "%s:%d: check failed (see above)", file, line);
  std::abort();  // Not reached: FATAL aborts. Keeps [[noreturn]] honest.
}

}  // namespace ravensim::base_internal
