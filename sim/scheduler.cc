#include "sim/scheduler.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"

namespace ravensim::sim {
namespace {
constexpr size_t kArity = 4;
}  // namespace

Scheduler::Scheduler(const SchedulerOptions& options) : options_(options) {
  CHECK_GT(options_.event_budget, 0u);
}

TimerId Scheduler::Schedule(SimTime at, Callback callback, const char* label) {
  CHECK_MSG(at >= now_, "scheduling in the past: ", at.nanos(), " < ", now_.nanos());
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    CHECK_LT(slots_.size(), size_t{UINT32_MAX});
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.callback = std::move(callback);
  s.label = label;
  s.pending = true;
  ++live_count_;
  HeapPush(Entry{at.nanos(), next_sequence_++, slot, s.generation});
  return TimerId{(static_cast<uint64_t>(s.generation) << 32) | (uint64_t{slot} + 1)};
}

TimerId Scheduler::ScheduleAfter(SimDuration delay, Callback callback, const char* label) {
  CHECK_GE(delay, SimDuration::Zero());
  return Schedule(now_ + delay, std::move(callback), label);
}

bool Scheduler::IsPending(TimerId id) const {
  if (!id.valid()) return false;
  const uint64_t slot = (id.value & 0xffffffffULL) - 1;
  const uint32_t generation = static_cast<uint32_t>(id.value >> 32);
  if (slot >= slots_.size()) return false;
  const Slot& s = slots_[slot];
  return s.pending && s.generation == generation;
}

bool Scheduler::Cancel(TimerId id) {
  if (!IsPending(id)) return false;
  FreeSlot(static_cast<uint32_t>((id.value & 0xffffffffULL) - 1));
  return true;
}

void Scheduler::FreeSlot(uint32_t slot) {
  Slot& s = slots_[slot];
  s.pending = false;
  s.callback = nullptr;
  ++s.generation;
  if (s.generation == 0) s.generation = 1;  // Keep ids non-zero after wrap-around.
  --live_count_;
  free_slots_.push_back(slot);
}

void Scheduler::HeapPush(const Entry& e) {
  size_t index = heap_.size();
  heap_.push_back(e);
  while (index > 0) {
    const size_t parent = (index - 1) / kArity;
    if (!Before(e, heap_[parent])) break;
    heap_[index] = heap_[parent];
    index = parent;
  }
  heap_[index] = e;
}

void Scheduler::SiftDown(size_t index) {
  const size_t size = heap_.size();
  const Entry moving = heap_[index];
  while (true) {
    const size_t first = index * kArity + 1;
    if (first >= size) break;
    size_t best = first;
    const size_t last = first + kArity < size ? first + kArity : size;
    for (size_t c = first + 1; c < last; ++c) {
      if (Before(heap_[c], heap_[best])) best = c;
    }
    if (!Before(heap_[best], moving)) break;
    heap_[index] = heap_[best];
    index = best;
  }
  heap_[index] = moving;
}

Scheduler::Entry Scheduler::HeapPop() {
  const Entry top = heap_.front();
  const Entry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) {
    heap_.front() = last;
    SiftDown(0);
  }
  return top;
}

void Scheduler::SkipStale() {
  while (!heap_.empty()) {
    const Entry& top = heap_.front();
    const Slot& s = slots_[top.slot];
    if (s.pending && s.generation == top.generation) return;
    HeapPop();
  }
}

SimTime Scheduler::next_event_time() {
  SkipStale();
  return heap_.empty() ? SimTime::Max() : SimTime::FromNanos(heap_.front().time);
}

bool Scheduler::Step() {
  if (BudgetSpent()) return false;
  SkipStale();
  if (heap_.empty()) return false;
  const Entry e = HeapPop();
  Slot& s = slots_[e.slot];
  Callback callback = std::move(s.callback);
  last_label_ = s.label;
  FreeSlot(e.slot);
  now_ = SimTime::FromNanos(e.time);
  ++events_run_;
  callback();
  return true;
}

absl::Status Scheduler::BudgetError() const {
  return absl::ResourceExhaustedError(absl::StrCat(
      "event budget of ", options_.event_budget, " events exhausted at simulated time ",
      FormatSimTime(now_), " (last event: ", last_label_,
      "); a self-rescheduling event or a livelock?"));
}

absl::Status Scheduler::RunUntil(SimTime until) {
  while (next_event_time() <= until) {
    if (BudgetSpent()) return BudgetError();
    Step();
  }
  if (until > now_) now_ = until;
  return absl::OkStatus();
}

absl::Status Scheduler::RunUntil(absl::FunctionRef<bool()> done, SimTime deadline) {
  while (!done()) {
    const SimTime next = next_event_time();
    if (next == SimTime::Max() || next > deadline) {
      if (deadline != SimTime::Max() && deadline > now_) now_ = deadline;
      return absl::DeadlineExceededError(
          next == SimTime::Max() && deadline == SimTime::Max()
              ? std::string("condition not reached: no events left")
              : absl::StrCat("condition not reached by simulated time ",
                             FormatSimTime(deadline)));
    }
    if (BudgetSpent()) return BudgetError();
    Step();
  }
  return absl::OkStatus();
}

absl::Status Scheduler::RunUntilQuiescent() {
  while (next_event_time() != SimTime::Max()) {
    if (BudgetSpent()) return BudgetError();
    Step();
  }
  return absl::OkStatus();
}

}  // namespace ravensim::sim
