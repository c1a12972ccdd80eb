// Short byte copies for encoders and state that rewrite small strings on every command:
// keys, values, request ids and commands are mostly a few bytes, where a memcpy call
// (and std::string's general assign path) costs more than the copy.
#ifndef RAVENSIM_CORE_BASE_BYTES_H_
#define RAVENSIM_CORE_BASE_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ravensim {

namespace bytes_internal {

// `n` bytes, sizeof(Word) <= n <= 2 * sizeof(Word), as two possibly overlapping words.
template <typename Word>
inline void CopyHeadAndTail(char* dst, const char* src, size_t n) {
  Word head;
  Word tail;
  std::memcpy(&head, src, sizeof(Word));
  std::memcpy(&tail, src + n - sizeof(Word), sizeof(Word));
  std::memcpy(dst, &head, sizeof(Word));
  std::memcpy(dst + n - sizeof(Word), &tail, sizeof(Word));
}

}  // namespace bytes_internal

// Copies `n` bytes between buffers that do not overlap; up to 16 bytes with two loads
// and two stores (or a byte loop below 4), longer ones by memcpy.
inline void CopyBytes(char* dst, const char* src, size_t n) {
  if (n >= 8 && n <= 16) {
    bytes_internal::CopyHeadAndTail<uint64_t>(dst, src, n);
  } else if (n >= 4 && n < 8) {
    bytes_internal::CopyHeadAndTail<uint32_t>(dst, src, n);
  } else if (n < 4) {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  } else {
    std::memcpy(dst, src, n);
  }
}

// `*out = value`, overwriting `*out`'s bytes in place when it holds at least as many
// (a value rewritten with one of the same length, the usual case), else by assign().
// `value` must not view `*out`.
[[gnu::always_inline]] inline void AssignBytes(std::string* out, std::string_view value) {
  if (value.size() > out->size()) {
    out->assign(value.data(), value.size());
    return;
  }
  out->resize(value.size());
  CopyBytes(out->data(), value.data(), value.size());
}

}  // namespace ravensim

#endif  // RAVENSIM_CORE_BASE_BYTES_H_
