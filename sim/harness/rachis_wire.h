// RachisWire messages handed between the Rachis hosts and cluster clients of one
// simulation in process (sim/message.h): the sender's decoded RachisWire (or, between
// hosts, the node's RachisMessage that RachisWire would wrap) travels as the message
// body, the receiver reads it without parsing, and the network charges the size of its
// encoding. Receivers still accept plain bytes (ParseRachisWire), so a host also
// talks to a peer that sends bytes.
#ifndef RAVENSIM_SIM_HARNESS_RACHIS_WIRE_H_
#define RAVENSIM_SIM_HARNESS_RACHIS_WIRE_H_

#include <string>
#include <string_view>
#include <utility>

#include "sim/harness/rachis_wire.pb.h"
#include "sim/message.h"

namespace ravensim::harness {

class RachisWireBody : public sim::MessageBody {
 public:
  explicit RachisWireBody(RachisWire wire) : wire_(std::move(wire)) {}
  const RachisWire& wire() const { return wire_; }
  std::string Encode() const override { return wire_.SerializeAsString(); }

 private:
  RachisWire wire_;
};

// A message whose body is `wire`, sized as its encoding.
sim::Message MakeRachisWireMessage(RachisWire wire);

// The RachisWire a body carries, or nullptr for a body of another kind.
const RachisWire* RachisWireOf(const sim::MessageBody& body);

// A Rachis message between hosts: stands for RachisWire{rachis = message}, holding the
// node's message itself (moved in, not wrapped in a RachisWire).
class RachisMessageBody : public sim::MessageBody {
 public:
  explicit RachisMessageBody(rachis::RachisMessage message) : message_(std::move(message)) {}
  const rachis::RachisMessage& message() const { return message_; }
  std::string Encode() const override;

 private:
  rachis::RachisMessage message_;
};

// A message whose body is `message`, sized as the encoding of RachisWire{rachis = message}.
sim::Message MakeRachisMessage(rachis::RachisMessage message);

// The Rachis message a body carries, or nullptr for a body of another kind.
const rachis::RachisMessage* RachisMessageOf(const sim::MessageBody& body);

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_RACHIS_WIRE_H_
