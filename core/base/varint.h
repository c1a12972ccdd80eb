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

// Writes `v` as a varint at `p` (room for VarintSize(v) bytes), returning the end: for
// encoders that size their output first and then write it without growth checks. The
// one- and two-byte cases (flags, kinds, terms, most lengths and indexes) without a loop.
// `Byte` is char or uint8_t.
template <typename Byte>
[[gnu::always_inline]] inline Byte* PutVarint(uint64_t v, Byte* p) {
  if (v < 0x80) {
    *p = static_cast<Byte>(v);
    return p + 1;
  }
  if (v < 0x4000) {
    p[0] = static_cast<Byte>(v | 0x80);
    p[1] = static_cast<Byte>(v >> 7);
    return p + 2;
  }
  while (v >= 0x80) {
    *p++ = static_cast<Byte>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<Byte>(v);
  return p;
}

}  // namespace ravensim

#endif  // RAVENSIM_CORE_BASE_VARINT_H_
