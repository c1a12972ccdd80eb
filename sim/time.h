// SimTime and SimDuration: simulated time as typed int64 nanoseconds (DESIGN.md §2).
//
// SimTime is a point on the *true* simulated timeline (what the scheduler orders events
// by); a node's own view of time is a sim::Clock reading, also a SimTime, which can be
// skewed, drift and jump. Durations and points are different types so that adding two
// points, or passing a point where a length is meant, does not compile. No doubles:
// every computation is exact and the same on every machine.
#ifndef RAVENSIM_SIM_TIME_H_
#define RAVENSIM_SIM_TIME_H_

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace ravensim::sim {

class SimDuration {
 public:
  constexpr SimDuration() = default;
  static constexpr SimDuration Nanos(int64_t n) { return SimDuration(n); }
  static constexpr SimDuration Micros(int64_t n) { return SimDuration(n * 1000); }
  static constexpr SimDuration Millis(int64_t n) { return SimDuration(n * 1000000); }
  static constexpr SimDuration Seconds(int64_t n) { return SimDuration(n * 1000000000); }
  static constexpr SimDuration Zero() { return SimDuration(0); }
  static constexpr SimDuration Max() {
    return SimDuration(std::numeric_limits<int64_t>::max());
  }

  constexpr int64_t nanos() const { return ns_; }
  constexpr int64_t millis() const { return ns_ / 1000000; }

  constexpr auto operator<=>(const SimDuration&) const = default;
  constexpr SimDuration operator+(SimDuration o) const { return SimDuration(ns_ + o.ns_); }
  constexpr SimDuration operator-(SimDuration o) const { return SimDuration(ns_ - o.ns_); }
  constexpr SimDuration operator-() const { return SimDuration(-ns_); }
  constexpr SimDuration operator*(int64_t k) const { return SimDuration(ns_ * k); }
  constexpr SimDuration operator/(int64_t k) const { return SimDuration(ns_ / k); }
  constexpr int64_t operator/(SimDuration o) const { return ns_ / o.ns_; }
  SimDuration& operator+=(SimDuration o) { ns_ += o.ns_; return *this; }
  SimDuration& operator-=(SimDuration o) { ns_ -= o.ns_; return *this; }

 private:
  constexpr explicit SimDuration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime FromNanos(int64_t n) { return SimTime(n); }
  static constexpr SimTime Zero() { return SimTime(0); }
  static constexpr SimTime Max() { return SimTime(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t nanos() const { return ns_; }
  constexpr int64_t millis() const { return ns_ / 1000000; }

  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(SimDuration d) const { return SimTime(ns_ + d.nanos()); }
  constexpr SimTime operator-(SimDuration d) const { return SimTime(ns_ - d.nanos()); }
  constexpr SimDuration operator-(SimTime o) const { return SimDuration::Nanos(ns_ - o.ns_); }
  SimTime& operator+=(SimDuration d) { ns_ += d.nanos(); return *this; }

 private:
  constexpr explicit SimTime(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// "12.345678901s", exact (no floating point); negative values get a leading '-'.
std::string FormatSimTime(SimTime t);
std::string FormatSimDuration(SimDuration d);

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_TIME_H_
