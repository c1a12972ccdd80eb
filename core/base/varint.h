// Protobuf base-128 varints and the fields that hold them: their sizes, and writers,
// for encoders that write wire bytes directly and must agree with protobuf's
// serialization byte for byte.
#ifndef RAVENSIM_CORE_BASE_VARINT_H_
#define RAVENSIM_CORE_BASE_VARINT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"

namespace ravensim {

namespace varint_internal {

// The bytes of a field with a one-byte key (field number < 16) holding a varint whose
// highest set bit is `bit` (0 to 63): the key, then bit + 1 significant bits, 7 to a
// byte. Field sizes are read from it by a bit scan and a load (encoders size a dozen
// fields per message); a varint alone is one byte less.
inline constexpr std::array<uint8_t, 64> kFieldBytesByTopBit = [] {
  std::array<uint8_t, 64> bytes{};
  for (int bit = 0; bit < 64; ++bit) {
    bytes[static_cast<size_t>(bit)] = static_cast<uint8_t>(1 + (bit + 7) / 7);
  }
  return bytes;
}();

// The table's entry for `v`, which must not be 0 (63 ^ clz: one bit scan).
constexpr size_t FieldBytes(uint64_t v) {
  return kFieldBytesByTopBit[static_cast<size_t>(63 ^ __builtin_clzll(v))];
}

}  // namespace varint_internal

// The bytes of `v` as a varint: 1 to 10 (`v | 1` has the top bit of `v`, or bit 0 for 0).
constexpr size_t VarintSize(uint64_t v) { return varint_internal::FieldBytes(v | 1) - 1; }

// The fields below have a number < 16: their key takes one byte.

// The bytes of a length-delimited field holding `length` bytes, written even when empty
// (a message field): key, varint length, the bytes.
constexpr size_t DelimitedFieldSize(size_t length) {
  return varint_internal::FieldBytes(length | 1) + length;
}

// The bytes of a proto3 bytes/string field holding `field`: none when it is empty
// (proto3 leaves it out).
constexpr size_t BytesFieldSize(std::string_view field) {
  return field.empty() ? 0 : DelimitedFieldSize(field.size());
}

// The bytes of a proto3 uint64 (or bool, or non-negative enum) field holding `v`: key
// and varint, none for 0.
constexpr size_t UintFieldSize(uint64_t v) {
  return v == 0 ? 0 : varint_internal::FieldBytes(v);
}

// The bytes of a proto3 int32 (or enum) field holding `v`: a negative value is
// sign-extended to ten bytes.
constexpr size_t Int32FieldSize(int32_t v) {
  return UintFieldSize(static_cast<uint64_t>(static_cast<int64_t>(v)));
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

// Writes the proto3 uint64 (or bool, or non-negative enum) field holding `v` at `p` with
// the one-byte key `key` (field number < 16, wire type 0), nothing for 0, returning the
// end: room for UintFieldSize(v) bytes. `Byte` is char or uint8_t.
template <typename Byte>
[[gnu::always_inline]] inline Byte* PutUintField(uint8_t key, uint64_t v, Byte* p) {
  if (v == 0) return p;  // proto3 leaves a zero field out
  *p++ = static_cast<Byte>(key);
  return PutVarint(v, p);
}

// Writes the proto3 bytes/string field `bytes` at `p` with the one-byte key `key` (field
// number < 16, wire type 2), nothing when it is empty, returning the end: room for
// BytesFieldSize(bytes) bytes. Short fields (ids, tags, values) copied by CopyBytes.
[[gnu::always_inline]] inline char* PutBytesField(char key, std::string_view bytes, char* p) {
  if (bytes.empty()) return p;  // proto3 leaves an empty field out
  *p++ = key;
  p = PutVarint(bytes.size(), p);
  CopyBytes(p, bytes.data(), bytes.size());
  return p + bytes.size();
}

}  // namespace ravensim

#endif  // RAVENSIM_CORE_BASE_VARINT_H_
