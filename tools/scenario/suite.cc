#include "tools/scenario/suite.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sim/time.h"
#include "tools/scenario/command_util.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/runner.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {

absl::StatusOr<std::vector<LoadedScenario>> LoadSuite(const std::string& dir) {
  auto files = ListScenarioFiles(dir);
  if (!files.ok()) return files.status();
  std::vector<LoadedScenario> loaded;
  std::vector<std::string> errors;
  for (const std::string& file : *files) {
    auto s = LoadScenarioFile(file);
    if (!s.ok()) {
      errors.push_back(std::string(s.status().message()));
      continue;
    }
    loaded.push_back(LoadedScenario{file, *std::move(s)});
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  if (loaded.empty()) return absl::NotFoundError(absl::StrCat(dir, ": no .textproto files"));
  return loaded;
}

std::vector<SuiteRow> RunSuite(const std::vector<LoadedScenario>& scenarios, int32_t jobs) {
  struct Job {
    const LoadedScenario* scenario;
    uint64_t seed;
  };
  std::vector<Job> work;
  for (const LoadedScenario& s : scenarios) {
    if (s.scenario.seeds_size() == 0) work.push_back(Job{&s, 1});
    for (uint64_t seed : s.scenario.seeds()) work.push_back(Job{&s, seed});
  }
  std::vector<SuiteRow> rows(work.size());
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    for (size_t i = next.fetch_add(1); i < work.size(); i = next.fetch_add(1)) {
      RunOptions options;
      options.seed = work[i].seed;
      options.checker_threads = 1;
      const RunReport report = RunScenario(work[i].scenario->scenario, options);
      SuiteRow& row = rows[i];
      row.scenario = work[i].scenario->scenario.name();
      row.file = work[i].scenario->file;
      row.seed = work[i].seed;
      row.checks = report.checks;
      if (!report.status.ok()) row.error = std::string(report.status.message());
      row.sim_time_ns = report.end_time.nanos();
      row.wall_time_ns = report.wall_time_ns;
      row.passed = report.passed();
      row.signature = report.Signature();
    }
  };
  std::vector<std::thread> pool;
  for (int32_t t = 1; t < std::max(jobs, 1); ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  return rows;
}

std::string CompactVerdicts(const std::vector<CheckReport>& checks) {
  std::vector<std::string> parts;
  for (const CheckReport& c : checks) {
    std::string part = absl::StrCat(c.name, "=", VerdictName(c.verdict));
    if (c.expected_violated) absl::StrAppend(&part, "(expected)");
    if (!c.as_expected()) absl::StrAppend(&part, "!");
    parts.push_back(std::move(part));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, " ");
}

void PrintSuiteTable(const std::vector<SuiteRow>& rows, std::ostream& out) {
  std::vector<std::vector<std::string>> table = {
      {"scenario", "seed", "result", "sim time", "wall time", "verdicts"}};
  int passed = 0;
  for (const SuiteRow& r : rows) {
    passed += r.passed ? 1 : 0;
    table.push_back({r.scenario, absl::StrCat(r.seed), r.passed ? "PASS" : "FAIL",
                     FormatDuration(sim::SimDuration::Nanos(r.sim_time_ns)),
                     FormatWall(r.wall_time_ns),
                     r.error.empty() ? CompactVerdicts(r.checks) : absl::StrCat("error: ", r.error)});
  }
  std::vector<size_t> width(table[0].size(), 0);
  for (const auto& line : table) {
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  for (const auto& line : table) {
    std::string text;
    for (size_t c = 0; c < line.size(); ++c) {
      absl::StrAppend(&text, line[c]);
      if (c + 1 < line.size()) absl::StrAppend(&text, std::string(width[c] - line[c].size() + 2, ' '));
    }
    out << text << "\n";
  }
  out << rows.size() << " runs, " << passed << " passed, " << rows.size() - passed
      << " failed\n";
  for (const SuiteRow& r : rows) {
    if (r.passed) continue;
    out << "FAIL " << r.scenario << " seed " << r.seed << ": " << r.signature << "\n"
        << "  reproduce: " << ReproduceCommand(r.file, r.seed) << "\n";
    for (const CheckReport& c : r.checks) {
      if (!c.as_expected()) out << "  " << c.name << ": " << c.detail << "\n";
    }
  }
}

}  // namespace ravensim::tools
