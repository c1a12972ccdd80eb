// FNV-1a-64 over bytes: the checksum of persisted Rachis records and the command hash in
// observations. Written here (STYLE.md §C: our own hashes only) so core/ needs no sim/.
#ifndef RAVENSIM_CORE_RACHIS_CHECKSUM_H_
#define RAVENSIM_CORE_RACHIS_CHECKSUM_H_

#include <cstddef>
#include <cstdint>

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

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_CHECKSUM_H_
