// sim::Message: what the simulated network carries between nodes.
//
// A message is either its wire bytes, or an immutable in-process body (MessageBody) that
// stands for them. Nodes of one simulation live in one process, so a sender may hand its
// receiver the decoded message itself instead of serializing it and having the receiver
// parse it back (FoundationDB's simulator passes objects the same way). The network
// never looks inside: a link charges, and the trace records, the message's wire size,
// which a body reports without being encoded, so a run takes the same course and leaves
// the same trace whichever form a sender chooses. Anything that needs bytes (a receiver
// that only reads bytes, a test) gets them from Bytes(), which encodes a body on demand.
//
// Copying a Message shares its body (bodies are immutable), so a duplicated message
// costs no copy of its content. Thread-compatible.
#ifndef RAVENSIM_SIM_MESSAGE_H_
#define RAVENSIM_SIM_MESSAGE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace ravensim::sim {

// The content of an in-process message. Implementations hold the decoded message.
class MessageBody {
 public:
  virtual ~MessageBody() = default;
  // The wire bytes this body stands for. Deterministic; its size is the size the body's
  // Message was created with.
  virtual std::string Encode() const = 0;
};

class Message {
 public:
  Message() = default;
  // Wire bytes. Implicit: a message is, first of all, its bytes.
  Message(std::string bytes) : bytes_(std::move(bytes)) {}  // NOLINT
  Message(const char* bytes) : bytes_(bytes) {}             // NOLINT
  // An in-process body whose encoding is `wire_size` bytes long.
  // REQUIRES: body != nullptr.
  Message(std::shared_ptr<const MessageBody> body, size_t wire_size)
      : body_(std::move(body)), wire_size_(wire_size) {}

  // Moves skip the bytes when there are none (a message with a body never has any):
  // a message is moved several times between its sender's Effects and the network, and
  // std::string's moves are the larger part of that. The moved-from message is left
  // empty, as with the defaulted moves.
  Message(Message&& other) noexcept
      : body_(std::move(other.body_)), wire_size_(other.wire_size_) {
    if (!other.bytes_.empty()) bytes_ = std::move(other.bytes_);
    other.wire_size_ = 0;
  }
  Message& operator=(Message&& other) noexcept {
    if (this == &other) return *this;
    body_ = std::move(other.body_);
    wire_size_ = other.wire_size_;
    other.wire_size_ = 0;
    if (!other.bytes_.empty() || !bytes_.empty()) bytes_ = std::move(other.bytes_);
    return *this;
  }
  Message(const Message&) = default;
  Message& operator=(const Message&) = default;

  // The size of the wire bytes (what links charge and the trace records).
  size_t size() const { return body_ != nullptr ? wire_size_ : bytes_.size(); }
  // The in-process body, or nullptr for a message that is only bytes.
  const MessageBody* body() const { return body_.get(); }
  // The bytes of a message without a body. REQUIRES: body() == nullptr.
  const std::string& bytes() const { return bytes_; }
  // The wire bytes, encoding the body if there is one.
  std::string Bytes() const { return body_ != nullptr ? body_->Encode() : bytes_; }
  // The same, moving the bytes out of a message without a body.
  std::string TakeBytes() { return body_ != nullptr ? body_->Encode() : std::move(bytes_); }

  // Back to an empty message, releasing the body and the bytes' storage (what assigning
  // Message() does, without building and destroying a temporary).
  void Clear() {
    body_.reset();
    wire_size_ = 0;
    if (bytes_.capacity() > std::string().capacity()) {
      std::string().swap(bytes_);
    } else {
      bytes_.clear();
    }
  }

 private:
  std::string bytes_;
  std::shared_ptr<const MessageBody> body_;
  size_t wire_size_ = 0;
};

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_MESSAGE_H_
