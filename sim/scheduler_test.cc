#include "sim/scheduler.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

SimTime At(int64_t ns) { return SimTime::FromNanos(ns); }

TEST(SchedulerTest, CallablesAndCallbacksScheduleAlike) {
  // A lambda is built in its slot; a Callback is moved there. Interleaved, at equal and
  // distinct times, with cancels and slot reuse, both run in (time, insertion) order,
  // and a heap-held callable is destroyed exactly once either way.
  Scheduler s;
  std::vector<int> order;
  auto tracker = std::make_shared<int>(0);
  std::vector<TimerId> ids;
  for (int i = 0; i < 40; ++i) {
    const SimTime at = At(10 * (i % 4));
    if (i % 2 == 0) {
      ids.push_back(s.Schedule(at, [&order, i] { order.push_back(i); }));
    } else if (i % 3 == 0) {
      // Not trivially copyable: held on the heap.
      ids.push_back(s.Schedule(at, [&order, i, tracker] { order.push_back(i); }));
    } else {
      ids.push_back(s.Schedule(at, Scheduler::Callback([&order, i] { order.push_back(i); })));
    }
  }
  EXPECT_EQ(tracker.use_count(), 1 + 7);  // i = 3, 9, 15, 21, 27, 33, 39.
  EXPECT_TRUE(s.Cancel(ids[3]));
  EXPECT_TRUE(s.Cancel(ids[4]));
  EXPECT_EQ(tracker.use_count(), 1 + 6);
  s.ScheduleAfter(SimDuration::Nanos(5), [&order] { order.push_back(100); });
  ASSERT_TRUE(s.RunUntilQuiescent().ok());
  EXPECT_EQ(tracker.use_count(), 1);
  std::vector<int> expected;
  for (int t = 0; t < 4; ++t) {
    for (int i = t; i < 40; i += 4) {
      if (i != 3 && i != 4) expected.push_back(i);
    }
    if (t == 0) expected.push_back(100);
  }
  EXPECT_EQ(order, expected);
}

TEST(SchedulerTest, RunsEventsInTimeOrder) {
  Scheduler s;
  std::vector<int> order;
  s.Schedule(At(30), [&] { order.push_back(3); });
  s.Schedule(At(10), [&] { order.push_back(1); });
  s.Schedule(At(20), [&] { order.push_back(2); });
  ASSERT_TRUE(s.RunUntilQuiescent().ok());
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(s.now(), At(30));
  EXPECT_EQ(s.events_run(), 3u);
}

TEST(SchedulerTest, TiesBreakByInsertionOrder) {
  Scheduler s;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) s.Schedule(At(5), [&order, i] { order.push_back(i); });
  ASSERT_TRUE(s.RunUntilQuiescent().ok());
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(SchedulerTest, CancelledTimersNeverFire) {
  Scheduler s;
  int fired = 0;
  TimerId a = s.Schedule(At(10), [&] { fired += 1; });
  TimerId b = s.Schedule(At(20), [&] { fired += 10; });
  TimerId c = s.Schedule(At(30), [&] { fired += 100; });
  EXPECT_TRUE(s.Cancel(b));
  EXPECT_FALSE(s.Cancel(b));  // Already cancelled.
  EXPECT_EQ(s.pending_count(), 2u);
  ASSERT_TRUE(s.RunUntilQuiescent().ok());
  EXPECT_EQ(fired, 101);
  EXPECT_FALSE(s.Cancel(a));  // Already ran.
  EXPECT_FALSE(s.IsPending(c));
}

TEST(SchedulerTest, CancelFromInsideAnEvent) {
  Scheduler s;
  bool late_fired = false;
  TimerId late = s.Schedule(At(20), [&] { late_fired = true; });
  s.Schedule(At(10), [&] { EXPECT_TRUE(s.Cancel(late)); });
  ASSERT_TRUE(s.RunUntilQuiescent().ok());
  EXPECT_FALSE(late_fired);
}

