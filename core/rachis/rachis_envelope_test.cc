#include "core/rachis/rachis_envelope.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

LogEntryPtr Entry(uint64_t index, const std::string& command) {
  auto entry = std::make_shared<LogEntry>();
  entry->set_index(index);
  entry->set_term(3);
  entry->set_flags(ENTRY_FLAGS_STATE_MACHINE_COMMAND);
  entry->set_request_id("c0.1-" + std::to_string(index));
  entry->set_command(command);
  return entry;
}

void FillHeader(RachisMessage* message) {
  message->set_from("A");
  message->set_to("B");
  message->set_topology_id("cluster-1");
  message->set_term(3);
  message->set_from_node_id(0);
  message->set_to_node_id(1);
}

TEST(RachisEnvelopeTest, SharedEntriesEncodeAsCopiedOnes) {
  const LogEntryPtr first = Entry(7, "w k1 v1");
  const LogEntryPtr second = Entry(8, std::string(1000, 'x'));
  RachisMessage expected;
  FillHeader(&expected);
  expected.mutable_append_entries()->set_prev_log_index(6);
  *expected.mutable_append_entries()->add_entries() = *first;
  *expected.mutable_append_entries()->add_entries() = *second;
  expected.mutable_append_entries()->set_leader_commit(6);
  {
    RachisEnvelope envelope;
    FillHeader(envelope.mutable_message());
    envelope.mutable_message()->mutable_append_entries()->set_prev_log_index(6);
    envelope.AddEntry(first);
    envelope.AddEntry(second);
    envelope.mutable_message()->mutable_append_entries()->set_leader_commit(6);
    EXPECT_EQ(envelope.message().SerializeAsString(), expected.SerializeAsString());
    EXPECT_EQ(envelope.message().ByteSizeLong(), expected.ByteSizeLong());
    ASSERT_EQ(envelope.SharedEntries().size(), 2u);
    EXPECT_EQ(envelope.SharedEntries()[0], first);
    EXPECT_EQ(envelope.SharedEntries()[1], second);
    EXPECT_EQ(&envelope.message().append_entries().entries(1), second.get());
    EXPECT_EQ(first.use_count(), 2);
  }
  // The envelope released the entries without destroying or changing them.
  EXPECT_EQ(first.use_count(), 1);
  EXPECT_EQ(second->command(), std::string(1000, 'x'));
  EXPECT_EQ(first->request_id(), "c0.1-7");
}

TEST(RachisEnvelopeTest, HashesAreReportedOnlyWhenEveryEntryCameWithOne) {
  const LogEntryPtr first = Entry(7, "w k1 v1");
  const LogEntryPtr second = Entry(8, "w k2 v2");
  RachisEnvelope with;
  with.AddEntry(first, 11);
  with.AddEntry(second, 12);
  ASSERT_EQ(with.SharedEntryHashes().size(), 2u);
  EXPECT_EQ(with.SharedEntryHashes()[0], 11u);
  EXPECT_EQ(with.SharedEntryHashes()[1], 12u);
  with.Reset();
  EXPECT_TRUE(with.SharedEntryHashes().empty());
  with.AddEntry(first);  // reused, now without hashes
  with.AddEntry(second, 12);
  EXPECT_EQ(with.SharedEntries().size(), 2u);
  EXPECT_TRUE(with.SharedEntryHashes().empty());
  RachisEnvelope copied;  // hashes of entries that are not the message's are not reported
  copied.AddEntry(first, 11);
  *copied.mutable_message()->mutable_append_entries()->add_entries() = *second;
  EXPECT_TRUE(copied.SharedEntries().empty());
  EXPECT_TRUE(copied.SharedEntryHashes().empty());
}

TEST(RachisEnvelopeTest, EntriesNotAddedSharedAreNotReportedShared) {
  RachisEnvelope envelope;
  EXPECT_TRUE(envelope.SharedEntries().empty());  // no AppendEntries
  envelope.AddEntry(Entry(1, "a"));
  *envelope.mutable_message()->mutable_append_entries()->add_entries() = *Entry(2, "b");
  EXPECT_TRUE(envelope.SharedEntries().empty());
  EXPECT_EQ(envelope.shared_entries().size(), 1u);
}

TEST(RachisEnvelopeTest, OwnEntriesAreFreedAndSharedOnesReleased) {
  const LogEntryPtr shared = Entry(1, "a");
  {
    RachisEnvelope envelope;
    envelope.AddEntry(shared);
    *envelope.mutable_message()->mutable_append_entries()->add_entries() = *Entry(2, "b");
    envelope.AddEntry(shared);
    EXPECT_EQ(envelope.message().append_entries().entries_size(), 3);
    EXPECT_EQ(shared.use_count(), 3);
  }
  // (Under ASan a leaked or doubly freed element fails the test.)
  EXPECT_EQ(shared.use_count(), 1);
  EXPECT_EQ(shared->command(), "a");
  RachisEnvelope big;
  big.mutable_message()->mutable_forward_command()->set_command(std::string(5000, 'y'));
  EXPECT_EQ(big.message().forward_command().command(), std::string(5000, 'y'));
}

}  // namespace
}  // namespace ravensim::rachis
