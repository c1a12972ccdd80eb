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

}  // namespace
}  // namespace ravensim::sim