TEST(SchedulerTest, ReusedSlotsDoNotResurrectCancelledIds) {
  Scheduler s;
  TimerId first = s.Schedule(At(10), [] {});
  ASSERT_TRUE(s.Cancel(first));
  bool second_fired = false;
  TimerId second = s.Schedule(At(10), [&] { second_fired = true; });
  EXPECT_FALSE(first == second);
  EXPECT_FALSE(s.Cancel(first));  // The stale id must not cancel the new event.
  ASSERT_TRUE(s.RunUntilQuiescent().ok());
  EXPECT_TRUE(second_fired);
}

TEST(SchedulerTest, RunUntilTimeStopsAtTheBoundary) {
  Scheduler s;
  std::vector<int> order;
  s.Schedule(At(10), [&] { order.push_back(10); });
  s.Schedule(At(20), [&] { order.push_back(20); });
  s.Schedule(At(21), [&] { order.push_back(21); });
  ASSERT_TRUE(s.RunUntil(At(20)).ok());
  EXPECT_EQ(order, (std::vector<int>{10, 20}));
  EXPECT_EQ(s.now(), At(20));
  ASSERT_TRUE(s.RunUntil(At(100)).ok());
  EXPECT_EQ(s.now(), At(100));  // Time advances even with no event at 100.
  EXPECT_EQ(order.size(), 3u);
}

TEST(SchedulerTest, RunUntilPredicate) {
  Scheduler s;
  int counter = 0;
  std::function<void()> tick = [&] {
    ++counter;
    s.ScheduleAfter(SimDuration::Nanos(10), tick);
  };
  s.Schedule(At(0), tick);
  ASSERT_TRUE(s.RunUntil([&] { return counter == 5; }).ok());
  EXPECT_EQ(counter, 5);
  EXPECT_EQ(s.now(), At(40));
  const absl::Status late = s.RunUntil([&] { return counter == 1000; }, At(100));
  EXPECT_TRUE(absl::IsDeadlineExceeded(late)) << late;
  EXPECT_EQ(s.now(), At(100));
}

TEST(SchedulerTest, RunUntilPredicateWithNoEventsReturnsInsteadOfSpinning) {
  Scheduler s;
  const absl::Status st = s.RunUntil([] { return false; });
  EXPECT_TRUE(absl::IsDeadlineExceeded(st)) << st;
}

TEST(SchedulerTest, EventBudgetStopsASelfReschedulingEvent) {
  Scheduler s(SchedulerOptions{.event_budget = 1000});
  std::function<void()> forever = [&] {
    s.ScheduleAfter(SimDuration::Nanos(1), forever, "forever");
  };
  s.Schedule(At(0), forever, "forever");
  const absl::Status st = s.RunUntilQuiescent();
  EXPECT_TRUE(absl::IsResourceExhausted(st)) << st;
  EXPECT_NE(std::string(st.message()).find("event budget of 1000"), std::string::npos);
  EXPECT_NE(std::string(st.message()).find("forever"), std::string::npos);
  EXPECT_EQ(s.events_run(), 1000u);
  EXPECT_FALSE(s.Step());
}

// Several events at one near time share a bucket; cancelling some of them, including
// the first scheduled, or all of them, must leave the others in order.
TEST(SchedulerTest, CancelsAmongEventsAtOneTimeLeaveTheRestInOrder) {
  Scheduler s;
  std::vector<int> ran;
  s.Schedule(At(1000), [&ran] { ran.push_back(0); });
  std::vector<TimerId> ids;
  for (int i = 1; i <= 5; ++i) {
    ids.push_back(s.Schedule(At(1005), [&ran, i] { ran.push_back(i); }));
  }
  std::vector<TimerId> doomed;
  for (int i = 6; i <= 8; ++i) {
    doomed.push_back(s.Schedule(At(1003), [&ran, i] { ran.push_back(i); }));
  }
  ASSERT_TRUE(s.Step());
  EXPECT_TRUE(s.Cancel(ids[0]));
  EXPECT_TRUE(s.Cancel(ids[3]));
  for (TimerId id : doomed) EXPECT_TRUE(s.Cancel(id));
  EXPECT_EQ(s.next_event_time(), At(1005));
  ASSERT_TRUE(s.RunUntilQuiescent().ok());
  EXPECT_EQ(ran, (std::vector<int>{0, 2, 3, 5}));
  EXPECT_EQ(s.pending_count(), 0u);
}

