// kernel_demo: a short run of the simulation kernel alone (no RavenDB model), printing
// the seed, the simulated time, the event counts and, last, the run's fingerprint.
//
//   bazel run //tools:kernel_demo -- --seed 7 [--trace FILE]
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "sim/kernel_demo.h"
#include "sim/trace.h"

int main(int argc, char** argv) {
  CLI::App app{"kernel_demo: a short deterministic run of the ravensim kernel"};
  uint64_t seed = 1;
  int nodes = 5;
  int64_t seconds = 10;
  std::string trace_path;
  app.add_option("--seed", seed, "run seed")->capture_default_str();
  app.add_option("--nodes", nodes, "number of simulated nodes")
      ->check(CLI::Range(2, 64))
      ->capture_default_str();
  app.add_option("--seconds", seconds, "simulated seconds to run")
      ->check(CLI::Range(int64_t{1}, int64_t{3600}))
      ->capture_default_str();
  app.add_option("--trace", trace_path, "write the full trace as JSONL to this file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  std::cout << "seed: " << seed << "\n";
  std::cout << "reproduce: bazel run //tools:kernel_demo -- --seed " << seed << " --nodes "
            << nodes << " --seconds " << seconds << "\n";
  std::ofstream trace_file;
  const std::string temp_path = trace_path + ".tmp";
  if (!trace_path.empty()) {
    trace_file.open(temp_path, std::ios::trunc);
    if (!trace_file) {
      std::cerr << "kernel_demo: cannot write trace file '" << trace_path << "'\n";
      return 2;
    }
  }
  auto result = ravensim::sim::RunKernelDemo(
      {.seed = seed,
       .node_count = nodes,
       .duration = ravensim::sim::SimDuration::Seconds(seconds),
       .trace_jsonl = trace_path.empty() ? nullptr : &trace_file});
  if (!result.ok()) {
    std::cerr << "kernel_demo: " << result.status() << "\n";
    return 1;
  }
  if (!trace_path.empty()) {
    trace_file.close();
    if (!trace_file || std::rename(temp_path.c_str(), trace_path.c_str()) != 0) {
      std::cerr << "kernel_demo: failed to write trace file '" << trace_path << "'\n";
      return 2;
    }
  }
  std::cout << "simulated time: " << ravensim::sim::FormatSimTime(result->end_time) << "\n";
  std::cout << "events: " << result->events_run << "\n";
  std::cout << "trace events: " << result->trace_events << "\n";
  std::cout << "messages delivered: " << result->messages_delivered << "\n";
  std::cout << "fingerprint: " << ravensim::sim::FormatFingerprint(result->fingerprint)
            << "\n";
  return 0;
}
