#include "sim/harness/rachis_wire.h"

#include <memory>
#include <utility>

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

}  // namespace ravensim::harness
