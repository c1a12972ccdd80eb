#include "sim/harness/rachis_wire.h"

#include <memory>
#include <string>
#include <utility>

#include "core/rachis/wire_field.h"

namespace ravensim::harness {

sim::Message MakeRachisWireMessage(RachisWire wire) {
  auto body = std::make_shared<RachisWireBody>(std::move(wire));
  const size_t size = body->wire().ByteSizeLong();
  return sim::Message(std::move(body), size);
}

const RachisWire* RachisWireOf(const sim::MessageBody& body) {
  const auto* wire = dynamic_cast<const RachisWireBody*>(&body);
  return wire == nullptr ? nullptr : &wire->wire();
}

std::string RachisMessageBody::Encode() const {
  std::string out;  // RachisWire{rachis = message} (field 1), without copying it.
  rachis::AppendMessageField(1, message(), &out);
  return out;
}

sim::Message MakeRachisMessage(const rachis::RachisMessage& message) {
  return MakeRachisMessage(std::make_shared<const RachisMessageBody>(message));
}

sim::Message MakeRachisMessage(std::shared_ptr<const RachisMessageBody> body) {
  // Field 1, length-delimited: a one-byte tag, the varint length, the message.
  size_t length = body->message().ByteSizeLong();
  size_t size = 1 + length;
  do {
    ++size;
    length >>= 7;
  } while (length != 0);
  return sim::Message(std::move(body), size);
}

const RachisMessageBody* RachisMessageBodyOf(const sim::MessageBody& body) {
  return dynamic_cast<const RachisMessageBody*>(&body);
}

const rachis::RachisMessage* RachisMessageOf(const sim::MessageBody& body) {
  const RachisMessageBody* rachis = RachisMessageBodyOf(body);
  return rachis == nullptr ? nullptr : &rachis->message();
}

}  // namespace ravensim::harness
