#include "sim/time.h"

#include <cstdlib>

#include "absl/strings/str_format.h"

namespace ravensim::sim {
namespace {

std::string FormatNanos(int64_t ns) {
  const bool negative = ns < 0;
  // Work in unsigned to handle INT64_MIN.
  const uint64_t magnitude =
      negative ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  return absl::StrFormat("%s%d.%09ds", negative ? "-" : "", magnitude / 1000000000,
                         magnitude % 1000000000);
}

}  // namespace

std::string FormatSimTime(SimTime t) { return FormatNanos(t.nanos()); }
std::string FormatSimDuration(SimDuration d) { return FormatNanos(d.nanos()); }

}  // namespace ravensim::sim
