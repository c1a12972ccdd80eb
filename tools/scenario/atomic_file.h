// Writing result files so that a reader (or a resumed sweep) sees either the whole file
// or nothing: write a temporary file in the same directory, fsync it, rename it over
// the target, fsync the directory. An interrupted writer leaves at most a stray
// "<name>.tmp.<pid>.<n>" file, which readers ignore.
//
// Thread-safe (temporary names are unique per process and call).
#ifndef RAVENSIM_TOOLS_SCENARIO_ATOMIC_FILE_H_
#define RAVENSIM_TOOLS_SCENARIO_ATOMIC_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace ravensim::tools {

absl::Status WriteFileAtomically(const std::string& path, std::string_view contents);

// True if `file_name` is a temporary left by an interrupted WriteFileAtomically.
bool IsAtomicTempFile(std::string_view file_name);

// Creates `dir` and its parents if missing.
absl::Status MakeDirectories(const std::string& dir);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_ATOMIC_FILE_H_
