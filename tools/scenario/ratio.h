// Probabilities in scenario files: exact fractions "N/D" (scenario.proto, DiskFault):
// "1/20" is one operation in twenty, "0/1" never, "1/1" always. Integers only, so a
// scenario means the same draw on every machine (no floating point).
#ifndef RAVENSIM_TOOLS_SCENARIO_RATIO_H_
#define RAVENSIM_TOOLS_SCENARIO_RATIO_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sim/network_types.h"

namespace ravensim::tools {

// The largest denominator accepted: one in a billion.
inline constexpr uint64_t kMaxRatioDenominator = 1'000'000'000;

// Parses "N/D" with 0 <= N <= D and 1 <= D <= kMaxRatioDenominator (no sign, no spaces,
// no leading '+'). Errors (InvalidArgument) say what is wrong, e.g. "'3/2' is above 1".
absl::StatusOr<sim::Ratio> ParseRatio(std::string_view text);

// Like ParseRatio, but "" gives Ratio::Never().
absl::StatusOr<sim::Ratio> ParseRatioOr(std::string_view text);

// "N/D", as written (not reduced): what ParseRatio reads back.
std::string FormatRatio(sim::Ratio ratio);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_RATIO_H_
