// Running seeds in child processes, so that a run which dies — a CHECK failure in the
// modelled system (a programmer error the simulation found), an abort, a crash — becomes
// a failing result instead of ending a whole sweep.
//
// A child (fork) runs `run`, writes the SeedResult to a pipe; the parent collects it,
// with the tail of the child's stderr. A child that dies yields
//   passed: false, signature: "crash:<first CHECK line, values dropped>" (or
//   "crash:signal <n>"), error: the last lines of its stderr.
// Deterministic runs make the crash reproduce in process with the same seed.
//
// RunSeedIsolated forks one child per seed. IsolatedWorker keeps one child alive across
// seeds (seeds in, results out, over pipes) and replaces it only when it dies, which
// keeps the child's heap warm: forking per seed costs a fresh heap's page faults on
// every run.
//
// Thread-safety: RunSeedIsolated may be called from several threads at once; an
// IsolatedWorker belongs to one thread. Children only run simulations and write to
// their pipes.
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

class IsolatedWorker {
 public:
  explicit IsolatedWorker(std::function<SeedResult(uint64_t)> run);
  ~IsolatedWorker();  // Ends the child (it sees end of input) and reaps it.
  IsolatedWorker(const IsolatedWorker&) = delete;
  IsolatedWorker& operator=(const IsolatedWorker&) = delete;

  // Runs `seed` in the worker's child (starting one if needed).
  SeedResult Run(uint64_t seed, const std::string& reproduce);
  // Starts the child now, if none runs; false if it could not be started (Run tries
  // again). A child forked while other threads of this process run inherits any lock one
  // of them held at that moment (the allocator's, say) and can deadlock on it: start
  // workers before starting threads.
  bool Start();
  int64_t children_started() const { return children_started_; }

 private:
  bool Spawn();
  void Reap(int* status);

  std::function<SeedResult(uint64_t)> run_;
  int pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  int err_from_child_ = -1;
  int64_t children_started_ = 0;
};

// The signature of a crash from the child's stderr and exit status (exposed for tests).
std::string CrashSignature(const std::string& stderr_text, int signal_number);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_ISOLATED_RUN_H_
