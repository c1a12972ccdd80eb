// Protobuf base-128 varints: the size of one, for encoders that write wire bytes
// directly and must agree with protobuf's serialization byte for byte.
#ifndef RAVENSIM_CORE_BASE_VARINT_H_
#define RAVENSIM_CORE_BASE_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ravensim {

// The bytes of `v` as a varint: 1 to 10. The one- and two-byte cases (terms, node ids,
// flags, most indexes and lengths) are decided by one comparison each.
constexpr size_t VarintSize(uint64_t v) {
  if (v < (uint64_t{1} << 7)) return 1;
  if (v < (uint64_t{1} << 14)) return 2;
  size_t size = 3;
  for (v >>= 21; v != 0; v >>= 7) ++size;
  return size;
}

// The bytes of a length-delimited field whose key takes one byte (field number < 16)
// holding `length` bytes: key, varint length, the bytes.
constexpr size_t DelimitedFieldSize(size_t length) { return 1 + VarintSize(length) + length; }

// The bytes of a proto3 bytes/string field (number < 16) holding `field`: none when it is
// empty (proto3 leaves it out).
constexpr size_t BytesFieldSize(std::string_view field) {
  return field.empty() ? 0 : DelimitedFieldSize(field.size());
}

}  // namespace ravensim

#endif  // RAVENSIM_CORE_BASE_VARINT_H_
