#include "core/base/varint.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"

namespace ravensim {
namespace {

TEST(VarintSizeTest, AgreesWithProtobufAtEveryLengthStep) {
  using google::protobuf::io::CodedOutputStream;
  for (int bits = 0; bits <= 64; ++bits) {
    const uint64_t top = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits);
    for (uint64_t v : {top - 1, top, top + 1}) {
      EXPECT_EQ(VarintSize(v), CodedOutputStream::VarintSize64(v)) << v;
    }
  }
  EXPECT_EQ(VarintSize(0), 1u);
  EXPECT_EQ(VarintSize(127), 1u);
  EXPECT_EQ(VarintSize(128), 2u);
  EXPECT_EQ(VarintSize(16383), 2u);
  EXPECT_EQ(VarintSize(16384), 3u);
  EXPECT_EQ(VarintSize(~uint64_t{0}), 10u);
}

TEST(PutVarintTest, WritesWhatProtobufWritesAtEveryLengthStep) {
  using google::protobuf::io::CodedOutputStream;
  const auto text = [](const void* begin, const void* end) {
    return std::string(static_cast<const char*>(begin), static_cast<const char*>(end));
  };
  for (int bits = 0; bits <= 64; ++bits) {
    const uint64_t top = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits);
    for (uint64_t v : {top - 1, top, top + 1}) {
      uint8_t expected[10];
      const uint8_t* expected_end = CodedOutputStream::WriteVarint64ToArray(v, expected);
      uint8_t bytes[12] = {};
      const uint8_t* end = PutVarint(v, bytes);
      EXPECT_EQ(static_cast<size_t>(end - bytes), VarintSize(v)) << v;
      EXPECT_EQ(text(bytes, end), text(expected, expected_end)) << v;
      EXPECT_EQ(*end, 0) << "wrote past the varint: " << v;
      char chars[12] = {};
      EXPECT_EQ(text(chars, PutVarint(v, chars)), text(bytes, end)) << v;
    }
  }
}

TEST(DelimitedFieldSizeTest, KeyLengthAndBytes) {
  EXPECT_EQ(DelimitedFieldSize(0), 2u);
  EXPECT_EQ(DelimitedFieldSize(127), 129u);
  EXPECT_EQ(DelimitedFieldSize(128), 131u);
  EXPECT_EQ(DelimitedFieldSize(20000), 20004u);
}

// A uint64 field's size is its key byte and protobuf's varint, at both ends of every bit
// width; proto3 leaves a zero out.
TEST(UintFieldSizeTest, KeyAndProtobufVarintAtEveryBitWidth) {
  using google::protobuf::io::CodedOutputStream;
  EXPECT_EQ(UintFieldSize(0), 0u);
  for (int bits = 1; bits <= 64; ++bits) {
    const uint64_t smallest = uint64_t{1} << (bits - 1);
    const uint64_t largest = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    for (uint64_t v : {smallest, largest}) {
      EXPECT_EQ(UintFieldSize(v), 1 + CodedOutputStream::VarintSize64(v)) << v;
      EXPECT_EQ(DelimitedFieldSize(v), 1 + CodedOutputStream::VarintSize64(v) + v) << v;
    }
  }
}

// An int32 field: a negative value takes ten bytes (sign-extended), as protobuf writes it.
TEST(Int32FieldSizeTest, NegativeValuesAreSignExtended) {
  using google::protobuf::io::CodedOutputStream;
  EXPECT_EQ(Int32FieldSize(0), 0u);
  for (int32_t v : {1, 127, 128, 16383, 16384, std::numeric_limits<int32_t>::max(), -1,
                    std::numeric_limits<int32_t>::min()}) {
    EXPECT_EQ(Int32FieldSize(v), 1 + CodedOutputStream::VarintSize32SignExtended(v)) << v;
  }
  EXPECT_EQ(Int32FieldSize(-1), 11u);
}

// PutBytesField writes what protobuf writes for a bytes field of number < 16 (the
// register's op, field 2: key 0x12), and exactly BytesFieldSize bytes, at lengths around
// CopyBytes' steps and the varint's.
TEST(PutBytesFieldTest, WritesProtobufsBytesFieldOfItsSize) {
  using google::protobuf::io::CodedOutputStream;
  using google::protobuf::io::StringOutputStream;
  for (size_t n : {0, 1, 3, 4, 7, 8, 16, 17, 127, 128, 300, 20000}) {
    std::string value(n, '\0');
    for (size_t i = 0; i < n; ++i) value[i] = static_cast<char>('a' + i % 26);
    std::string expected;
    if (n > 0) {
      StringOutputStream stream(&expected);
      CodedOutputStream coded(&stream);
      coded.WriteTag((2 << 3) | 2);
      coded.WriteVarint32(static_cast<uint32_t>(n));
      coded.WriteString(value);
    }
    std::string written(BytesFieldSize(value) + 16, '\x55');
    char* end = PutBytesField(0x12, value, written.data());
    ASSERT_EQ(static_cast<size_t>(end - written.data()), BytesFieldSize(value)) << n;
    written.resize(BytesFieldSize(value));
    EXPECT_EQ(written, expected) << n;
  }
}

// PutUintField writes what protobuf writes for a uint64 field of number < 16, and
// exactly UintFieldSize bytes, at both ends of every varint length (and nothing for 0).
TEST(PutUintFieldTest, WritesProtobufsVarintFieldOfItsSize) {
  using google::protobuf::io::CodedOutputStream;
  using google::protobuf::io::StringOutputStream;
  std::vector<uint64_t> values = {0, 1, ~uint64_t{0}};
  for (int bits = 7; bits < 64; bits += 7) {
    values.push_back((uint64_t{1} << bits) - 1);
    values.push_back(uint64_t{1} << bits);
  }
  for (uint64_t v : values) {
    std::string expected;
    if (v != 0) {
      StringOutputStream stream(&expected);
      CodedOutputStream coded(&stream);
      coded.WriteTag((4 << 3) | 0);
      coded.WriteVarint64(v);
    }
    std::string written(UintFieldSize(v) + 16, '\x55');
    char* end = PutUintField(0x20, v, written.data());
    ASSERT_EQ(static_cast<size_t>(end - written.data()), UintFieldSize(v)) << v;
    written.resize(UintFieldSize(v));
    EXPECT_EQ(written, expected) << v;
    // The same through a uint8_t pointer.
    uint8_t bytes[16];
    EXPECT_EQ(static_cast<size_t>(PutUintField(0x20, v, bytes) - bytes), UintFieldSize(v));
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes), UintFieldSize(v)), expected);
  }
}

TEST(BytesFieldSizeTest, EmptyFieldsAreLeftOut) {
  EXPECT_EQ(BytesFieldSize(""), 0u);
  EXPECT_EQ(BytesFieldSize("A"), 3u);
  EXPECT_EQ(BytesFieldSize(std::string(200, 'x')), 203u);
}

}  // namespace
}  // namespace ravensim
