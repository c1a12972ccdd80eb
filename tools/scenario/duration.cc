#include "tools/scenario/duration.h"

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"

namespace ravensim::tools {
namespace {

struct Unit {
  std::string_view name;
  int64_t nanos;
  int32_t digits;  // log10(nanos), for fractions.
};

constexpr Unit kUnits[] = {
    {"ns", 1, 0},
    {"us", 1'000, 3},
    {"ms", 1'000'000, 6},
    {"s", 1'000'000'000, 9},
    {"m", 60'000'000'000, -1},
    {"h", 3'600'000'000'000, -1},
};

const Unit* FindUnit(std::string_view name) {
  for (const Unit& u : kUnits) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<sim::SimDuration> ParseDuration(std::string_view text) {
  const std::string quoted = absl::StrCat("'", std::string(text), "'");
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && rest.front() == '-') {
    negative = true;
    rest.remove_prefix(1);
  }
  size_t pos = 0;
  while (pos < rest.size() && rest[pos] >= '0' && rest[pos] <= '9') ++pos;
  std::string_view whole = rest.substr(0, pos);
  std::string_view fraction;
  if (pos < rest.size() && rest[pos] == '.') {
    size_t end = pos + 1;
    while (end < rest.size() && rest[end] >= '0' && rest[end] <= '9') ++end;
    fraction = rest.substr(pos + 1, end - pos - 1);
    pos = end;
  }
  if (whole.empty() && fraction.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a duration such as \"300ms\" or \"1.5s\", got ", quoted));
  }
  const std::string_view unit_name = rest.substr(pos);
  if (unit_name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing unit in ", quoted, " (use ns, us, ms, s, m or h)"));
  }
  const Unit* unit = FindUnit(unit_name);
  if (unit == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown unit '", std::string(unit_name), "' in ",
                                                   quoted, " (use ns, us, ms, s, m or h)"));
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t total = 0;
  for (char c : whole) {
    const int64_t digit = c - '0';
    if (total > (kMax - digit) / 10) {
      return absl::InvalidArgumentError(absl::StrCat("duration ", quoted, " is too large"));
    }
    total = total * 10 + digit;
  }
  if (total > kMax / unit->nanos) {
    return absl::InvalidArgumentError(absl::StrCat("duration ", quoted, " is too large"));
  }
  total *= unit->nanos;
  if (!fraction.empty()) {
    if (unit->digits < 0 || static_cast<int32_t>(fraction.size()) > unit->digits) {
      return absl::InvalidArgumentError(absl::StrCat(
          "duration ", quoted, " is finer than a nanosecond (write it in a smaller unit)"));
    }
    int64_t frac_ns = 0;
    int64_t scale = unit->nanos;
    for (char c : fraction) {
      scale /= 10;
      frac_ns += (c - '0') * scale;
    }
    total += frac_ns;
  }
  return sim::SimDuration::Nanos(negative ? -total : total);
}

absl::StatusOr<sim::SimDuration> ParseDurationOr(std::string_view text,
                                                 sim::SimDuration fallback) {
  if (text.empty()) return fallback;
  return ParseDuration(text);
}

std::string FormatDuration(sim::SimDuration d) {
  int64_t ns = d.nanos();
  if (ns == 0) return "0s";
  std::string sign;
  if (ns < 0) {
    sign = "-";
    ns = -ns;
  }
  if (ns % 1'000'000'000 == 0) return absl::StrCat(sign, ns / 1'000'000'000, "s");
  if (ns % 1'000'000 == 0 && ns < 1'000'000'000) {
    return absl::StrCat(sign, ns / 1'000'000, "ms");
  }
  if (ns % 1'000 == 0 && ns < 1'000'000) return absl::StrCat(sign, ns / 1'000, "us");
  if (ns < 1'000) return absl::StrCat(sign, ns, "ns");
  // Seconds with an exact fraction, trailing zeros dropped.
  std::string fraction = absl::StrCat(ns % 1'000'000'000 + 1'000'000'000).substr(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return absl::StrCat(sign, ns / 1'000'000'000, ".", fraction, "s");
}

}  // namespace ravensim::tools
