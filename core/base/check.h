// Always-on assertions for programmer errors (STYLE.md §D.2).
//
// Abseil 20220623 has no absl/log, so these sit on ABSL_RAW_LOG(FATAL, ...), which
// prints file, line and message and aborts. They stay on in optimized builds: a broken
// invariant inside a simulation must stop the run at the point of the bug, where the
// seed that reproduces it is still known. Operating errors (bad input, simulated I/O
// failures) are never CHECKed; they are returned as absl::Status.
//
// Compound conditions should be split (CHECK(a); CHECK(b);) so the failure names the
// part that broke. CHECK_EQ and friends print both operands when they are printable
// with absl::StrCat.
#ifndef RAVENSIM_CORE_BASE_CHECK_H_
#define RAVENSIM_CORE_BASE_CHECK_H_

#include <string>

#include "absl/base/internal/raw_logging.h"
#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"

namespace ravensim::base_internal {

// Renders an operand of a failed comparison. Integers, strings and anything else
// absl::StrCat accepts print their value; other types print a placeholder.
template <typename T>
std::string CheckOperandString(const T& value) {
  if constexpr (requires { absl::StrCat(value); }) {
    return absl::StrCat(value);
  } else {
    return "<unprintable>";
  }
}

[[noreturn]] void CheckFailed(const char* file, int line, const std::string& message);

}  // namespace ravensim::base_internal

#define CHECK(condition)                                                          \
  do {                                                                            \
    if (ABSL_PREDICT_FALSE(!(condition))) {                                       \
      ::ravensim::base_internal::CheckFailed(__FILE__, __LINE__,                  \
                                             "CHECK failed: " #condition);        \
    }                                                                             \
  } while (false)

#define RAVENSIM_CHECK_OP_(op, a, b)                                              \
  do {                                                                            \
    const auto& ravensim_check_a_ = (a);                                          \
    const auto& ravensim_check_b_ = (b);                                          \
    if (ABSL_PREDICT_FALSE(!(ravensim_check_a_ op ravensim_check_b_))) {          \
      ::ravensim::base_internal::CheckFailed(                                     \
          __FILE__, __LINE__,                                                     \
          ::absl::StrCat("CHECK failed: " #a " " #op " " #b " (",                 \
                         ::ravensim::base_internal::CheckOperandString(           \
                             ravensim_check_a_),                                  \
                         " vs ",                                                  \
                         ::ravensim::base_internal::CheckOperandString(           \
                             ravensim_check_b_),                                  \
                         ")"));                                                   \
    }                                                                             \
  } while (false)

#define CHECK_EQ(a, b) RAVENSIM_CHECK_OP_(==, a, b)
#define CHECK_NE(a, b) RAVENSIM_CHECK_OP_(!=, a, b)
#define CHECK_LT(a, b) RAVENSIM_CHECK_OP_(<, a, b)
#define CHECK_LE(a, b) RAVENSIM_CHECK_OP_(<=, a, b)
#define CHECK_GT(a, b) RAVENSIM_CHECK_OP_(>, a, b)
#define CHECK_GE(a, b) RAVENSIM_CHECK_OP_(>=, a, b)

// CHECK with an explanation: CHECK_MSG(x > 0, "x was ", x).
#define CHECK_MSG(condition, ...)                                                 \
  do {                                                                            \
    if (ABSL_PREDICT_FALSE(!(condition))) {                                       \
      ::ravensim::base_internal::CheckFailed(                                     \
          __FILE__, __LINE__,                                                     \
          ::absl::StrCat("CHECK failed: " #condition ": ", __VA_ARGS__));         \
    }                                                                             \
  } while (false)

// Marks code that must never run (an invalid state transition, say).
#define CHECK_UNREACHABLE(...)                                                    \
  ::ravensim::base_internal::CheckFailed(                                         \
      __FILE__, __LINE__, ::absl::StrCat("unreachable: ", __VA_ARGS__))

#endif  // RAVENSIM_CORE_BASE_CHECK_H_
