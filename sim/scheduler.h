// sim::Scheduler: the single event loop of a simulation (DESIGN.md §2–§3).
//
// Events are callbacks scheduled at a true SimTime. They run in (time, insertion
// sequence) order, so two events at the same time run in the order they were scheduled;
// nothing depends on pointer values or hash order. A callback may schedule and cancel
// other events. Cancelled events never run.
//
// Every run method stops at the event budget: a simulation whose events keep scheduling
// more events forever ends with a ResourceExhausted status naming the budget, the time
// and the label of the last event, instead of hanging.
//
// Thread-compatible: one scheduler per simulation, driven from one thread.
#ifndef RAVENSIM_SIM_SCHEDULER_H_
#define RAVENSIM_SIM_SCHEDULER_H_

#include <cstdint>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "sim/time.h"

namespace ravensim::sim {

// Names a scheduled event; valid until it runs or is cancelled. Never reused while the
// event is pending (a generation counter guards the slot).
struct TimerId {
  uint64_t value = 0;  // 0 is never a valid id.
  bool valid() const { return value != 0; }
  friend bool operator==(TimerId a, TimerId b) { return a.value == b.value; }
};

struct SchedulerOptions {
  // Maximum number of events one Scheduler runs in its lifetime.
  uint64_t event_budget = 500'000'000;
};

class Scheduler {
 public:
  using Callback = absl::AnyInvocable<void()>;

  explicit Scheduler(const SchedulerOptions& options = {});
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  SimTime now() const { return now_; }

  // Schedules `callback` at `at`. `label` (a string literal) names the event in errors.
  // REQUIRES: at >= now().
  TimerId Schedule(SimTime at, Callback callback, const char* label = "event");
  TimerId ScheduleAfter(SimDuration delay, Callback callback, const char* label = "event");

  // Cancels a pending event. Returns false if it already ran, was cancelled, or is not
  // a valid id.
  bool Cancel(TimerId id);
  bool IsPending(TimerId id) const;

  // Runs the earliest event. Returns false if there is none or the budget is spent.
  bool Step();

  // Runs every event with time <= `until`, then leaves now() == max(now(), until).
  absl::Status RunUntil(SimTime until);
  // Runs events until `done()` is true (checked before each event) or no event is left
  // at or before `deadline`. Returns OK if done() became true, DeadlineExceeded otherwise.
  absl::Status RunUntil(absl::FunctionRef<bool()> done, SimTime deadline = SimTime::Max());
  // Runs until no event is pending.
  absl::Status RunUntilQuiescent();

  size_t pending_count() const { return live_count_; }
  uint64_t events_run() const { return events_run_; }
  uint64_t event_budget() const { return options_.event_budget; }
  // Time of the next pending event, or SimTime::Max() if none.
  SimTime next_event_time();

 private:
  struct Entry {
    int64_t time;
    uint64_t sequence;
    uint32_t slot;
    uint32_t generation;
  };
  struct Slot {
    Callback callback;
    const char* label = nullptr;
    uint32_t generation = 1;
    bool pending = false;
  };

  static bool Before(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.sequence < b.sequence);
  }
  void HeapPush(const Entry& e);
  Entry HeapPop();
  void SiftDown(size_t index);
  // Drops cancelled entries from the top of the heap.
  void SkipStale();
  void FreeSlot(uint32_t slot);
  absl::Status BudgetError() const;
  bool BudgetSpent() const { return events_run_ >= options_.event_budget; }

  SchedulerOptions options_;
  SimTime now_ = SimTime::Zero();
  uint64_t next_sequence_ = 0;
  uint64_t events_run_ = 0;
  size_t live_count_ = 0;
  const char* last_label_ = "none";
  std::vector<Entry> heap_;  // 4-ary min-heap by (time, sequence).
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
};

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_SCHEDULER_H_