TEST(SchedulerTest, BudgetErrorNamesTheEventThatSpentIt) {
  Scheduler s(SchedulerOptions{.event_budget = 3});
  for (const char* label : {"first", "second", "third", "fourth"}) {
    s.ScheduleAfter(SimDuration::Nanos(1), [] {}, label);
  }
  const absl::Status st = s.RunUntilQuiescent();
  EXPECT_TRUE(absl::IsResourceExhausted(st)) << st;
  EXPECT_NE(std::string(st.message()).find("(last event: third)"), std::string::npos) << st;
  EXPECT_EQ(s.pending_count(), 1u);
}

TEST(SchedulerDeathTest, SchedulingInThePastIsAProgrammerError) {
  Scheduler s;
  s.Schedule(At(10), [] {});
  ASSERT_TRUE(s.RunUntilQuiescent().ok());
  EXPECT_DEATH(s.Schedule(At(5), [] {}), "scheduling in the past");
}

TEST(SchedulerTest, ManyEventsStayOrderedUnderRandomInsertion) {
  Scheduler s;
  std::vector<int64_t> seen;
  uint64_t x = 12345;
  for (int i = 0; i < 5000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const int64_t t = static_cast<int64_t>((x >> 33) % 1000);
    s.Schedule(At(t), [&seen, &s] { seen.push_back(s.now().nanos()); });
  }
  ASSERT_TRUE(s.RunUntilQuiescent().ok());
  ASSERT_EQ(seen.size(), 5000u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

}  // namespace
}  // namespace ravensim::sim

namespace ravensim::sim {
namespace {

// The tests' own random stream (xorshift64): deterministic and independent of sim::Prng.
struct XorShift {
  uint64_t x;
  uint64_t operator()() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  }
};

// Differential test against a simple reference queue: random schedules (zero, small,
// huge delays), cancels and steps must run exactly the same events in the same order.
TEST(SchedulerTest, MatchesReferenceQueueUnderRandomOperations) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Scheduler s;
    std::map<std::pair<int64_t, uint64_t>, int> reference;  // (time, seq) -> event id.
    std::map<int, std::pair<TimerId, std::pair<int64_t, uint64_t>>> pending;
    std::vector<int> ran, expected;
    XorShift next{seed * 0x9e3779b97f4a7c15ULL};
    uint64_t seq = 0;
    int next_id = 0;
    for (int op = 0; op < 20000; ++op) {
      const uint64_t r = next() % 10;
      if (r < 5) {
        int64_t delay;
        switch (next() % 4) {
          case 0: delay = 0; break;
          case 1: delay = static_cast<int64_t>(next() % 100); break;
          case 2: delay = static_cast<int64_t>(next() % 10'000'000); break;
          default: delay = static_cast<int64_t>(next() % (int64_t{1} << 40)); break;
        }
        const int id = next_id++;
        const int64_t at = s.now().nanos() + delay;
        TimerId t = s.Schedule(SimTime::FromNanos(at), [&ran, &pending, id] {
          ran.push_back(id);
          pending.erase(id);
        });
        reference[{at, seq}] = id;
        pending[id] = {t, {at, seq}};
        ++seq;
      } else if (r < 7 && !pending.empty()) {
        auto it = pending.begin();
        std::advance(it, static_cast<long>(next() % pending.size()));
        ASSERT_TRUE(s.Cancel(it->second.first));
        reference.erase(it->second.second);
        pending.erase(it);
      } else if (!reference.empty()) {
        const auto first = *reference.begin();
        expected.push_back(first.second);
        reference.erase(reference.begin());
        ASSERT_TRUE(s.Step());
        ASSERT_EQ(ran.size(), expected.size()) << "seed " << seed << " op " << op;
        ASSERT_EQ(ran.back(), expected.back()) << "seed " << seed << " op " << op;
        ASSERT_EQ(s.now().nanos(), first.first.first);
      }
      ASSERT_EQ(s.pending_count(), reference.size());
    }
    while (!reference.empty()) {
      expected.push_back(reference.begin()->second);
      reference.erase(reference.begin());
    }
    ASSERT_TRUE(s.RunUntilQuiescent().ok());
    EXPECT_EQ(ran, expected) << "seed " << seed;
  }
}

