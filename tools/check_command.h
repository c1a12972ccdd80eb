// `ravensim check FILE [--format ravensim|jepsen-etcd|porcupine-kv]
//                      [--model cmpxchg|register|kv] [--html FILE]`
// Checks a history for linearizability (checkers/linearizability.h) and prints the
// verdict: "linearizable" (exit 0), "not linearizable" with the counterexample (exit 1),
// or "unknown" with why (exit 3). Unreadable or malformed input exits 2 with the file,
// line and field. Local compare-exchange GETs that fail the weaker check also exit 1.
#ifndef RAVENSIM_TOOLS_CHECK_COMMAND_H_
#define RAVENSIM_TOOLS_CHECK_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "tools/commands.h"

namespace ravensim::tools {

struct CheckArgs {
  std::string file;
  std::string format = "ravensim";  // ravensim (JSONL), jepsen-etcd, porcupine-kv
  std::string model;                // empty: inferred from the operation kinds
  std::string html;                 // empty: no HTML
  int threads = 2;
  int64_t max_steps = 50'000'000;   // search steps per key
};

// Runs the check; returns the exit code.
int RunCheck(const CheckArgs& args, std::ostream& out, std::ostream& err);

void AddCheckCommand(CLI::App& app, Action* action);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_CHECK_COMMAND_H_
