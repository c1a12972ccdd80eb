#include "sim/process.h"

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

TEST(ProcessTableTest, LifeCycleAndIncarnations) {
  ProcessTable table(2);
  EXPECT_EQ(table.state(0), ProcessState::kDown);
  EXPECT_EQ(table.incarnation(0), 0u);
  ASSERT_TRUE(table.Start(0).ok());
  EXPECT_EQ(table.incarnation(0), 1u);
  EXPECT_EQ(table.up_count(), 1);
  ASSERT_TRUE(table.Crash(0).ok());
  EXPECT_EQ(table.state(0), ProcessState::kCrashed);
  ASSERT_TRUE(table.Start(0).ok());
  EXPECT_EQ(table.incarnation(0), 2u);
}

TEST(ProcessTableTest, PauseResumeMeasuresThePause) {
  ProcessTable table(1);
  ASSERT_TRUE(table.Start(0).ok());
  ASSERT_TRUE(table.Pause(0, SimTime::FromNanos(100)).ok());
  EXPECT_EQ(table.paused_at(0), SimTime::FromNanos(100));
  EXPECT_EQ(table.up_count(), 0);
  SimDuration length;
  ASSERT_TRUE(table.Resume(0, SimTime::FromNanos(350), &length).ok());
  EXPECT_EQ(length, SimDuration::Nanos(250));
  EXPECT_EQ(table.state(0), ProcessState::kUp);
}

TEST(ProcessTableTest, InvalidTransitionsAreErrorsThatChangeNothing) {
  ProcessTable table(1);
  EXPECT_EQ(table.Crash(0).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(table.Pause(0, SimTime()).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(table.Start(0).ok());
  EXPECT_EQ(table.Start(0).code(), absl::StatusCode::kFailedPrecondition);
  SimDuration length;
  EXPECT_EQ(table.Resume(0, SimTime(), &length).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(table.Pause(0, SimTime()).ok());
  EXPECT_EQ(table.Pause(0, SimTime()).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(table.Crash(0).ok());  // A paused machine can die.
  EXPECT_EQ(table.incarnation(0), 1u);
}

}  // namespace
}  // namespace ravensim::sim
