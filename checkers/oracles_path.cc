#include "checkers/oracles_path.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ravensim::checkers {

namespace fs = std::filesystem;

absl::StatusOr<std::string> FindOraclesDir() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("RAVENSIM_ORACLES")) candidates.push_back(env);
  for (const char* var : {"TEST_SRCDIR", "RUNFILES_DIR"}) {
    const char* dir = std::getenv(var);
    if (dir == nullptr) continue;
    std::error_code ec;
    const fs::path anchor = fs::path(dir) / "ravensim" / "checkers" / "BUILD.bazel";
    const fs::path real = fs::canonical(anchor, ec);
    if (!ec) {
      candidates.push_back((real.parent_path().parent_path().parent_path() / "shared" /
                            "oracles").string());
    }
  }
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY")) {
    candidates.push_back((fs::path(ws).parent_path() / "shared" / "oracles").string());
  }
  candidates.push_back("../shared/oracles");
  candidates.push_back("/work/shared/oracles");
  for (const std::string& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(fs::path(c) / "README.md", ec)) return c;
  }
  return absl::NotFoundError(absl::StrCat("shared/oracles not found; tried: ",
                                          absl::StrJoin(candidates, ", ")));
}

}  // namespace ravensim::checkers
