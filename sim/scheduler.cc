#include "sim/scheduler.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"

namespace ravensim::sim {
Scheduler::Scheduler(const SchedulerOptions& options) : options_(options) {
  CHECK_GT(options_.event_budget, 0u);
}

// The radix heap's small functions run several times per event: inlined into their
// callers rather than called.
#define RAVENSIM_SCHEDULER_INLINE __attribute__((always_inline)) inline

RAVENSIM_SCHEDULER_INLINE void Scheduler::ClearBucketBit(int bucket) {
  uint64_t& word = nonempty_[bucket >> 6];
  word &= ~(uint64_t{1} << (bucket & 63));
  if (word == 0) {
    const int w = bucket >> 6;
    nonempty_summary_[w >> 6] &= ~(uint64_t{1} << (w & 63));
  }
}

RAVENSIM_SCHEDULER_INLINE int Scheduler::FirstNonEmptyBucket() const {
  for (int s = 0; s < kSummaryWords; ++s) {
    if (nonempty_summary_[s] != 0) {
      const int w = s * 64 + __builtin_ctzll(nonempty_summary_[s]);
      return w * 64 + __builtin_ctzll(nonempty_[w]);
    }
  }
  CHECK_UNREACHABLE("radix heap has entries but no non-empty bucket");
}

void Scheduler::ScheduleFailed(SimTime at) const {
  CHECK_MSG(at >= now_, "scheduling in the past: ", at.nanos(), " < ", now_.nanos());
  CHECK_LT(next_sequence_, kMaxSequence);
  CHECK_GE(at.nanos(), last_time_);
  CHECK_UNREACHABLE("ScheduleFailed called for a valid event");
}

void Scheduler::PoppedCancelled(uint64_t popped, uint64_t in_slot) const {
  CHECK_MSG(in_slot == popped, "scheduler popped a cancelled event");
  CHECK_UNREACHABLE("PoppedCancelled called for a live event");
}

uint32_t Scheduler::NewSlot() {
  CHECK_LT(slot_count_, size_t{kNoFreeSlot});
  const uint32_t slot = static_cast<uint32_t>(slot_count_++);
  if ((slot >> kSlotChunkBits) == slot_chunks_.size()) {
    slot_chunks_.push_back(std::make_unique<Slot[]>(size_t{1} << kSlotChunkBits));
    labels_.resize(slot_chunks_.size() << kSlotChunkBits);
  }
  // Insert pops it as if from the free list: the list stays empty.
  SlotAt(slot).sequence_slot = kNoFreeSlot;
  return slot;
}

TimerId Scheduler::Schedule(SimTime at, Callback&& callback, const char* label) {
  Slot* slot;
  const TimerId id = Insert(at, label, &slot);
  slot->callback = std::move(callback);
  return id;
}

void Scheduler::CheckDelay(SimDuration delay) { CHECK_GE(delay, SimDuration::Zero()); }

TimerId Scheduler::ScheduleAfter(SimDuration delay, Callback&& callback, const char* label) {
  CheckDelay(delay);
  return Schedule(now_ + delay, std::move(callback), label);
}

bool Scheduler::Cancel(TimerId id) {
  if (!IsPending(id)) return false;
  // The entry stays in its bucket until met; count it there.
  ++stale_[BucketOf(id.time)];
  FreeSlot(static_cast<uint32_t>(id.value & kSlotMask));
  return true;
}

void Scheduler::FreeSlot(uint32_t slot) {
  Slot& s = SlotAt(slot);
  s.sequence_slot = 0;  // Not pending while its callback is destroyed.
  s.callback = nullptr;
  --live_count_;
  PushFreeSlot(s, slot);
}

SimTime Scheduler::PeekTimeSlow(int* bucket_out) {
  while (heap_size_ > 0) {
    const int b = FirstNonEmptyBucket();
    *bucket_out = b;
    std::vector<Entry>& bucket = buckets_[b];
    if (b == 0) {
      while (stale_[0] > 0 && bucket0_head_ < bucket.size() &&
             IsStale(bucket[bucket0_head_])) {
        ++bucket0_head_;
        --heap_size_;
        --stale_[0];
      }
      if (bucket0_head_ < bucket.size()) return SimTime::FromNanos(last_time_);
      bucket.clear();
      bucket0_head_ = 0;
      ClearBucketBit(0);
      continue;
    }
    if (IsLevel0(b)) {
      // Every entry of a level-0 bucket has the same time.
      if (stale_[b] > 0 && !DropStaleLevel0(b)) {
        ClearBucketBit(b);
        continue;
      }
      return SimTime::FromNanos(l0_first_[b - 1].time);
    }
    int64_t min_time = INT64_MAX;
    if (stale_[b] == 0) {
      for (const Entry& e : bucket) min_time = e.time < min_time ? e.time : min_time;
      return SimTime::FromNanos(min_time);
    }
    // Drop stale entries in place and find the minimum time.
    size_t kept = 0;
    for (const Entry& e : bucket) {
      if (IsStale(e)) continue;
      min_time = e.time < min_time ? e.time : min_time;
      bucket[kept++] = e;
    }
    heap_size_ -= bucket.size() - kept;
    stale_[b] = 0;
    bucket.resize(kept);
    if (kept > 0) return SimTime::FromNanos(min_time);
    ClearBucketBit(b);
  }
  return SimTime::Max();
}

bool Scheduler::DropStaleLevel0(int b) {
  const int d = b - 1;
  std::vector<Entry>& more = buckets_[b];
  const uint32_t count = l0_count_[d];
  bool has_first = false;
  size_t kept = 0;
  auto keep = [&](const Entry& e) {
    if (IsStale(e)) return;
    if (!has_first) {
      l0_first_[d] = e;
      has_first = true;
    } else {
      more[kept++] = e;  // kept never passes the entry being read.
    }
  };
  keep(l0_first_[d]);
  for (size_t i = 0; i < more.size(); ++i) keep(more[i]);
  more.resize(kept);
  l0_count_[d] = static_cast<uint32_t>(kept) + (has_first ? 1 : 0);
  heap_size_ -= count - l0_count_[d];
  stale_[b] = 0;
  return has_first;
}

// What PopEarliest() does not take inline: never a lone entry in bucket b.
Scheduler::Entry Scheduler::PopEarliestSlow(int b, int64_t min_time) {
  if (IsLevel0(b)) {
    const int d = b - 1;
    ClearBucketBit(b);
    last_time_ = min_time;
    // Several events at this time: into bucket 0, then in insertion order.
    std::vector<Entry>& more = buckets_[b];
    l0_count_[d] = 0;
    AddToBucket(0, l0_first_[d]);
    for (const Entry& e : more) AddToBucket(0, e);
    more.clear();
    std::vector<Entry>& zero = buckets_[0];
    std::sort(zero.begin(), zero.end(), [](const Entry& x, const Entry& y) {
      return x.sequence_slot < y.sequence_slot;
    });
    b = 0;
  }
  if (b != 0) {
    // Redistribute the first non-empty bucket around its minimum: every entry moves to
    // a strictly lower bucket, and those at the minimum time land in bucket 0, which is
    // then put in insertion order. PeekTime() left only live entries here.
    std::vector<Entry> moving;
    moving.swap(buckets_[b]);
    ClearBucketBit(b);
    last_time_ = min_time;
    for (const Entry& e : moving) {
      const int to = BucketOf(e.time);
      // Entries that land in bucket 0 or level 0 run within the next 2 µs of simulated
      // time: fetch their slots now, overlapping the cache misses, rather than one miss
      // at a time when each event runs.
      if (to <= kDigits) __builtin_prefetch(&SlotAt(e.sequence_slot & kSlotMask));
      AddToBucket(to, e);
    }
    moving.clear();
    buckets_[b].swap(moving);  // Keep the capacity for the next time.
    std::vector<Entry>& zero = buckets_[0];
    if (zero.size() > 1) {
      std::sort(zero.begin(), zero.end(), [](const Entry& x, const Entry& y) {
        return x.sequence_slot < y.sequence_slot;
      });
    }
  }
  std::vector<Entry>& zero = buckets_[0];
  const Entry e = zero[bucket0_head_++];
  if (bucket0_head_ == zero.size()) {
    zero.clear();
    bucket0_head_ = 0;
    ClearBucketBit(0);
  }
  --heap_size_;
  return e;
}

// The common cases, inline in the run loops: the first non-empty bucket holds one live
// entry (most events are alone in their bucket). Everything else is done out of line.
RAVENSIM_SCHEDULER_INLINE SimTime Scheduler::PeekTime(int* bucket_out) {
  if (heap_size_ > 0) {
    const int b = FirstNonEmptyBucket();
    if (b != 0 && stale_[b] == 0) {
      *bucket_out = b;
      if (IsLevel0(b)) return SimTime::FromNanos(l0_first_[b - 1].time);
      const std::vector<Entry>& bucket = buckets_[b];
      if (bucket.size() == 1) return SimTime::FromNanos(bucket[0].time);
    }
  }
  return PeekTimeSlow(bucket_out);
}

RAVENSIM_SCHEDULER_INLINE Scheduler::Entry Scheduler::PopEarliest(int b, int64_t min_time) {
  // A lone entry is the earliest: take it directly (bucket 0 is empty, as b is the
  // first non-empty bucket).
  if (b > kDigits) {
    std::vector<Entry>& bucket = buckets_[b];
    if (bucket.size() == 1) {
      const Entry e = bucket[0];
      bucket.clear();
      ClearBucketBit(b);
      last_time_ = min_time;
      --heap_size_;
      return e;
    }
  } else if (b != 0 && l0_count_[b - 1] == 1) {
    ClearBucketBit(b);
    last_time_ = min_time;
    l0_count_[b - 1] = 0;
    --heap_size_;
    return l0_first_[b - 1];
  }
  return PopEarliestSlow(b, min_time);
}

RAVENSIM_SCHEDULER_INLINE void Scheduler::RunEarliest(int bucket, SimTime next) {
  RunPopped(PopEarliest(bucket, next.nanos()));
}

RAVENSIM_SCHEDULER_INLINE void Scheduler::RunPopped(const Entry& e) {
  const uint32_t slot = static_cast<uint32_t>(e.sequence_slot & kSlotMask);
  Slot& s = SlotAt(slot);
  if (ABSL_PREDICT_FALSE(s.sequence_slot != e.sequence_slot)) {
    PoppedCancelled(e.sequence_slot, s.sequence_slot);
  }
  // Run the callback in place. The slot stops being pending first (so Cancel of this
  // id from inside returns false) and is freed after, so it is not reused meanwhile.
  s.sequence_slot = 0;
  --live_count_;
  // Only the event that spends the budget is named (in BudgetError); the others never
  // read their label.
  if (events_run_ + 1 >= options_.event_budget) last_label_ = labels_[slot];
  now_ = SimTime::FromNanos(e.time);
  ++events_run_;
  s.callback();
  s.callback = nullptr;
  PushFreeSlot(s, slot);
}

SimTime Scheduler::next_event_time() {
  int bucket;
  return PeekTime(&bucket);
}

bool Scheduler::Step() {
  if (BudgetSpent()) return false;
  int bucket;
  const SimTime next = PeekTime(&bucket);
  if (next == SimTime::Max()) return false;
  RunEarliest(bucket, next);
  return true;
}


absl::Status Scheduler::BudgetError() const {
  return absl::ResourceExhaustedError(absl::StrCat(
      "event budget of ", options_.event_budget, " events exhausted at simulated time ",
      FormatSimTime(now_), " (last event: ", last_label_,
      "); a self-rescheduling event or a livelock?"));
}

// The run loops peek once per event: the bucket PeekTime() found is popped at once.
absl::Status Scheduler::RunUntil(SimTime until) {
  // An event at SimTime::Max() never runs (Max means "none"): the last time that does.
  const int64_t last_run_time =
      until == SimTime::Max() ? SimTime::Max().nanos() - 1 : until.nanos();
  while (true) {
    // The common case, peeked and popped at once (PeekTime and PopEarliest take the same
    // path in two steps): the first non-empty bucket is above level 0 and holds a lone
    // live entry.
    if (heap_size_ > 0) {
      const int b = FirstNonEmptyBucket();
      if (b > kDigits && stale_[b] == 0) {
        std::vector<Entry>& lone = buckets_[b];
        if (lone.size() == 1) {
          const Entry e = lone[0];
          if (e.time > last_run_time) break;
          if (BudgetSpent()) return BudgetError();
          lone.clear();
          ClearBucketBit(b);
          last_time_ = e.time;
          --heap_size_;
          RunPopped(e);
          continue;
        }
      }
    }
    int bucket;
    const SimTime next = PeekTime(&bucket);
    if (next > until || next == SimTime::Max()) break;
    if (BudgetSpent()) return BudgetError();
    RunEarliest(bucket, next);
  }
  if (until > now_) now_ = until;
  return absl::OkStatus();
}

absl::Status Scheduler::RunUntil(absl::FunctionRef<bool()> done, SimTime deadline) {
  while (!done()) {
    int bucket;
    const SimTime next = PeekTime(&bucket);
    if (next == SimTime::Max() || next > deadline) {
      if (deadline != SimTime::Max() && deadline > now_) now_ = deadline;
      return absl::DeadlineExceededError(
          next == SimTime::Max() && deadline == SimTime::Max()
              ? std::string("condition not reached: no events left")
              : absl::StrCat("condition not reached by simulated time ",
                             FormatSimTime(deadline)));
    }
    if (BudgetSpent()) return BudgetError();
    RunEarliest(bucket, next);
  }
  return absl::OkStatus();
}

absl::Status Scheduler::RunUntilQuiescent() {
  while (true) {
    int bucket;
    const SimTime next = PeekTime(&bucket);
    if (next == SimTime::Max()) break;
    if (BudgetSpent()) return BudgetError();
    RunEarliest(bucket, next);
  }
  return absl::OkStatus();
}

}  // namespace ravensim::sim
