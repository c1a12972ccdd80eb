// Test-only: integer settings from the environment, for tests that run longer hunts
// outside CI when asked (rachis_sweep_test, scenario_generated_test). Never read inside
// a simulation: a test reads them once to decide which seeds or cases to run.
#ifndef RAVENSIM_SIM_TEST_ENV_H_
#define RAVENSIM_SIM_TEST_ENV_H_

#include <climits>

namespace ravensim::sim {

// The integer in environment variable `name` (as atoi reads it: text that is not a
// number is 0) if it is set and within [min, max], else `fallback`.
int EnvInt(const char* name, int fallback, int min, int max = INT_MAX);

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_TEST_ENV_H_
