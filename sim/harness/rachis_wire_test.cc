#include "sim/harness/rachis_wire.h"

#include <string>

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

}  // namespace
}  // namespace ravensim::harness
