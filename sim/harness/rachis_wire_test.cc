#include "sim/harness/rachis_wire.h"

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::harness {
namespace {

class OtherBody : public sim::MessageBody {
 public:
  std::string Encode() const override { return "other"; }
};

RachisWire AppendWire() {
  RachisWire wire;
  rachis::RachisMessage* m = wire.mutable_rachis();
  m->set_from("A");
  m->set_to("B");
  m->set_topology_id("cluster-1");
  m->set_term(7);
  rachis::AppendEntries* append = m->mutable_append_entries();
  append->set_prev_log_index(41);
  rachis::LogEntry* entry = append->add_entries();
  entry->set_index(42);
  entry->set_term(7);
  entry->set_command(std::string(300, 'x'));
  return wire;
}

TEST(RachisWireTest, MessageCarriesTheWireAndItsEncodedSize) {
  const RachisWire wire = AppendWire();
  const std::string bytes = wire.SerializeAsString();
  sim::Message message = MakeRachisWireMessage(wire);
  ASSERT_NE(message.body(), nullptr);
  EXPECT_EQ(message.size(), bytes.size());
  EXPECT_EQ(message.Bytes(), bytes);
  const RachisWire* carried = RachisWireOf(*message.body());
  ASSERT_NE(carried, nullptr);
  EXPECT_EQ(carried->SerializeAsString(), bytes);
  EXPECT_EQ(carried->rachis().append_entries().entries(0).command(), std::string(300, 'x'));
}

TEST(RachisWireTest, OtherBodiesAreNotRachisWires) {
  OtherBody other;
  EXPECT_EQ(RachisWireOf(other), nullptr);
  EXPECT_EQ(RachisMessageOf(other), nullptr);
}

TEST(RachisWireTest, RachisMessageBodyStandsForTheWrappingRachisWire) {
  // Small and large messages: the length varint takes one, two and three bytes.
  for (size_t command : {size_t{10}, size_t{300}, size_t{40000}}) {
    RachisWire wire = AppendWire();
    wire.mutable_rachis()->mutable_append_entries()->mutable_entries(0)->set_command(
        std::string(command, 'y'));
    const std::string bytes = wire.SerializeAsString();
    sim::Message message = MakeRachisMessage(wire.rachis());
    ASSERT_NE(message.body(), nullptr);
    EXPECT_EQ(message.size(), bytes.size()) << command;
    EXPECT_EQ(message.Bytes(), bytes) << command;
    EXPECT_EQ(RachisWireOf(*message.body()), nullptr);
    const rachis::RachisMessage* carried = RachisMessageOf(*message.body());
    ASSERT_NE(carried, nullptr);
    EXPECT_EQ(carried->SerializeAsString(), wire.rachis().SerializeAsString());
  }
}

// Reused bodies hold nothing of the message they carried before.
TEST(RachisWireTest, ReusedBodiesEncodeAsNewOnes) {
  auto entry = std::make_shared<rachis::LogEntry>();
  entry->set_index(5);
  entry->set_term(2);
  entry->set_request_id("c0.1-5");
  entry->set_command(std::string(100, 'z'));
  for (int round = 0; round < 3; ++round) {
    {
      // A full AppendEntries (entries, topology) and a response, then released.
      std::shared_ptr<RachisMessageBody> append =
          NewRachisMessageBody(rachis::RachisMessage::kAppendEntries);
      rachis::RachisMessage* m = append->mutable_message();
      m->set_from("LONGTAG-AAAAAAAAAAAAAAAA");
      m->set_to("B");
      m->set_topology_id("cluster-with-a-long-id");
      m->set_term(9);
      m->mutable_append_entries()->set_prev_log_index(4);
      m->mutable_append_entries()->set_sequence(77);
      m->mutable_append_entries()->mutable_topology()->set_topology_id("t");
      append->AddEntry(entry);
      std::shared_ptr<RachisMessageBody> response =
          NewRachisMessageBody(rachis::RachisMessage::kAppendEntriesResponse);
      response->mutable_message()->set_from("B");
      response->mutable_message()->mutable_append_entries_response()->set_success(true);
      response->mutable_message()->mutable_append_entries_response()->set_match_index(3);
    }
    EXPECT_EQ(entry.use_count(), 1);
    // A smaller AppendEntries and response built in (possibly) reused bodies, setting
    // every envelope field as RachisNode does (a reused body may still hold them).
    auto set_envelope = [](rachis::RachisMessage* m) {
      m->set_from("A");
      m->set_to("C");
      m->set_topology_id("");
      m->set_term(0);
      m->set_from_node_id(0);
      m->set_to_node_id(2);
    };
    std::shared_ptr<RachisMessageBody> append =
        NewRachisMessageBody(rachis::RachisMessage::kAppendEntries);
    EXPECT_FALSE(append->message().has_append_entries() &&
                 append->message().append_entries().ByteSizeLong() != 0);  // empty body
    set_envelope(append->mutable_message());
    append->mutable_message()->mutable_append_entries()->set_sequence(3);
    rachis::RachisMessage expected;
    set_envelope(&expected);
    expected.mutable_append_entries()->set_sequence(3);
    EXPECT_EQ(append->message().SerializeAsString(), expected.SerializeAsString());
    EXPECT_TRUE(append->SharedEntries().empty());
    std::shared_ptr<RachisMessageBody> response =
        NewRachisMessageBody(rachis::RachisMessage::kAppendEntriesResponse);
    set_envelope(response->mutable_message());
    response->mutable_message()->mutable_append_entries_response()->set_last_log_index(8);
    rachis::RachisMessage expected_response;
    set_envelope(&expected_response);
    expected_response.mutable_append_entries_response()->set_last_log_index(8);
    EXPECT_EQ(response->message().SerializeAsString(), expected_response.SerializeAsString());
    const sim::Message carried = MakeRachisMessage(response);
    RachisWire wire;
    *wire.mutable_rachis() = expected_response;
    EXPECT_EQ(carried.Bytes(), wire.SerializeAsString());
    EXPECT_EQ(carried.size(), wire.ByteSizeLong());
  }
}

// The pool keeps at most 4096 released bodies of a kind, and hands them out again last
// released first; bodies beyond that are deleted, and new ones made when it is empty.
TEST(RachisWireTest, PoolKeepsABoundedStackOfReleasedBodies) {
  constexpr size_t kHeld = 5000;  // more than the pool keeps
  constexpr size_t kKept = 4096;
  auto take = [] {
    std::vector<std::shared_ptr<RachisMessageBody>> bodies;
    for (size_t i = 0; i < kHeld; ++i) {
      bodies.push_back(NewRachisMessageBody(rachis::RachisMessage::kAppendEntriesResponse));
      bodies.back()->mutable_message()->mutable_append_entries_response()->set_match_index(i + 1);
    }
    return bodies;
  };
  // Whatever the pool held is taken first; then all released, first to last.
  std::vector<std::shared_ptr<RachisMessageBody>> first = take();
  std::vector<const RachisMessageBody*> released;
  for (const auto& body : first) released.push_back(body.get());
  first.clear();
  std::vector<std::shared_ptr<RachisMessageBody>> second = take();
  for (size_t i = 0; i < kKept; ++i) {
    ASSERT_EQ(second[i].get(), released[kKept - 1 - i]) << i;
  }
  for (size_t i = 0; i < kHeld; ++i) {
    // Reset when released: only what this round set.
    EXPECT_EQ(second[i]->message().append_entries_response().match_index(), i + 1);
    EXPECT_FALSE(second[i]->message().append_entries_response().success());
  }
}

TEST(RachisWireTest, ResponseBodiesAreReusedAndCarryExactlyTheFieldsSet) {
  const RachisWireBody* first = nullptr;
  for (int round = 0; round < 3; ++round) {
    std::shared_ptr<RachisWireBody> body = NewClientResponseBody();
    ASSERT_EQ(body->wire().body_case(), RachisWire::kClientResponse);
    if (round == 0) first = body.get();
    // Every field set, as RachisHost sets them: long values in the first round, short
    // or empty ones after, so that a reused body shows what it kept.
    ClientResponse* response = body->mutable_wire()->mutable_client_response();
    const bool big = round == 0;
    response->set_request_id(big ? std::string(40, 'r') : "c1");
    response->set_outcome(big ? rachis::COMMAND_OUTCOME_COMMITTED
                              : rachis::COMMAND_OUTCOME_UNSPECIFIED);
    response->set_index(big ? 123456789 : 0);
    response->set_result(big ? std::string(100, 'x') : "");
    response->set_reason(big ? "a long reason for the record" : "");
    RachisWire expected;
    ClientResponse* want = expected.mutable_client_response();
    want->set_request_id(response->request_id());
    want->set_outcome(response->outcome());
    want->set_index(response->index());
    want->set_result(response->result());
    want->set_reason(response->reason());
    const sim::Message message = MakeRachisWireMessage(std::move(body));
    EXPECT_EQ(message.Bytes(), expected.SerializeAsString());
    EXPECT_EQ(message.size(), expected.ByteSizeLong());
  }
  // Each round's body went back to the pool when its message did.
  std::shared_ptr<RachisWireBody> again = NewClientResponseBody();
  EXPECT_EQ(again.get(), first);
}

// RachisMessageSize is ByteSizeLong, for every body and for field values around the
// varint length steps (zero, one byte, several bytes, negative node ids).
TEST(RachisWireTest, RachisMessageSizeIsByteSizeLong) {
  const uint64_t values[] = {0, 1, 127, 128, 16383, 16384, uint64_t{1} << 40, ~uint64_t{0}};
  const int32_t ids[] = {0, 1, 127, 128, -1, std::numeric_limits<int32_t>::min()};
  const std::string texts[] = {"", "A", std::string(127, 'n'), std::string(200, 'l')};
  auto entry = std::make_shared<rachis::LogEntry>();
  entry->set_index(300);
  entry->set_term(5);
  entry->set_request_id("c0.9-300");
  entry->set_command(std::string(140, 'q'));
  int checked = 0;
  const auto check = [&checked](const rachis::RachisMessage& m) {
    EXPECT_EQ(RachisMessageSize(m), m.ByteSizeLong()) << m.ShortDebugString();
    RachisWire wire;
    *wire.mutable_rachis() = m;
    EXPECT_EQ(MakeRachisMessage(m).size(), wire.SerializeAsString().size());
    ++checked;
  };
  for (size_t i = 0; i < 8; ++i) {
    rachis::RachisMessage m;
    m.set_from(texts[i % 4]);
    m.set_to(texts[(i + 1) % 4]);
    m.set_topology_id(texts[(i + 2) % 4]);
    m.set_term(values[i]);
    m.set_from_node_id(ids[i % 6]);
    m.set_to_node_id(ids[(i + 3) % 6]);
    check(m);  // no body
    rachis::AppendEntries* append = m.mutable_append_entries();
    check(m);  // an empty body
    append->set_prev_log_index(values[(i + 1) % 8]);
    append->set_prev_log_term(values[(i + 2) % 8]);
    append->set_leader_commit(values[(i + 3) % 8]);
    append->set_sequence(values[(i + 4) % 8]);
    check(m);
    append->set_force_elections(i % 2 == 0);
    check(m);
    for (int n = 0; n < 3; ++n) {
      *append->add_entries() = *entry;
      check(m);
    }
    append->mutable_entries(0)->set_command(std::string(20000, 'w'));
    check(m);
    append->mutable_topology()->set_topology_id("t");
    check(m);
    rachis::AppendEntriesResponse* response = m.mutable_append_entries_response();
    check(m);
    response->set_success(i % 2 == 0);
    response->set_match_index(values[i]);
    response->set_last_log_index(values[(i + 5) % 8]);
    response->set_probe_index(values[(i + 6) % 8]);
    response->set_sequence(values[(i + 7) % 8]);
    response->set_topology_mismatch(i % 3 == 0);
    check(m);
    m.mutable_request_vote()->set_last_log_index(values[i]);
    check(m);
    m.mutable_request_vote_response();
    check(m);
  }
  EXPECT_EQ(checked, 8 * 13);
}

// The entries an envelope shares are sized once: every later message carrying the same
// entry reads the size back (SharedEntrySize). Entries the message owns are always sized,
// so one changed after it was sized is still counted right.
TEST(RachisWireTest, SharedEntriesAreSizedOnceAndOwnedOnesAlways) {
  auto shared = std::make_shared<rachis::LogEntry>();
  shared->set_index(300);
  shared->set_term(5);
  shared->set_request_id("c0.9-300");
  shared->set_command(std::string(140, 'q'));
  const size_t entry_size = rachis::LogEntry(*shared).ByteSizeLong();
  EXPECT_EQ(rachis::SharedEntrySize(*shared), entry_size);  // not sized before
  EXPECT_EQ(rachis::SharedEntrySize(*shared), entry_size);  // read back
  for (int follower = 0; follower < 4; ++follower) {
    std::shared_ptr<RachisMessageBody> body =
        NewRachisMessageBody(rachis::RachisMessage::kAppendEntries);
    rachis::RachisMessage* m = body->mutable_message();
    m->set_from("A");
    m->set_to(std::string(1, static_cast<char>('B' + follower)));
    m->set_term(5);
    m->mutable_append_entries()->set_prev_log_index(299);
    m->mutable_append_entries()->clear_topology();
    body->AddEntry(shared);
    if (follower >= 2) {
      // An entry of the message's own after the shared one, sized, then changed.
      rachis::LogEntry* owned = m->mutable_append_entries()->add_entries();
      owned->set_index(301);
      owned->set_term(5);
      ASSERT_GT(owned->ByteSizeLong(), 0u);
      owned->set_command(std::string(50 * follower, 'o'));
    }
    RachisWire wire;
    *wire.mutable_rachis() = *m;  // a copy: sized afresh
    const sim::Message message = MakeRachisMessage(body);
    EXPECT_EQ(message.size(), wire.ByteSizeLong()) << follower;
    EXPECT_EQ(message.Bytes(), wire.SerializeAsString()) << follower;
  }
}

// A body copied from a parsed message keeps its unknown fields, and is sized with them.
TEST(RachisWireTest, CopiedBodiesCountUnknownFields) {
  rachis::RachisMessage m;
  m.set_from("A");
  m.mutable_append_entries_response()->set_success(true);
  const std::string unknown("\xa0\x06\x05", 3);  // field 100, varint 5
  rachis::RachisMessage with_unknown;
  ASSERT_TRUE(with_unknown.ParseFromString(m.SerializeAsString() + unknown));
  rachis::AppendEntriesResponse response;
  ASSERT_TRUE(response.ParseFromString(
      m.append_entries_response().SerializeAsString() + unknown));
  rachis::RachisMessage body_unknown;
  body_unknown.set_from("A");
  *body_unknown.mutable_append_entries_response() = response;
  for (const rachis::RachisMessage* message : {&with_unknown, &body_unknown}) {
    ASSERT_EQ(message->ByteSizeLong(), m.ByteSizeLong() + 3);
    RachisWire wire;
    *wire.mutable_rachis() = *message;
    EXPECT_EQ(MakeRachisMessage(*message).size(), wire.SerializeAsString().size());
    EXPECT_EQ(MakeRachisMessage(std::make_shared<const RachisMessageBody>(*message)).size(),
              wire.SerializeAsString().size());
  }
}

TEST(RachisWireTest, ClientResponseSizeMatchesItsBytes) {
  RachisWire wire;
  ClientResponse* response = wire.mutable_client_response();
  response->set_request_id("r-1");
  response->set_outcome(rachis::COMMAND_OUTCOME_COMMITTED);
  response->set_index(9);
  response->set_result("ok");
  const size_t size = wire.SerializeAsString().size();
  EXPECT_EQ(MakeRachisWireMessage(std::move(wire)).size(), size);
}

// ClientResponseWireSize is ByteSizeLong of the wrapping RachisWire, for every field empty
// or set, at the varint length steps, and for a response body reused by a smaller one.
TEST(RachisWireTest, ClientResponseWireSizeIsByteSizeLong) {
  const uint64_t indexes[] = {0, 1, 127, 128, 16384, ~uint64_t{0}};
  const std::string texts[] = {"", "r", std::string(127, 't'), std::string(300, 'u')};
  const rachis::CommandOutcome outcomes[] = {
      rachis::COMMAND_OUTCOME_UNSPECIFIED, rachis::COMMAND_OUTCOME_COMMITTED,
      rachis::COMMAND_OUTCOME_UNKNOWN};
  int checked = 0;
  for (int i = 0; i < 24; ++i) {
    std::shared_ptr<RachisWireBody> body = NewClientResponseBody();
    ClientResponse* response = body->mutable_wire()->mutable_client_response();
    response->set_request_id(texts[i % 4]);
    response->set_outcome(outcomes[i % 3]);
    response->set_index(indexes[i % 6]);
    response->set_result(texts[(i + 1) % 4]);
    response->set_reason(texts[(i / 4) % 4]);
    EXPECT_EQ(ClientResponseWireSize(*response), body->wire().ByteSizeLong()) << i;
    const std::string bytes = body->wire().SerializeAsString();
    const sim::Message message = MakeClientResponseMessage(body);
    EXPECT_EQ(message.size(), bytes.size()) << i;
    EXPECT_EQ(message.Bytes(), bytes) << i;
    ++checked;
  }
  EXPECT_EQ(checked, 24);
}

}  // namespace
}  // namespace ravensim::harness
