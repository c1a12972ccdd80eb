#include "tools/scenario/command_util.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "checkers/history/history.h"
#include "sim/trace.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string ResolveUserPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  if (const char* cwd = Env("BUILD_WORKING_DIRECTORY")) return absl::StrCat(cwd, "/", path);
  return path;
}

std::string LibraryDir(const std::string& dir) {
  if (!dir.empty()) return ResolveUserPath(dir);
  if (const char* workspace = Env("BUILD_WORKSPACE_DIRECTORY")) {
    return absl::StrCat(workspace, "/scenarios/cluster");
  }
  return "scenarios/cluster";
}

absl::StatusOr<std::vector<std::string>> ListScenarioFiles(const std::string& dir) {
  if (!IsDirectory(dir)) {
    return absl::NotFoundError(absl::StrCat(
        dir, ": no such scenario directory (run from the repository root, or give DIR)"));
  }
  std::vector<std::string> files;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return absl::PermissionDeniedError(absl::StrCat(dir, ": cannot read"));
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    const std::string suffix = ".textproto";
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(absl::StrCat(dir, "/", name));
    }
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<scenarios::Scenario> LoadOrReport(const std::string& path) {
  auto scenario = LoadScenarioFile(ResolveUserPath(path));
  if (!scenario.ok()) {
    std::cerr << scenario.status().message() << "\n";
    return std::nullopt;
  }
  return *std::move(scenario);
}

std::string ReproduceCommand(const std::string& path, uint64_t seed) {
  if (Env("BUILD_WORKSPACE_DIRECTORY") != nullptr) {
    return absl::StrCat("bazel run -c opt //tools:ravensim -- run ", path, " --seed ", seed);
  }
  return absl::StrCat("ravensim run ", path, " --seed ", seed);
}

uint64_t DefaultSeed(const scenarios::Scenario& scenario) {
  return scenario.seeds_size() > 0 ? scenario.seeds(0) : 1;
}

std::string SeedTextError(const std::string& text) {
  uint64_t seed = 0;
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (digits && absl::SimpleAtoi(text, &seed)) return "";
  return absl::StrCat("expected a seed from 0 to 18446744073709551615, got '", text, "'");
}

std::string FormatWall(int64_t nanos) {
  return absl::StrFormat("%d.%02ds", nanos / 1'000'000'000, (nanos / 10'000'000) % 100);
}

void PrintRunSummary(const scenarios::Scenario& scenario, const RunReport& r,
                     std::ostream& out) {
  out << "scenario: " << scenario.name();
  if (!scenario.description().empty()) out << " — " << scenario.description();
  out << "\n";
  out << "simulated time: " << sim::FormatSimTime(r.end_time) << "  events: " << r.events
      << "  wall time: " << FormatWall(r.wall_time_ns) << "\n";
  out << "operations: " << r.operations_ok << " ok, " << r.operations_fail << " fail, "
      << r.operations_unknown << " unknown\n";
  out << "faults injected: " << r.faults_injected << "  leader changes: " << r.leader_changes
      << "\n";
  if (!r.topology.empty()) out << "topology: " << r.topology << "\n";
  if (!r.leaderless_nodes.empty()) out << "no leader at the end: " << r.leaderless_nodes << "\n";
  if (!r.election_deadlock.empty()) {
    out << "no election can ever succeed: " << r.election_deadlock << "\n";
  }
  if (!r.status.ok()) out << "run did not complete: " << r.status.message() << "\n";
  out << "checks:\n";
  size_t width = 0;
  for (const CheckReport& c : r.checks) width = std::max(width, c.name.size());
  for (const CheckReport& c : r.checks) {
    std::string verdict = VerdictName(c.verdict);
    if (c.expected_violated) absl::StrAppend(&verdict, " (expected violated)");
    out << "  " << c.name << std::string(width - c.name.size() + 2, ' ') << verdict
        << (c.as_expected() ? "" : "  <-- NOT AS EXPECTED") << "\n      " << c.detail << "\n";
  }
  out << "result: "
      << (r.passed() ? "PASS (every check as expected)"
                     : absl::StrCat("FAIL (", r.Signature(), ")"))
      << "\n";
  out << "fingerprint: " << sim::FormatFingerprint(r.fingerprint) << "\n";
}

bool WriteHistory(const RunReport& report, const std::string& path) {
  const absl::Status status = history::WriteJsonlFile(report.history, ResolveUserPath(path));
  if (!status.ok()) std::cerr << "--history: " << status.message() << "\n";
  return status.ok();
}

bool WriteTimeline(const RunReport& report, const std::string& path) {
  const absl::Status status = report.timeline.WriteFile(ResolveUserPath(path));
  if (!status.ok()) std::cerr << "--timeline: " << status.message() << "\n";
  return status.ok();
}

}  // namespace ravensim::tools
