#include "core/rachis/checksum.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

// The textbook definition, one byte at a time.
uint64_t ReferenceFnv1a64(const std::string& bytes, uint64_t seed) {
  uint64_t hash = seed;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= kFnv1a64Prime;
  }
  return hash;
}

TEST(ChecksumTest, KnownVectors) {
  EXPECT_EQ(Fnv1a64Bytes(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64Bytes("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64Bytes("foobar"), 0x85944171f73967e8ULL);
}

TEST(ChecksumTest, MatchesTheByteByByteDefinitionAtEveryLength) {
  std::string bytes;
  uint64_t seed = kFnv1a64Offset;
  for (int length = 0; length < 70; ++length) {
    EXPECT_EQ(Fnv1a64Bytes(bytes, seed), ReferenceFnv1a64(bytes, seed)) << length;
    seed = ReferenceFnv1a64(bytes, seed) | 1;
    bytes.push_back(static_cast<char>(0x80 + length * 37));
  }
}

}  // namespace
}  // namespace ravensim::rachis
