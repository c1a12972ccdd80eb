#include "sim/message.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

class CountingBody : public MessageBody {
 public:
  explicit CountingBody(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string Encode() const override {
    ++encodes;
    return bytes_;
  }
  mutable int encodes = 0;

 private:
  std::string bytes_;
};

TEST(MessageTest, BytesAreTheirOwnSize) {
  Message m(std::string("hello"));
  EXPECT_EQ(m.size(), 5u);
  EXPECT_EQ(m.body(), nullptr);
  EXPECT_EQ(m.bytes(), "hello");
  EXPECT_EQ(m.Bytes(), "hello");
  EXPECT_EQ(m.TakeBytes(), "hello");
  EXPECT_EQ(Message().size(), 0u);
}

TEST(MessageTest, BodyReportsItsWireSizeWithoutEncoding) {
  auto body = std::make_shared<CountingBody>("abc");
  Message m(body, 3);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.body(), body.get());
  EXPECT_EQ(body->encodes, 0);
  EXPECT_EQ(m.Bytes(), "abc");
  EXPECT_EQ(body->encodes, 1);
  EXPECT_EQ(m.TakeBytes(), "abc");
  EXPECT_EQ(body->encodes, 2);
}

TEST(MessageTest, CopiesShareTheBody) {
  auto body = std::make_shared<CountingBody>("xyz");
  Message m(body, 3);
  Message copy = m;
  EXPECT_EQ(copy.body(), m.body());
  EXPECT_EQ(body.use_count(), 3);
  Message moved = std::move(copy);
  EXPECT_EQ(moved.body(), body.get());
  EXPECT_EQ(moved.size(), 3u);
}

TEST(MessageTest, ClearLeavesAnEmptyMessageAndReleasesTheBody) {
  auto body = std::make_shared<CountingBody>("xyz");
  Message m(body, 3);
  m.Clear();
  EXPECT_EQ(m.body(), nullptr);
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(body.use_count(), 1);
  Message bytes(std::string(1000, 'b'));
  bytes.Clear();
  EXPECT_EQ(bytes.size(), 0u);
  EXPECT_EQ(bytes.bytes(), "");
  EXPECT_LE(bytes.bytes().capacity(), std::string().capacity());  // Storage released.
  Message small("hi");
  small.Clear();
  EXPECT_EQ(small.bytes(), "");
  EXPECT_EQ(small.Bytes(), Message().Bytes());
}

TEST(MessageTest, MovesCarryBytesOrBodyAndLeaveTheSourceEmpty) {
  auto body = std::make_shared<CountingBody>("xyz");
  const std::string long_bytes(100, 'q');  // On the heap, not in the string itself.
  for (const std::string& bytes : {std::string("short"), long_bytes}) {
    Message source(bytes);
    Message moved(std::move(source));
    EXPECT_EQ(moved.bytes(), bytes);
    EXPECT_EQ(moved.size(), bytes.size());
    EXPECT_EQ(source.size(), 0u);  // NOLINT: the moved-from state is specified here.
    EXPECT_EQ(source.Bytes(), "");
    // Bytes over a body, a body over bytes, bytes over bytes.
    Message target(body, 3);
    target = std::move(moved);
    EXPECT_EQ(target.body(), nullptr);
    EXPECT_EQ(target.bytes(), bytes);
    EXPECT_EQ(target.size(), bytes.size());
    EXPECT_EQ(moved.size(), 0u);  // NOLINT
    Message with_body(body, 3);
    target = std::move(with_body);
    EXPECT_EQ(target.body(), body.get());
    EXPECT_EQ(target.size(), 3u);
    EXPECT_EQ(target.Bytes(), "xyz");
    EXPECT_EQ(with_body.body(), nullptr);  // NOLINT
    EXPECT_EQ(with_body.size(), 0u);       // NOLINT
    Message other_bytes(std::string("other"));
    other_bytes = Message(bytes);
    EXPECT_EQ(other_bytes.bytes(), bytes);
    // A body moved into an empty message, and out again.
    Message empty;
    empty = std::move(target);
    EXPECT_EQ(empty.body(), body.get());
    Message out(std::move(empty));
    EXPECT_EQ(out.body(), body.get());
    EXPECT_EQ(out.size(), 3u);
    EXPECT_EQ(empty.body(), nullptr);  // NOLINT
    EXPECT_EQ(empty.size(), 0u);       // NOLINT
    // Self-move leaves the message as it was.
    Message& alias = out;
    out = std::move(alias);
    EXPECT_EQ(out.body(), body.get());
    EXPECT_EQ(out.size(), 3u);
  }
  EXPECT_EQ(body.use_count(), 1);  // Nothing leaked a reference.
}

}  // namespace
}  // namespace ravensim::sim
