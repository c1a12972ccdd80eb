// RachisWire messages handed between the Rachis hosts and cluster clients of one
// simulation in process (sim/message.h): the sender's decoded RachisWire (or, between
// hosts, the node's RachisMessage that RachisWire would wrap) travels as the message
// body, the receiver reads it without parsing, and the network charges the size of its
// encoding. Receivers still accept plain bytes (ParseRachisWire), so a host also
// talks to a peer that sends bytes.
#ifndef RAVENSIM_SIM_HARNESS_RACHIS_WIRE_H_
#define RAVENSIM_SIM_HARNESS_RACHIS_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>

#include "core/base/varint.h"
#include "core/rachis/rachis_envelope.h"
#include "sim/harness/rachis_wire.pb.h"
#include "sim/message.h"

namespace ravensim::harness {

class RachisWireBody final : public sim::MessageBody {
 public:
  RachisWireBody() = default;
  explicit RachisWireBody(RachisWire wire) : wire_(std::move(wire)) {}
  const RachisWire& wire() const { return wire_; }
  // For filling the wire in place before the body is handed over.
  RachisWire* mutable_wire() { return &wire_; }
  std::string Encode() const override { return wire_.SerializeAsString(); }

 private:
  RachisWire wire_;
};

// A message whose body is `wire`, sized as its encoding.
sim::Message MakeRachisWireMessage(RachisWire wire);
// A message whose body is `body` (its wire filled in place), sized as its encoding.
sim::Message MakeRachisWireMessage(std::shared_ptr<const RachisWireBody> body);

// A body whose wire is a ClientResponse (wire().body_case() == kClientResponse) holding
// whatever an earlier response left in it: the caller sets every one of its fields.
// Response bodies are reused (per thread, a bounded number): when the last reference to
// one goes, it is kept as it is for the next response, which then allocates nothing.
std::shared_ptr<RachisWireBody> NewClientResponseBody();

// The size of RachisWire{client_response = response} for a response whose fields were
// all set (no unknown fields), as ByteSizeLong() gives it, without protobuf's walk.
size_t ClientResponseWireSize(const ClientResponse& response);

// MakeRachisWireMessage for a body from NewClientResponseBody (every field set by its
// user), sized by ClientResponseWireSize.
sim::Message MakeClientResponseMessage(std::shared_ptr<const RachisWireBody> body);

// The RachisWire a body carries, or nullptr for a body of another kind.
inline const RachisWire* RachisWireOf(const sim::MessageBody& body);

// A Rachis message between hosts: stands for RachisWire{rachis = message()}. It is the
// envelope the node built the message in (RachisOptions::new_envelope makes these), so
// the message travels as built, not wrapped in a RachisWire, and a receiving node
// shares its log entries (rachis_envelope.h).
class RachisMessageBody final : public sim::MessageBody, public rachis::RachisEnvelope {
 public:
  RachisMessageBody() = default;
  // A body holding a copy of `message`.
  explicit RachisMessageBody(const rachis::RachisMessage& message) : copied_(true) {
    *mutable_message() = message;
  }
  std::string Encode() const override;
  // Made by copying a message (which may hold unknown fields), not field by field.
  bool copied() const { return copied_; }

 private:
  bool copied_ = false;
};

// An empty body for a message with a `body` (RachisOptions::new_envelope). Bodies of the
// frequent kinds (AppendEntries, its response, the vote messages) are reused: when the
// last reference to one goes, it is Reset() and kept (per thread, a bounded number per
// kind) for the next message of its kind, which then allocates nothing for its strings
// and body.
std::shared_ptr<RachisMessageBody> NewRachisMessageBody(rachis::RachisMessage::BodyCase body);

// message.ByteSizeLong() for a message without unknown fields (one built by setting its
// fields, as RachisNode builds its messages), computed without protobuf's generic walk
// for the frequent bodies (AppendEntries without a topology, and its response).
size_t RachisMessageSize(const rachis::RachisMessage& message);
// The same for a message whose envelope lists `shared` entries (an entry listed there
// may be sized once for all the messages carrying it).
size_t RachisMessageSize(const rachis::RachisMessage& message,
                         absl::Span<const rachis::LogEntryPtr> shared);

// The size of the encoding of RachisWire{rachis = body.message()}: field 1,
// length-delimited. A body built field by field (as RachisNode builds them) has no
// unknown fields; one copied from another message may (RachisMessageSize does not count
// them). Inline, as MakeRachisMessage.
inline size_t RachisMessageWireSize(const RachisMessageBody& body) {
  const size_t length = body.copied() ? body.message().ByteSizeLong()
                                      : RachisMessageSize(body.message(), body.shared_entries());
  return DelimitedFieldSize(length);
}

// A message whose body is `body`, sized as the encoding of RachisWire{rachis = message}.
// Inline (every message between hosts is made here): the body moves straight from the
// caller into the message.
inline sim::Message MakeRachisMessage(std::shared_ptr<const RachisMessageBody> body) {
  const size_t size = RachisMessageWireSize(*body);
  return sim::Message(std::move(body), size);
}
// The same for a copy of `message`.
sim::Message MakeRachisMessage(const rachis::RachisMessage& message);

// The Rachis message body a body is, or nullptr for a body of another kind.
inline const RachisMessageBody* RachisMessageBodyOf(const sim::MessageBody& body);
// The Rachis message a body carries, or nullptr for a body of another kind.
const rachis::RachisMessage* RachisMessageOf(const sim::MessageBody& body);

// The body classes are final: an exact type check (a type_info comparison) instead of a
// dynamic_cast's walk of the class hierarchy, on every delivered message; inline, as
// every delivery asks.
inline const RachisWire* RachisWireOf(const sim::MessageBody& body) {
  if (typeid(body) != typeid(RachisWireBody)) return nullptr;
  return &static_cast<const RachisWireBody&>(body).wire();
}

inline const RachisMessageBody* RachisMessageBodyOf(const sim::MessageBody& body) {
  if (typeid(body) != typeid(RachisMessageBody)) return nullptr;
  return &static_cast<const RachisMessageBody&>(body);
}

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_RACHIS_WIRE_H_
