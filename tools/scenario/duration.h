// Durations and times in scenario files: "300ms", "1.5s", "2m", "250us", "17ns",
// "-5s" (scenario.proto, "Conventions").
//
// Parsing is exact: the number is read as a decimal with integer arithmetic, so "1.5s"
// is 1'500'000'000 ns on every machine. Formatting picks the largest unit that shows
// the value exactly, so Format(Parse(s)) round-trips and realized fault schedules
// written by `ravensim shrink` reproduce to the nanosecond.
#ifndef RAVENSIM_TOOLS_SCENARIO_DURATION_H_
#define RAVENSIM_TOOLS_SCENARIO_DURATION_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sim/time.h"

namespace ravensim::tools {

// Parses "<decimal><unit>" with unit one of ns, us, ms, s, m, h and an optional
// leading '-'. Errors (InvalidArgument) say what is wrong, e.g. "missing unit in '15'".
absl::StatusOr<sim::SimDuration> ParseDuration(std::string_view text);

// Like ParseDuration, but "" gives `fallback`.
absl::StatusOr<sim::SimDuration> ParseDurationOr(std::string_view text,
                                                 sim::SimDuration fallback);

// The shortest exact form: "300ms", "1.5s", "1.000000001s", "0s".
std::string FormatDuration(sim::SimDuration d);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_DURATION_H_
