#include "sim/test_env.h"

#include <cstdlib>

namespace ravensim::sim {

int EnvInt(const char* name, int fallback, int min, int max) {
  const char* env = std::getenv(name);
  if (env == nullptr) return fallback;
  const int value = std::atoi(env);
  return value >= min && value <= max ? value : fallback;
}

}  // namespace ravensim::sim