// RunUntil(time) against the reference queue, with events that schedule and cancel
// others while they run (in the same bucket, later ones, far-off ones): every event must
// run when the reference says it is the earliest, and none past the horizon.
TEST(SchedulerTest, RunUntilMatchesReferenceQueueWithNestedSchedulesAndCancels) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Scheduler s;
    std::map<std::pair<int64_t, uint64_t>, int> reference;  // (time, seq) -> event id.
    std::map<int, std::pair<TimerId, std::pair<int64_t, uint64_t>>> pending;
    std::vector<TimerId> gone;  // Ids that ran or were cancelled.
    XorShift next{seed * 0x9e3779b97f4a7c15ULL + 1};
    uint64_t seq = 0;
    int next_id = 0;
    int ran = 0, nested = 0;
    SimTime until;
    std::function<void()> schedule_one;
    auto random_delay = [&]() -> int64_t {
      switch (next() % 5) {
        case 0: return 0;
        case 1: return static_cast<int64_t>(next() % 100);
        case 2: return static_cast<int64_t>(next() % 5'000);
        case 3: return static_cast<int64_t>(next() % 10'000'000);
        default: return static_cast<int64_t>(next() % (int64_t{1} << 36));
      }
    };
    auto cancel_one = [&] {
      if (pending.empty()) return;
      auto it = pending.begin();
      std::advance(it, static_cast<long>(next() % pending.size()));
      ASSERT_TRUE(s.Cancel(it->second.first));
      ASSERT_FALSE(s.IsPending(it->second.first));
      gone.push_back(it->second.first);
      reference.erase(it->second.second);
      pending.erase(it);
    };
    schedule_one = [&] {
      const int id = next_id++;
      const int64_t at = s.now().nanos() + random_delay();
      const std::pair<int64_t, uint64_t> key{at, seq++};
      const TimerId t = s.Schedule(SimTime::FromNanos(at), [&, id, key] {
        ASSERT_FALSE(reference.empty());
        ASSERT_EQ(reference.begin()->first, key) << "seed " << seed << " event " << id;
        ASSERT_LE(key.first, until.nanos());
        ASSERT_EQ(s.now().nanos(), key.first);
        reference.erase(reference.begin());
        gone.push_back(pending[id].first);
        pending.erase(id);
        ++ran;
        const uint64_t what = next() % 8;
        if (what < 3) {
          schedule_one();
          ++nested;
        }
        if (what == 3 || what == 4) cancel_one();
      });
      ASSERT_TRUE(s.IsPending(t));
      reference[key] = id;
      pending[id] = {t, key};
    };
    for (int op = 0; op < 5000; ++op) {
      const uint64_t r = next() % 10;
      if (r < 5) {
        schedule_one();
      } else if (r < 6) {
        cancel_one();
      } else {
        const SimTime before = s.now();
        until = before + SimDuration::Nanos(random_delay());
        ASSERT_TRUE(s.RunUntil(until).ok());
        ASSERT_EQ(s.now(), until);
        ASSERT_TRUE(reference.empty() || reference.begin()->first.first > until.nanos())
            << "seed " << seed << " op " << op;
      }
      ASSERT_EQ(s.pending_count(), reference.size());
      // Ids that ran or were cancelled stay dead while their slots are reused.
      for (size_t i = gone.size() > 8 ? gone.size() - 8 : 0; i < gone.size(); ++i) {
        ASSERT_FALSE(s.IsPending(gone[i]));
        ASSERT_FALSE(s.Cancel(gone[i]));
      }
    }
    until = SimTime::Max();
    ASSERT_TRUE(s.RunUntilQuiescent().ok());
    EXPECT_TRUE(reference.empty());
    EXPECT_GT(ran, 1000);
    EXPECT_GT(nested, 300);
  }
}

}  // namespace
}  // namespace ravensim::sim
