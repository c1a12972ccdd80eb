// The hashes of core/rachis, written here (STYLE.md §C: our own hashes only) so core/
// needs no sim/: FNV-1a-64 over bytes for the command hash in observations, and a
// word-wise checksum for persisted records.
#ifndef RAVENSIM_CORE_RACHIS_CHECKSUM_H_
#define RAVENSIM_CORE_RACHIS_CHECKSUM_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace ravensim::rachis {

inline constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnv1a64Prime = 0x100000001b3ULL;

// FNV-1a-64 of `bytes`, continuing from `seed` (the offset basis by default).
inline uint64_t Fnv1a64Bytes(absl::string_view bytes, uint64_t seed = kFnv1a64Offset) {
  uint64_t hash = seed;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  // Eight bytes per iteration: the same byte-by-byte chain, less loop overhead.
  for (; n >= 8; n -= 8, p += 8) {
    hash = (hash ^ p[0]) * kFnv1a64Prime;
    hash = (hash ^ p[1]) * kFnv1a64Prime;
    hash = (hash ^ p[2]) * kFnv1a64Prime;
    hash = (hash ^ p[3]) * kFnv1a64Prime;
    hash = (hash ^ p[4]) * kFnv1a64Prime;
    hash = (hash ^ p[5]) * kFnv1a64Prime;
    hash = (hash ^ p[6]) * kFnv1a64Prime;
    hash = (hash ^ p[7]) * kFnv1a64Prime;
  }
  for (; n > 0; --n, ++p) hash = (hash ^ *p) * kFnv1a64Prime;
  return hash;
}

// The checksum of a persisted record: the bytes as little-endian 64-bit words (the last
// one zero-padded), then the length, each folded in with h = xorshift(odd * (h ^ word)).
// Every step is a bijection of h for a given word, so any change confined to one word
// (a flipped bit, a torn tail's garbled word) always changes the result; eight bytes per
// step instead of FNV's one.
inline uint64_t RecordChecksum(absl::string_view bytes) {
  constexpr uint64_t kOdd = 0x9e3779b97f4a7c15ULL;
  const auto mix = [](uint64_t h, uint64_t word) {
    h = (h ^ word) * kOdd;
    return h ^ (h >> 29);
  };
  uint64_t hash = kFnv1a64Offset;
  const char* p = bytes.data();
  size_t n = bytes.size();
  // Little-endian words, whatever the host's byte order.
  const auto load = [](const char* from, size_t count) {
    uint64_t word = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&word, from, count);
    } else {
      for (size_t i = 0; i < count; ++i) {
        word |= static_cast<uint64_t>(static_cast<unsigned char>(from[i])) << (8 * i);
      }
    }
    return word;
  };
  for (; n >= 8; p += 8, n -= 8) hash = mix(hash, load(p, 8));
  if (n > 0) hash = mix(hash, load(p, n));
  return mix(hash, bytes.size());
}

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_CHECKSUM_H_
