// Running one seed in a child process, so that a run which dies — a CHECK failure in the
// modelled system (a programmer error the simulation found), an abort, a crash — becomes
// a failing result instead of ending a whole sweep or shrink.
//
// The child (fork) runs `run`, writes the SeedResult to a pipe and exits; the parent
// collects it, with the tail of the child's stderr. A child that dies yields
//   passed: false, signature: "crash:<first CHECK line, values dropped>" (or
//   "crash:signal <n>"), error: the last lines of its stderr.
// Deterministic runs make the crash reproduce in process with the same seed.
//
// Thread-safe: may be called from several sweep workers at once; the child only runs the
// simulation and writes to its pipes.
#ifndef RAVENSIM_TOOLS_SCENARIO_ISOLATED_RUN_H_
#define RAVENSIM_TOOLS_SCENARIO_ISOLATED_RUN_H_

#include <cstdint>
#include <functional>
#include <string>

#include "tools/scenario/sweep.pb.h"

namespace ravensim::tools {

// `reproduce` is recorded in the result of a child that died.
SeedResult RunSeedIsolated(uint64_t seed, const std::function<SeedResult(uint64_t)>& run,
                           const std::string& reproduce);

// The signature of a crash from the child's stderr and exit status (exposed for tests).
std::string CrashSignature(const std::string& stderr_text, int signal_number);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_ISOLATED_RUN_H_
