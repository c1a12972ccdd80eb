#include "sim/event_callback.h"

#include <memory>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

TEST(EventCallbackTest, EmptyByDefaultAndAfterNull) {
  EventCallback empty;
  EXPECT_FALSE(empty);
  int calls = 0;
  EventCallback c = [&calls] { ++calls; };
  EXPECT_TRUE(c);
  c();
  EXPECT_EQ(calls, 1);
  c = nullptr;
  EXPECT_FALSE(c);
}

TEST(EventCallbackTest, InlineCallableKeepsItsCapturesAcrossMoves) {
  int sum = 0;
  int64_t a = 3, b = 4, d = 5, e = 6, f = 7;  // 48 bytes of captures with &sum.
  EventCallback c = [&sum, a, b, d, e, f] { sum += static_cast<int>(a + b + d + e + f); };
  EventCallback moved = std::move(c);
  EXPECT_FALSE(c);  // NOLINT: checking the moved-from state on purpose.
  moved();
  EXPECT_EQ(sum, 25);
  EventCallback assigned;
  assigned = std::move(moved);
  assigned();
  EXPECT_EQ(sum, 50);
}

TEST(EventCallbackTest, HeapCallableIsDestroyedExactlyOnce) {
  auto token = std::make_shared<int>(0);
  std::string text = "not trivially copyable";
  {
    EventCallback c = [token, text] { ++*token; };
    EXPECT_EQ(token.use_count(), 2);
    EventCallback moved = std::move(c);
    EXPECT_EQ(token.use_count(), 2);  // Moving shares the heap copy, no new copy.
    moved();
    EXPECT_EQ(*token, 1);
    moved = nullptr;
    EXPECT_EQ(token.use_count(), 1);  // Reset destroyed the callable.
  }
  EXPECT_EQ(token.use_count(), 1);
}

TEST(EventCallbackTest, OversizedTrivialCallableGoesToTheHeapAndStillRuns) {
  struct Big {
    int64_t v[8];
    int* out;
    void operator()() const { *out = static_cast<int>(v[0] + v[7]); }
  };
  static_assert(sizeof(Big) > EventCallback::kInlineSize);
  int out = 0;
  EventCallback c = Big{{1, 0, 0, 0, 0, 0, 0, 41}, &out};
  EventCallback moved = std::move(c);
  moved();
  EXPECT_EQ(out, 42);
}

TEST(EventCallbackTest, FitsWithASequenceNumberInOneCacheLine) {
  EXPECT_EQ(sizeof(EventCallback) + sizeof(uint64_t), 64u);
}

}  // namespace
}  // namespace ravensim::sim
