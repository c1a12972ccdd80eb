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
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "sim/event_callback.h"
#include "sim/time.h"

namespace ravensim::sim {

// Names a scheduled event; valid until it runs or is cancelled. Never reused: it holds
// the event's unique insertion sequence.
struct TimerId {
  uint64_t value = 0;  // 0 is never a valid id.
  int64_t time = 0;    // When the event is due (finds its bucket on Cancel).
  bool valid() const { return value != 0; }
  friend bool operator==(TimerId a, TimerId b) { return a.value == b.value; }
};

struct SchedulerOptions {
  // Maximum number of events one Scheduler runs in its lifetime.
  uint64_t event_budget = 500'000'000;
  // At most 2^24 events may be pending at once (checked).
};

class Scheduler {
 public:
  using Callback = EventCallback;

  explicit Scheduler(const SchedulerOptions& options = {});
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  SimTime now() const { return now_; }

  // Schedules `callback` at `at`. `label` (a string literal) names the event in errors.
  // REQUIRES: at >= now().
  TimerId Schedule(SimTime at, Callback&& callback, const char* label = "event");
  TimerId ScheduleAfter(SimDuration delay, Callback&& callback,
                        const char* label = "event");
  // The same for a callable that is not yet a Callback (a lambda): it is built in the
  // event's slot, without a temporary Callback to move from. Always inline: the
  // callers schedule an event per message, disk operation and timer.
  template <typename F, typename = std::enable_if_t<
                            !std::is_same_v<std::decay_t<F>, Callback> &&
                            std::is_invocable_r_v<void, std::decay_t<F>&>>>
  __attribute__((always_inline)) TimerId Schedule(SimTime at, F&& callback,
                                                  const char* label = "event") {
    Slot* slot;
    const TimerId id = Insert(at, label, &slot);
    slot->callback.EmplaceInEmpty(std::forward<F>(callback));
    return id;
  }
  template <typename F, typename = std::enable_if_t<
                            !std::is_same_v<std::decay_t<F>, Callback> &&
                            std::is_invocable_r_v<void, std::decay_t<F>&>>>
  TimerId ScheduleAfter(SimDuration delay, F&& callback, const char* label = "event") {
    CheckDelay(delay);
    return Schedule(now_ + delay, std::forward<F>(callback), label);
  }

  // Cancels a pending event. Returns false if it already ran, was cancelled, or is not
  // a valid id.
  bool Cancel(TimerId id);
  bool IsPending(TimerId id) const {
    if (!id.valid()) return false;
    const uint64_t slot = id.value & kSlotMask;
    return slot < slot_count_ && SlotAt(slot).sequence_slot == id.value;
  }

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
  // Pending events live in a radix heap on time with 11-bit digits: a monotone priority
  // queue, which fits a simulation because no event is ever scheduled before now(), so
  // every new time is >= the time of the last event popped (last_time_). An entry sits
  // in bucket 0 if its time equals last_time_; otherwise in bucket (level, digit), where
  // level is the index of the highest 11-bit digit in which its time differs from
  // last_time_ and digit is its time's value in that digit. Bucket 0 is a FIFO kept in
  // insertion-sequence order, which gives the (time, sequence) order. Push is O(1); an
  // entry moves down at most once per digit of the gap between its time and now (two
  // moves for millisecond gaps, three for timeouts of a second). This avoids the branch
  // mispredictions that dominate a comparison heap at 10^4 pending events.
  //
  // sequence_slot holds the insertion sequence (high 40 bits) and the slot index (low
  // 24 bits). An entry is stale (its event was cancelled) when its slot no longer holds
  // that value; stale entries are dropped when met.
  static constexpr int kSlotBits = 24;
  static constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
  static constexpr int kDigitBits = 11;
  static constexpr int kDigits = 1 << kDigitBits;
  static constexpr int kLevels = (64 + kDigitBits - 1) / kDigitBits;
  static constexpr int kBucketCount = 1 + kLevels * kDigits;  // Bucket 0, then levels.
  static constexpr int kBitmapWords = (kBucketCount + 63) / 64;
  static constexpr int kSummaryWords = (kBitmapWords + 63) / 64;
  struct Entry {
    int64_t time;
    uint64_t sequence_slot;
  };
  // One cache line: the event's callback and its identity. Labels live apart in
  // labels_, read only to name the event that spends the budget.
  struct alignas(64) Slot {
    Callback callback;
    // Of the pending event. Otherwise below 2^24, never a valid id: 0 while its event
    // runs, and in a free slot the next free slot's index (kNoFreeSlot ends the list).
    uint64_t sequence_slot = 0;
  };
  // Ends the free-slot list (NewSlot never hands out this index).
  static constexpr uint32_t kNoFreeSlot = static_cast<uint32_t>(kSlotMask);

