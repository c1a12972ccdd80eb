#include "tools/scenario/ratio.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ravensim::tools {
namespace {

// A run of at most ten decimal digits worth at most kMaxRatioDenominator into *out;
// false for anything else.
bool ParseCount(std::string_view digits, uint64_t* out) {
  if (digits.empty() || digits.size() > 10) return false;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > kMaxRatioDenominator) return false;
  *out = value;
  return true;
}

}  // namespace

absl::StatusOr<sim::Ratio> ParseRatio(std::string_view text) {
  const absl::string_view shown(text.data(), text.size());  // For the messages.
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", shown, "' is not a fraction N/D (e.g. \"1/20\")"));
  }
  uint64_t numerator = 0;
  uint64_t denominator = 0;
  if (!ParseCount(text.substr(0, slash), &numerator) ||
      !ParseCount(text.substr(slash + 1), &denominator)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", shown, "' is not a fraction N/D of whole numbers up to ",
                     kMaxRatioDenominator, " (e.g. \"1/20\")"));
  }
  if (denominator == 0) {
    return absl::InvalidArgumentError(absl::StrCat("'", shown, "' divides by zero"));
  }
  if (numerator > denominator) {
    return absl::InvalidArgumentError(absl::StrCat("'", shown, "' is above 1"));
  }
  return sim::Ratio{numerator, denominator};
}

absl::StatusOr<sim::Ratio> ParseRatioOr(std::string_view text) {
  if (text.empty()) return sim::Ratio::Never();
  return ParseRatio(text);
}

std::string FormatRatio(sim::Ratio ratio) {
  return absl::StrCat(ratio.numerator, "/", ratio.denominator);
}

}  // namespace ravensim::tools
