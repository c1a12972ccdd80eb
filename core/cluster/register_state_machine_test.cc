#include "core/cluster/register_state_machine.h"

#include "gtest/gtest.h"

namespace ravensim::cluster {
namespace {

RegisterResult ApplyCommand(RegisterStateMachine& sm, uint64_t index, const std::string& command) {
  absl::StatusOr<RegisterResult> result =
      RegisterStateMachine::DecodeResult(sm.Apply(index, command));
  EXPECT_TRUE(result.ok());
  return *result;
}

TEST(RegisterStateMachineTest, WriteReadCas) {
  RegisterStateMachine sm;
  RegisterResult read = ApplyCommand(sm, 1, RegisterStateMachine::EncodeRead("x"));
  EXPECT_TRUE(read.ok());
  EXPECT_FALSE(read.found());
  EXPECT_EQ(read.index(), 1u);
  EXPECT_TRUE(ApplyCommand(sm, 2, RegisterStateMachine::EncodeWrite("x", "1")).ok());
  EXPECT_EQ(ApplyCommand(sm, 3, RegisterStateMachine::EncodeRead("x")).value(), "1");
  RegisterResult failed = ApplyCommand(sm, 4, RegisterStateMachine::EncodeCas("x", "0", "2"));
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.value(), "1");
  RegisterResult cas = ApplyCommand(sm, 5, RegisterStateMachine::EncodeCas("x", "1", "2"));
  EXPECT_TRUE(cas.ok());
  EXPECT_EQ(sm.values().at("x"), "2");
  EXPECT_TRUE(ApplyCommand(sm, 6, RegisterStateMachine::EncodeCas("y", "", "new")).ok());
}

TEST(RegisterStateMachineTest, GarbageCommandChangesNothing) {
  RegisterStateMachine sm;
  RegisterResult result = ApplyCommand(sm, 1, std::string("\xff\xff\xff", 3));
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(sm.values().empty());
}

TEST(RegisterStateMachineTest, SnapshotRoundTrip) {
  RegisterStateMachine sm;
  ApplyCommand(sm, 1, RegisterStateMachine::EncodeWrite("b", "2"));
  ApplyCommand(sm, 2, RegisterStateMachine::EncodeWrite("a", "1"));
  RegisterStateMachine copy;
  ASSERT_TRUE(copy.Restore(sm.Serialize()).ok());
  EXPECT_EQ(copy.values(), sm.values());
  EXPECT_EQ(copy.Serialize(), sm.Serialize());
  EXPECT_FALSE(copy.Restore(std::string("\xff\xff", 2)).ok());
}

}  // namespace
}  // namespace ravensim::cluster