  // Schedule's work but for the callback: takes a free slot (left empty, for the caller
  // to fill before anything runs), pushes the event and returns its id.
  TimerId Insert(SimTime at, const char* label, Slot** slot);
  static void CheckDelay(SimDuration delay);

  bool IsStale(const Entry& e) const {
    return SlotAt(e.sequence_slot & kSlotMask).sequence_slot != e.sequence_slot;
  }
  // Slots live in fixed-size chunks so that a callback can run in place while it
  // schedules more events (growing the slot table never moves a slot).
  static constexpr int kSlotChunkBits = 10;
  Slot& SlotAt(uint64_t slot) const {
    return slot_chunks_[slot >> kSlotChunkBits][slot & ((1u << kSlotChunkBits) - 1)];
  }
  int BucketOf(int64_t time) const;
  void AddToBucket(int bucket, const Entry& e);
  void ClearBucketBit(int bucket);
  // Index of the first non-empty bucket. REQUIRES: heap_size_ > 0.
  int FirstNonEmptyBucket() const;
  void HeapPush(const Entry& e);
  // Drops stale entries until the earliest pending entry is live or none is left;
  // returns the earliest live time or SimTime::Max(), and sets *bucket to the bucket
  // holding it. Does not change last_time_.
  SimTime PeekTime(int* bucket);
  __attribute__((noinline)) SimTime PeekTimeSlow(int* bucket);
  // Pops the earliest live entry. REQUIRES: nothing was pushed since PeekTime() returned
  // `time` (not Max) and `bucket`.
  Entry PopEarliest(int bucket, int64_t time);
  __attribute__((noinline)) Entry PopEarliestSlow(int bucket, int64_t time);
  // Pops the entry PeekTime() found (same REQUIRES as PopEarliest) and runs its event.
  void RunEarliest(int bucket, SimTime time);
  // Runs the event of `e`, just popped (live).
  void RunPopped(const Entry& e);
  void FreeSlot(uint32_t slot);
  // `s` (slot `slot`, its callback gone) onto the free list (Insert pops it).
  void PushFreeSlot(Slot& s, uint32_t slot) {
    s.sequence_slot = free_head_;
    free_head_ = slot;
  }
  // The CHECKs of Schedule and of running an event, out of line: called only when one
  // of them fails.
  [[noreturn]] __attribute__((noinline, cold)) void ScheduleFailed(SimTime at) const;
  [[noreturn]] __attribute__((noinline, cold)) void PoppedCancelled(uint64_t popped,
                                                                    uint64_t in_slot) const;
  static constexpr uint64_t kMaxSequence = uint64_t{1} << (64 - kSlotBits);
  // A never-used slot (the free list is empty); grows the slot table.
  __attribute__((noinline)) uint32_t NewSlot();
  absl::Status BudgetError() const;
  bool BudgetSpent() const { return events_run_ >= options_.event_budget; }

