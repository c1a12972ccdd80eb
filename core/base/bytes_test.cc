#include "core/base/bytes.h"

#include <string>

#include "gtest/gtest.h"

namespace ravensim {
namespace {

// Every length up to 40 (each branch and both of its ends), from and into every offset
// of a larger buffer: the bytes copied are the source's, and nothing around them moves.
TEST(CopyBytesTest, CopiesExactlyTheBytesAtEveryLengthAndOffset) {
  std::string source(64, '\0');
  for (size_t i = 0; i < source.size(); ++i) source[i] = static_cast<char>('a' + i % 26);
  for (size_t n = 0; n <= 40; ++n) {
    for (size_t offset = 0; offset < 8; ++offset) {
      std::string target(64, '.');
      CopyBytes(target.data() + offset, source.data() + 3, n);
      std::string expected(64, '.');
      expected.replace(offset, n, source, 3, n);
      EXPECT_EQ(target, expected) << "length " << n << " offset " << offset;
    }
  }
}

TEST(AssignBytesTest, AssignsShorterEqualAndLongerValues) {
  for (size_t before = 0; before <= 24; ++before) {
    for (size_t after = 0; after <= 24; ++after) {
      std::string out(before, 'x');
      const std::string value(after, 'y');
      AssignBytes(&out, value);
      EXPECT_EQ(out, value) << before << " -> " << after;
    }
  }
  std::string out = "a longer value than the next";
  const size_t capacity = out.capacity();
  AssignBytes(&out, "short");
  EXPECT_EQ(out, "short");
  EXPECT_EQ(out.capacity(), capacity);  // written in place
}

}  // namespace
}  // namespace ravensim
