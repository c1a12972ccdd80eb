// ravensim sweep SCENARIO --seeds A..B [--jobs J] [--shard i/N] [--out DIR] [--resume]
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tools/scenario/command_util.h"
#include "tools/scenario/isolated_run.h"
#include "tools/scenario/scenario_commands.h"
#include "tools/scenario/sweep.h"

namespace ravensim::tools {
namespace {

struct SweepFlags {
  std::string scenario;
  std::string seeds;
  int32_t jobs = 1;
  std::string shard = "0/1";
  std::string out;
  bool resume = false;
  bool no_progress = false;
  bool in_process = false;
};

int SweepMain(const SweepFlags& flags) {
  auto range = ParseSeedRange(flags.seeds);
  auto shard = ParseShard(flags.shard);
  if (!range.ok() || !shard.ok()) {
    std::cerr << (range.ok() ? shard.status() : range.status()).message() << "\n";
    return kExitBadInput;
  }
  if (flags.resume && flags.out.empty()) {
    std::cerr << "--resume needs --out DIR (where the earlier results are)\n";
    return kExitBadInput;
  }
  std::optional<scenarios::Scenario> scenario = LoadOrReport(flags.scenario);
  if (!scenario.has_value()) return kExitBadInput;
  SweepOptions options;
  options.seeds = SeedsForShard(*range, *shard);
  options.jobs = flags.jobs;
  options.out_dir = flags.out.empty() ? "" : ResolveUserPath(flags.out);
  options.resume = flags.resume;
  if (!flags.no_progress && isatty(STDERR_FILENO)) options.progress = &std::cerr;
  std::cout << "sweep: " << scenario->name() << ", seeds " << range->first << ".."
            << range->last << ", shard " << shard->index << "/" << shard->count << " ("
            << options.seeds.size() << " seeds), " << flags.jobs << " job"
            << (flags.jobs == 1 ? "" : "s") << "\n"
            << std::flush;
  const scenarios::Scenario& s = *scenario;
  const std::string path = flags.scenario;
  auto run_seed = [&s, &path](uint64_t seed) {
    RunOptions run;
    run.seed = seed;
    run.checker_threads = 1;  // The sweep's jobs already use the cores.
    return ToSeedResult(RunScenario(s, run), ReproduceCommand(path, seed));
  };
  const bool in_process = flags.in_process;
  // A run that dies (a CHECK in the modelled system) is a failing seed, not the end of
  // the sweep: seeds run in child processes, one long-lived child per sweep thread,
  // all ended when this sweep ends. The children are forked here, before the sweep's
  // threads exist (IsolatedWorker::Start); only a child replacing one that crashed is
  // forked from a sweep thread.
  std::vector<std::unique_ptr<IsolatedWorker>> workers;
  if (!in_process && flags.jobs >= 1 && flags.jobs <= kMaxSweepJobs) {  // else RunSweep refuses
    const size_t count = std::min<size_t>(static_cast<size_t>(flags.jobs),
                                          std::max<size_t>(options.seeds.size(), 1));
    for (size_t i = 0; i < count; ++i) {
      workers.push_back(std::make_unique<IsolatedWorker>(run_seed));
      workers.back()->Start();
    }
  }
  std::mutex mu;
  std::map<std::thread::id, IsolatedWorker*> worker_of_thread;
  auto summary = RunSweep(options, [&](uint64_t seed) {
    if (in_process) return run_seed(seed);
    IsolatedWorker* worker = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto [it, inserted] = worker_of_thread.try_emplace(std::this_thread::get_id(), nullptr);
      if (inserted) {
        // RunSweep runs at most min(jobs, seeds) threads: one started worker each.
        const size_t index = worker_of_thread.size() - 1;
        if (index == workers.size()) workers.push_back(std::make_unique<IsolatedWorker>(run_seed));
        it->second = workers[index].get();
      }
      worker = it->second;
    }
    return worker->Run(seed, ReproduceCommand(path, seed));
  });
  workers.clear();
  if (!summary.ok()) {
    std::cerr << summary.status().message() << "\n";
    return kExitBadInput;
  }
  PrintSweepSummary(*summary, static_cast<int64_t>(options.seeds.size()), std::cout);
  for (const SeedResult& r : summary->results) {
    if (!r.passed()) return kExitFailed;
  }
  return summary->interrupted ? kExitFailed : kExitOk;
}

}  // namespace

void AddSweepCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<SweepFlags>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a scenario over a range of seeds in parallel; one result file per seed "
               "(atomic, resumable); a summary of failing seeds grouped by violation, each "
               "with its reproduce command.");
  sweep->add_option("scenario", flags->scenario, "Scenario file (.textproto)")->required();
  sweep->add_option("--seeds", flags->seeds, "Seed range A..B (inclusive)")->required();
  sweep->add_option("--jobs,-j", flags->jobs, "Simulations run in parallel (default 1)");
  sweep->add_option("--shard", flags->shard,
                    "Run only shard i of N (seeds whose offset in the range is i mod N); "
                    "default 0/1");
  sweep->add_option("--out", flags->out, "Write one result file per seed into DIR");
  sweep->add_flag("--resume", flags->resume, "Skip seeds that already have a result in --out");
  sweep->add_flag("--no-progress", flags->no_progress, "Never draw the progress bar");
  sweep->add_flag("--in-process", flags->in_process,
                  "Run seeds in this process instead of one child process per seed (a "
                  "crashing seed then ends the sweep)");
  sweep->callback([flags, action]() { *action = [flags]() { return SweepMain(*flags); }; });
}

}  // namespace ravensim::tools