  SchedulerOptions options_;
  SimTime now_ = SimTime::Zero();
  uint64_t next_sequence_ = 1;
  uint64_t events_run_ = 0;
  size_t live_count_ = 0;
  const char* last_label_ = "none";
  // Radix heap. Invariant: every entry's time is >= last_time_ and it sits in
  // buckets_[BucketOf(time)]; bucket 0 is read from bucket0_head_ on.
  std::vector<std::vector<Entry>> buckets_ = std::vector<std::vector<Entry>>(kBucketCount);
  size_t bucket0_head_ = 0;
  // Bucket indexes increase with (level, digit), so the first set bit of this bitmap is
  // the first non-empty bucket. Bit w of nonempty_summary_ is set iff word w is non-zero.
  uint64_t nonempty_[kBitmapWords] = {};
  uint64_t nonempty_summary_[kSummaryWords] = {};
  int64_t last_time_ = 0;
  size_t heap_size_ = 0;  // Entries in all buckets, stale ones included.
  // Level 0 (buckets 1 .. kDigits) holds entries of one exact time per bucket, most
  // often a single one: the first entry of bucket b lives in l0_first_[b - 1] (a dense
  // array, no vector to reach), any others in buckets_[b]; l0_count_ counts both.
  static bool IsLevel0(int b) { return b >= 1 && b <= kDigits; }
  // Drops the cancelled entries of level-0 bucket b; false if none is left.
  bool DropStaleLevel0(int b);
  std::vector<Entry> l0_first_ = std::vector<Entry>(kDigits);
  std::vector<uint32_t> l0_count_ = std::vector<uint32_t>(kDigits);
  // stale_[b]: how many entries of bucket b were cancelled. Buckets with none are
  // scanned without looking at the slot table, which is most of them.
  std::vector<uint32_t> stale_ = std::vector<uint32_t>(kBucketCount);
  std::vector<std::unique_ptr<Slot[]>> slot_chunks_;
  size_t slot_count_ = 0;
  // Free slots: a stack linked through their sequence_slot fields, most recently freed
  // first.
  uint32_t free_head_ = kNoFreeSlot;
  std::vector<const char*> labels_;  // Indexed by slot.
};

// ---- Inline: taking a slot and pushing onto the radix heap ------------------------
// Defined here so that Schedule() inlines into its callers: an event is scheduled per
// message, disk operation and timer.

__attribute__((always_inline)) inline int
Scheduler::BucketOf(int64_t time) const {
  const uint64_t diff = static_cast<uint64_t>(time ^ last_time_);
  if (diff == 0) return 0;
  const int level = (63 - __builtin_clzll(diff)) / kDigitBits;
  const int digit =
      static_cast<int>((static_cast<uint64_t>(time) >> (kDigitBits * level)) & (kDigits - 1));
  return 1 + level * kDigits + digit;
}

__attribute__((always_inline)) inline void
Scheduler::AddToBucket(int bucket, const Entry& e) {
  if (IsLevel0(bucket) && l0_count_[bucket - 1]++ == 0) {
    l0_first_[bucket - 1] = e;
  } else {
    buckets_[bucket].push_back(e);
  }
  nonempty_[bucket >> 6] |= uint64_t{1} << (bucket & 63);
  const int w = bucket >> 6;
  nonempty_summary_[w >> 6] |= uint64_t{1} << (w & 63);
}

__attribute__((always_inline)) inline void
Scheduler::HeapPush(const Entry& e) {
  // Monotone: nothing is scheduled before now(), and last_time_ <= now() (it is the
  // time of the last event run), which Insert has checked.
  AddToBucket(BucketOf(e.time), e);
  ++heap_size_;
}

__attribute__((always_inline)) inline TimerId
Scheduler::Insert(SimTime at, const char* label, Slot** slot_out) {
  if (ABSL_PREDICT_FALSE(at < now_)) ScheduleFailed(at);
  uint32_t slot = free_head_;
  if (ABSL_PREDICT_FALSE(slot == kNoFreeSlot)) slot = NewSlot();
  Slot& s = SlotAt(slot);
  free_head_ = static_cast<uint32_t>(s.sequence_slot);  // (A new slot's is kNoFreeSlot.)
  if (ABSL_PREDICT_FALSE(next_sequence_ >= kMaxSequence)) ScheduleFailed(at);
  const uint64_t sequence_slot = (next_sequence_++ << kSlotBits) | slot;
  s.sequence_slot = sequence_slot;
  labels_[slot] = label;
  ++live_count_;
  HeapPush(Entry{at.nanos(), sequence_slot});
  *slot_out = &s;
  return TimerId{sequence_slot, at.nanos()};
}

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_SCHEDULER_H_
