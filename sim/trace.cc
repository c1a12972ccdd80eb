#include "sim/trace.h"

#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ravensim::sim {

uint64_t Fnv1a64(std::string_view bytes, uint64_t hash) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= kFnv1a64Prime;
  }
  return hash;
}

uint64_t Fnv1a64Word(uint64_t word, uint64_t hash) {
  for (int i = 0; i < 8; ++i) {
    hash ^= (word >> (8 * i)) & 0xff;
    hash *= kFnv1a64Prime;
  }
  return hash;
}

namespace {

// HashBytes' body, inlined where the trace hashes an observation's kind and detail.
__attribute__((always_inline)) inline uint64_t HashBytesInline(std::string_view bytes,
                                                               uint64_t hash) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  // The chain is sequential; four words per iteration only trims the loop overhead.
  // Each word is loaded on its own: one 32-byte copy went through the stack.
  const auto load = [](const char* at) {
    uint64_t word;
    std::memcpy(&word, at, 8);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    return word;
  };
  while (n >= 32) {
    hash = TraceMixWord(hash, load(p));
    hash = TraceMixWord(hash, load(p + 8));
    hash = TraceMixWord(hash, load(p + 16));
    hash = TraceMixWord(hash, load(p + 24));
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    hash = TraceMixWord(hash, load(p));
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    // The last 1-7 bytes as the low bytes of a zero-padded little-endian word, read
    // without a variable-length copy (a library call).
    const auto byte = [p](size_t i) {
      return static_cast<uint64_t>(static_cast<unsigned char>(p[i]));
    };
    uint64_t word;
    if (n >= 4) {
      // Two overlapping 4-byte reads: p[0..4) and p[n-4..n) shifted into place (the
      // overlapping bytes are equal in both).
      uint32_t low, high;
      std::memcpy(&low, p, 4);
      std::memcpy(&high, p + n - 4, 4);
      if constexpr (std::endian::native == std::endian::big) {
        low = __builtin_bswap32(low);
        high = __builtin_bswap32(high);
      }
      word = uint64_t{low} | (uint64_t{high} << (8 * (n - 4)));
    } else {
      word = byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)));
    }
    hash = TraceMixWord(hash, word);
  }
  return TraceMixWord(hash, bytes.size());
}

}  // namespace

uint64_t HashBytes(std::string_view bytes, uint64_t hash) { return HashBytesInline(bytes, hash); }

std::string FormatFingerprint(uint64_t fingerprint) {
  return absl::StrFormat("%016x", fingerprint);
}

Trace::Trace(const TraceOptions& options)
    : options_(options),
      recording_(options.keep_event_hashes || options.jsonl != nullptr) {}

void Trace::Append(const TraceEvent& event) {
  // Fixed encoding: time, node, peer, value as 8-byte words, then kind and detail each
  // preceded by its length so that field boundaries cannot be confused.
  uint64_t h = hash_;
  h = Fnv1a64Word(static_cast<uint64_t>(event.time.nanos()), h);
  h = Fnv1a64Word(static_cast<uint64_t>(static_cast<int64_t>(event.node)), h);
  h = Fnv1a64Word(static_cast<uint64_t>(static_cast<int64_t>(event.peer)), h);
  h = Fnv1a64Word(static_cast<uint64_t>(event.value), h);
  h = Fnv1a64Word(event.kind.size(), h);
  h = Fnv1a64(event.kind, h);
  h = Fnv1a64Word(event.detail.size(), h);
  h = Fnv1a64(event.detail, h);
  Record(h, event);
}

void Trace::Record(uint64_t chain, const TraceEvent& event) {
  hash_ = chain;
  if (options_.keep_event_hashes) event_hashes_.push_back(chain);
  if (options_.jsonl != nullptr) {
    *options_.jsonl << TraceEventJson(event_count_, event) << '\n';
  }
  ++event_count_;
}

void Trace::AppendPrefixed(SimTime time, const TracePrefix& prefix, std::string_view kind,
                           int32_t node, int32_t peer, int64_t value,
                           std::string_view detail) {
  uint64_t h =
      MixEvent(hash_, HashBytesInline(kind, prefix.hash), time, node, peer, value, {});
  // MixEvent's step for a non-empty detail, with the detail hashed inline.
  if (!detail.empty()) h = TraceMixWord(h, HashBytesInline(detail, kFnv1a64Offset));
  if (!recording_) {
    hash_ = h;
    ++event_count_;
    return;
  }
  if (options_.jsonl == nullptr) {
    Record(h, TraceEvent{time, kind, node, peer, value, detail});  // No name needed.
    return;
  }
  std::string name(prefix.name);
  name.append(kind);
  Record(h, TraceEvent{time, name, node, peer, value, detail});
}

std::optional<uint64_t> FirstDivergence(const std::vector<uint64_t>& a,
                                        const std::vector<uint64_t>& b) {
  const size_t common = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < common; ++i) {
    if (a[i] != b[i]) return i;
  }
  if (a.size() != b.size()) return common;
  return std::nullopt;
}

namespace {

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 if there is none
// (overlong forms, surrogates and code points above U+10FFFF are not well-formed).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  size_t length;
  unsigned char low = 0x80, high = 0xbf;  // Allowed range of the second byte.
  if (c >= 0xc2 && c <= 0xdf) {
    length = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    length = 3;
    if (c == 0xe0) low = 0xa0;
    if (c == 0xed) high = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    length = 4;
    if (c == 0xf0) low = 0x90;
    if (c == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return length;
}

}  // namespace

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += absl::StrFormat("\\u%04x", c);
        } else if (c < 0x80) {
          out += static_cast<char>(c);
        } else if (const size_t n = Utf8SequenceLength(text, i); n > 0) {
          out.append(text.data() + i, n);
          i += n - 1;
        } else {
          // A byte that is not part of valid UTF-8 (binary detail, e.g. a serialized
          // message): written as the code point of the same value, so every line stays
          // valid JSON and distinct bytes stay distinct.
          out += absl::StrFormat("\\u%04x", c);
        }
    }
  }
  out += '"';
  return out;
}

std::string TraceEventJson(uint64_t index, const TraceEvent& event) {
  std::string line = absl::StrCat("{\"i\":", index, ",\"t\":", event.time.nanos(),
                                  ",\"kind\":", JsonQuote(event.kind));
  if (event.node >= 0) absl::StrAppend(&line, ",\"node\":", event.node);
  if (event.peer >= 0) absl::StrAppend(&line, ",\"peer\":", event.peer);
  if (event.value != 0) absl::StrAppend(&line, ",\"value\":", event.value);
  if (!event.detail.empty()) absl::StrAppend(&line, ",\"detail\":", JsonQuote(event.detail));
  line += '}';
  return line;
}

}  // namespace ravensim::sim
