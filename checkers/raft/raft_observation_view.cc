#include "checkers/raft/raft_observation_view.h"

#include <bit>
#include <cstring>

namespace ravensim::checkers::raft {

namespace {

// Protocol buffer wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kStartGroup = 3;
constexpr uint32_t kEndGroup = 4;
constexpr uint32_t kFixed32 = 5;

// Readers of one serialized message: each takes the next byte to read and the end, and
// returns the byte after what it read, or nullptr when the bytes end first or are
// malformed. (Plain pointers in and out keep the position in a register.)

// A varint of two bytes or more with ten bytes to read from, unrolled without bounds
// checks. Each byte after the first is added less one: that cancels the previous byte's
// continuation bit. Bits past the 64th are dropped, as the protobuf parser does; a
// varint longer than ten bytes is malformed.
inline const uint8_t* ReadLongVarint(const uint8_t* p, uint64_t* v) {
  uint64_t result = p[0];
  for (int i = 1; i < 10; ++i) {
    const uint64_t byte = p[i];
    result += (byte - 1) << (7 * i);
    if (byte < 0x80) {
      *v = result;
      return p + i + 1;
    }
  }
  return nullptr;
}

const uint8_t* ReadVarintSlow(const uint8_t* p, const uint8_t* end, uint64_t* v) {
  if (end - p >= 10) return ReadLongVarint(p, v);
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {  // Ten bytes.
    if (p == end) return nullptr;
    const uint8_t byte = *p++;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

inline const uint8_t* ReadVarint(const uint8_t* p, const uint8_t* end, uint64_t* v) {
  if (p != end && *p < 0x80) {  // One byte: most of them.
    *v = *p;
    return p + 1;
  }
  if (end - p >= 2 && p[1] < 0x80) {  // Two bytes: log indexes.
    *v = (p[0] & 0x7fu) | (static_cast<uint64_t>(p[1]) << 7);
    return p + 2;
  }
  return ReadVarintSlow(p, end, v);
}

// A field key; malformed if the field number is 0 or the wire type impossible.
inline const uint8_t* ReadKey(const uint8_t* p, const uint8_t* end, uint32_t* field,
                              uint32_t* wire_type) {
  uint64_t key = 0;
  p = ReadVarint(p, end, &key);
  if (p == nullptr || key > 0xffffffffu) return nullptr;
  *field = static_cast<uint32_t>(key >> 3);
  *wire_type = static_cast<uint32_t>(key & 7);
  return *field != 0 && *wire_type <= kFixed32 ? p : nullptr;
}

inline const uint8_t* ReadLengthDelimited(const uint8_t* p, const uint8_t* end,
                                          std::string_view* out) {
  uint64_t size = 0;
  p = ReadVarint(p, end, &size);
  if (p == nullptr || size > 0x7fffffffu || size > static_cast<uint64_t>(end - p)) {
    return nullptr;
  }
  *out = std::string_view(reinterpret_cast<const char*>(p), size);
  return p + size;
}

// Skips the value of a field whose key was just read (a group up to its end).
const uint8_t* SkipValue(const uint8_t* p, const uint8_t* end, uint32_t field,
                         uint32_t wire_type, int depth) {
  uint64_t ignored = 0;
  std::string_view bytes;
  switch (wire_type) {
    case kVarint: return ReadVarint(p, end, &ignored);
    case kFixed64: return end - p >= 8 ? p + 8 : nullptr;
    case kLengthDelimited: return ReadLengthDelimited(p, end, &bytes);
    case kFixed32: return end - p >= 4 ? p + 4 : nullptr;
    case kStartGroup: {
      if (depth >= 100) return nullptr;
      while (true) {
        uint32_t inner_field = 0;
        uint32_t inner_type = 0;
        p = ReadKey(p, end, &inner_field, &inner_type);
        if (p == nullptr) return nullptr;
        if (inner_type == kEndGroup) return inner_field == field ? p : nullptr;
        p = SkipValue(p, end, inner_field, inner_type, depth + 1);
        if (p == nullptr) return nullptr;
      }
    }
    default: return nullptr;  // An end group without its start.
  }
}

}  // namespace

namespace {

inline uint64_t LoadLittleEndian64(const uint8_t* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// A field key as it appears on the wire.
constexpr uint64_t Key(uint32_t field, uint32_t wire_type) {
  return (uint64_t{field} << 3) | wire_type;
}

// A varint field's value into `*out` (converted as the generated parser does).
template <typename T>
inline const uint8_t* ReadVarintInto(const uint8_t* p, const uint8_t* end, T* out) {
  uint64_t v = 0;
  p = ReadVarint(p, end, &v);
  *out = static_cast<T>(v);
  return p;
}

inline const uint8_t* ReadFixed64Into(const uint8_t* p, const uint8_t* end, uint64_t* out) {
  if (end - p < 8) return nullptr;
  *out = LoadLittleEndian64(p);
  return p + 8;
}

// Skips the value of a field that is not read, after checking its key as the message
// parser does (malformed if the field number is 0 or the wire type impossible).
inline const uint8_t* SkipField(const uint8_t* p, const uint8_t* end, uint64_t key) {
  const uint32_t field = static_cast<uint32_t>(key >> 3);
  const uint32_t wire_type = static_cast<uint32_t>(key & 7);
  if (key > 0xffffffffu || field == 0 || wire_type > kFixed32) return nullptr;
  return SkipValue(p, end, field, wire_type, 0);
}

// A new last element of `out`, default-initialized. The vectors of a reused view keep
// their capacity, so they nearly never grow: the growth is kept out of line, and the
// rest, a few instructions, inlined.
template <typename T>
[[gnu::noinline]] T& GrowAndAppend(std::vector<T>* out) {
  return out->emplace_back();
}
template <typename T>
[[gnu::always_inline]] inline T& Append(std::vector<T>* out) {
  if (out->size() == out->capacity()) [[unlikely]] return GrowAndAppend(out);
  return out->emplace_back();
}

[[gnu::always_inline]] inline const uint8_t* ReadRepeatedInto(
    const uint8_t* p, const uint8_t* end, std::vector<std::string_view>* out) {
  std::string_view v;
  p = ReadLengthDelimited(p, end, &v);
  if (p != nullptr) Append(out) = v;
  return p;
}

// One RaftObservation.Applied (the bytes of the field) into `out`, as the message parser
// reads it.
bool ParseApplied(const uint8_t* p, const uint8_t* const end,
                  RaftObservationView::Applied* out) {
  while (p != end) {
    uint64_t key = 0;
    p = ReadVarint(p, end, &key);
    if (p == nullptr) return false;
    switch (key) {
      case Key(1, kVarint): p = ReadVarintInto(p, end, &out->index); break;
      case Key(2, kVarint): p = ReadVarintInto(p, end, &out->entry_term); break;
      case Key(3, kFixed64): p = ReadFixed64Into(p, end, &out->command_hash); break;
      case Key(4, kVarint): p = ReadVarintInto(p, end, &out->skipped); break;
      case Key(5, kVarint): p = ReadVarintInto(p, end, &out->not_request); break;
      default: p = SkipField(p, end, key); break;
    }
    if (p == nullptr) return false;
  }
  return true;
}

inline const uint8_t* ReadAppliedInto(const uint8_t* p, const uint8_t* end,
                                      std::vector<RaftObservationView::Applied>* out) {
  std::string_view v;
  p = ReadLengthDelimited(p, end, &v);
  if (p == nullptr) return nullptr;
  const uint8_t* const begin = reinterpret_cast<const uint8_t*>(v.data());
  return ParseApplied(begin, begin + v.size(), &Append(out)) ? p : nullptr;
}

// The fast path reads a copy of the observation followed by kPadding zero bytes, so that
// it reads without bounds checks: a key is never zero, so no key matches past the end;
// a value that starts at most at the end reads at most ten bytes (into the padding); and
// a parse that went past the end is declined (the position is checked against the end
// before a length is trusted, and at the end).
constexpr size_t kPadding = 32;
constexpr size_t kMaxInFieldOrder = 480;  // Longer observations take the general parser.

// The copied bytes: [begin, end), then kPadding zero bytes; `origin` is where they were
// copied from (the views of text fields point there).
struct Padded {
  const uint8_t* begin;
  const uint8_t* end;
  const char* origin;
};

inline const uint8_t* ReadPaddedVarint(const uint8_t* p, uint64_t* v) {
  if (p[0] < 0x80) {
    *v = p[0];
    return p + 1;
  }
  if (p[1] < 0x80) {
    *v = (p[0] & 0x7fu) | (static_cast<uint64_t>(p[1]) << 7);
    return p + 2;
  }
  return ReadLongVarint(p, v);  // nullptr past ten bytes
}

template <typename T>
inline const uint8_t* ReadPaddedVarintInto(const uint8_t* p, T* out) {
  uint64_t v = 0;
  p = ReadPaddedVarint(p, &v);
  *out = static_cast<T>(v);  // As the generated parser converts.
  return p;
}

// A length-delimited value at `p` (which may be past the end), as bytes of the copy.
inline const uint8_t* ReadPaddedLengthDelimited(const uint8_t* p, const Padded& in,
                                                const uint8_t** value, size_t* size) {
  uint64_t length = 0;
  p = ReadPaddedVarint(p, &length);
  if (p == nullptr || p > in.end || length > 0x7fffffffu ||
      length > static_cast<uint64_t>(in.end - p)) {
    return nullptr;
  }
  *value = p;
  *size = static_cast<size_t>(length);
  return p + length;
}

// The same as a view of the original bytes.
inline const uint8_t* ReadPaddedText(const uint8_t* p, const Padded& in,
                                     std::string_view* out) {
  const uint8_t* value = nullptr;
  size_t size = 0;
  p = ReadPaddedLengthDelimited(p, in, &value, &size);
  if (p != nullptr) *out = std::string_view(in.origin + (value - in.begin), size);
  return p;
}

// One RaftObservation.Applied written in field order (what the encoder writes), its
// bytes [p, end) in the padded copy: false, with `out` unspecified, if the bytes are
// anything else. A key is read only before `end`, and its value without bounds checks:
// at most ten bytes from before `end`, within the copy's padding (`end` is at most the
// copy's end); a value that went past `end` leaves p past it, and false is returned.
inline bool ParsePaddedAppliedInOrder(const uint8_t* p, const uint8_t* const end,
                                      RaftObservationView::Applied* out) {
  static_assert(kPadding >= 10);
  if (p != end && *p == Key(1, kVarint)) {
    p = ReadPaddedVarintInto(p + 1, &out->index);
    if (p == nullptr) return false;
  }
  if (p < end && *p == Key(2, kVarint)) {
    p = ReadPaddedVarintInto(p + 1, &out->entry_term);
    if (p == nullptr) return false;
  }
  if (p < end && *p == Key(3, kFixed64)) {
    out->command_hash = LoadLittleEndian64(p + 1);
    p += 9;
  }
  if (p < end && *p == Key(4, kVarint)) {
    p = ReadPaddedVarintInto(p + 1, &out->skipped);
    if (p == nullptr) return false;
  }
  if (p < end && *p == Key(5, kVarint)) {
    p = ReadPaddedVarintInto(p + 1, &out->not_request);
    if (p == nullptr) return false;
  }
  return p == end;
}

// The fast path of ParseRaftObservationView, for what the encoder writes: each field at
// most once (a repeated field's elements in one run), in field-number order, each key
// in its shortest form. Reads into `out` (cleared) and returns true if the bytes are
// exactly that; otherwise returns false, with `out` unspecified, and the general parser
// decides (such bytes may still be a valid message: fields out of order, repeated
// scalars, unknown fields, or malformed). What it accepts, the general parser reads the
// same way: each field's value is read as the general parser reads it, into the same
// place.
// (Flattened: emplace_back, which has room, is inlined too.)
[[gnu::flatten]] bool ParseInFieldOrder(const Padded& in, RaftObservationView* out) {
  const uint8_t* p = in.begin;
// A field of a one-byte key read if it comes next (`if`), or the run of a repeated
// field's elements (`while`).
#define RAVENSIM_READ_NEXT(loop, field, wire_type, read)       \
  loop (*p == Key(field, wire_type)) {                           \
    p = read;                                                    \
    if (p == nullptr) return false;                              \
  }
  if (*p == Key(1, kVarint)) {
    int32_t kind = 0;
    p = ReadPaddedVarintInto(p + 1, &kind);
    if (p == nullptr) return false;
    out->kind = static_cast<RaftObservation::Kind>(kind);
  }
  RAVENSIM_READ_NEXT(if, 2, kVarint, ReadPaddedVarintInto(p + 1, &out->time_ns))
  RAVENSIM_READ_NEXT(if, 3, kVarint, ReadPaddedVarintInto(p + 1, &out->node))
  RAVENSIM_READ_NEXT(if, 4, kLengthDelimited, ReadPaddedText(p + 1, in, &out->tag))
  RAVENSIM_READ_NEXT(if, 5, kVarint, ReadPaddedVarintInto(p + 1, &out->incarnation))
  RAVENSIM_READ_NEXT(if, 6, kLengthDelimited, ReadPaddedText(p + 1, in, &out->role))
  RAVENSIM_READ_NEXT(if, 7, kVarint, ReadPaddedVarintInto(p + 1, &out->term))
  RAVENSIM_READ_NEXT(if, 8, kVarint, ReadPaddedVarintInto(p + 1, &out->index))
  RAVENSIM_READ_NEXT(if, 9, kVarint, ReadPaddedVarintInto(p + 1, &out->entry_term))
  RAVENSIM_READ_NEXT(if, 10, kVarint, ReadPaddedVarintInto(p + 1, &out->prev_term))
  if (*p == Key(11, kFixed64)) {
    out->command_hash = LoadLittleEndian64(p + 1);
    p += 9;
  }
  RAVENSIM_READ_NEXT(if, 12, kVarint, ReadPaddedVarintInto(p + 1, &out->by_quorum))
  RAVENSIM_READ_NEXT(while, 13, kLengthDelimited,
                     ReadPaddedText(p + 1, in, &Append(&out->supporters)))
  RAVENSIM_READ_NEXT(while, 14, kLengthDelimited,
                     ReadPaddedText(p + 1, in, &Append(&out->voters)))
  RAVENSIM_READ_NEXT(while, 15, kLengthDelimited,
                     ReadPaddedText(p + 1, in, &Append(&out->non_voters)))
#undef RAVENSIM_READ_NEXT
  if (p == in.end) return true;  // Nearly every observation ends before field 16.
  // Keys of fields 16-20: two bytes, the second 1.
  if (p[0] == ((Key(16, kVarint) & 0x7f) | 0x80) && p[1] == 1) {
    p = ReadPaddedVarintInto(p + 2, &out->committed_term);
    if (p == nullptr) return false;
  }
  while (p[0] == ((Key(17, kLengthDelimited) & 0x7f) | 0x80) && p[1] == 1) {
    const uint8_t* value = nullptr;
    size_t size = 0;
    p = ReadPaddedLengthDelimited(p + 2, in, &value, &size);
    if (p == nullptr ||
        !ParsePaddedAppliedInOrder(value, value + size, &Append(&out->applied))) {
      return false;
    }
  }
  if (p[0] == ((Key(18, kVarint) & 0x7f) | 0x80) && p[1] == 1) {
    p = ReadPaddedVarintInto(p + 2, &out->commit_index);
    if (p == nullptr) return false;
  }
  if (p[0] == ((Key(19, kVarint) & 0x7f) | 0x80) && p[1] == 1) {
    p = ReadPaddedVarintInto(p + 2, &out->skipped);
    if (p == nullptr) return false;
  }
  if (p[0] == ((Key(20, kVarint) & 0x7f) | 0x80) && p[1] == 1) {
    p = ReadPaddedVarintInto(p + 2, &out->not_request);
    if (p == nullptr) return false;
  }
  return p == in.end;
}

// ParseInFieldOrder of `bytes` (into a cleared `out`), through a padded copy.
bool ParseCopyInFieldOrder(std::string_view bytes, RaftObservationView* out) {
  if (bytes.size() > kMaxInFieldOrder) return false;
  uint8_t copy[kMaxInFieldOrder + kPadding];
  if (!bytes.empty()) std::memcpy(copy, bytes.data(), bytes.size());
  // Copied from zeros rather than set: a copy of a constant size is a few stores, where
  // memset is called.
  static constexpr uint8_t kZeros[kPadding] = {};
  std::memcpy(copy + bytes.size(), kZeros, kPadding);
  return ParseInFieldOrder(
      Padded{.begin = copy, .end = copy + bytes.size(), .origin = bytes.data()}, out);
}

// The general parser: any field order, repeated scalars (the last wins), unknown fields.
[[gnu::noinline]] bool ParseAnyOrder(std::string_view bytes, RaftObservationView* out) {
  out->Clear();
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* const end = p + bytes.size();
  while (p != end) {
    uint64_t key = *p;
    if (key < 0x80) {  // Keys of fields 1-15 are one byte.
      ++p;
    } else {
      p = ReadVarint(p, end, &key);
      if (p == nullptr) return false;
    }
    // One case per field of raft_observation.proto with its declared wire type; any
    // other key (an unknown field, or a known one of another wire type) is skipped.
    switch (key) {
      case Key(1, kVarint): {
        int32_t kind = 0;
        p = ReadVarintInto(p, end, &kind);
        out->kind = static_cast<RaftObservation::Kind>(kind);
        break;
      }
      case Key(2, kVarint): p = ReadVarintInto(p, end, &out->time_ns); break;
      case Key(3, kVarint): p = ReadVarintInto(p, end, &out->node); break;
      case Key(4, kLengthDelimited): p = ReadLengthDelimited(p, end, &out->tag); break;
      case Key(5, kVarint): p = ReadVarintInto(p, end, &out->incarnation); break;
      case Key(6, kLengthDelimited): p = ReadLengthDelimited(p, end, &out->role); break;
      case Key(7, kVarint): p = ReadVarintInto(p, end, &out->term); break;
      case Key(8, kVarint): p = ReadVarintInto(p, end, &out->index); break;
      case Key(9, kVarint): p = ReadVarintInto(p, end, &out->entry_term); break;
      case Key(10, kVarint): p = ReadVarintInto(p, end, &out->prev_term); break;
      case Key(11, kFixed64): p = ReadFixed64Into(p, end, &out->command_hash); break;
      case Key(12, kVarint): p = ReadVarintInto(p, end, &out->by_quorum); break;
      case Key(13, kLengthDelimited): p = ReadRepeatedInto(p, end, &out->supporters); break;
      case Key(14, kLengthDelimited): p = ReadRepeatedInto(p, end, &out->voters); break;
      case Key(15, kLengthDelimited): p = ReadRepeatedInto(p, end, &out->non_voters); break;
      case Key(16, kVarint): p = ReadVarintInto(p, end, &out->committed_term); break;
      case Key(17, kLengthDelimited): p = ReadAppliedInto(p, end, &out->applied); break;
      case Key(18, kVarint): p = ReadVarintInto(p, end, &out->commit_index); break;
      case Key(19, kVarint): p = ReadVarintInto(p, end, &out->skipped); break;
      case Key(20, kVarint): p = ReadVarintInto(p, end, &out->not_request); break;
      default: p = SkipField(p, end, key); break;
    }
    if (p == nullptr) return false;
  }
  return true;
}

}  // namespace

// (Flattened: the fast path inlined, the general parser called.)
[[gnu::flatten]] bool ParseRaftObservationView(std::string_view bytes,
                                               RaftObservationView* out) {
  out->Clear();
  if (ParseCopyInFieldOrder(bytes, out)) return true;
  return ParseAnyOrder(bytes, out);
}

namespace internal {

bool ParseRaftObservationViewInFieldOrder(std::string_view bytes, RaftObservationView* out) {
  out->Clear();
  return ParseCopyInFieldOrder(bytes, out);
}

bool ParseRaftObservationViewAnyOrder(std::string_view bytes, RaftObservationView* out) {
  return ParseAnyOrder(bytes, out);
}

}  // namespace internal

void ViewOf(const RaftObservation& m, RaftObservationView* out) {
  out->Clear();
  out->kind = m.kind();
  out->time_ns = m.time_ns();
  out->node = m.node();
  out->tag = m.tag();
  out->incarnation = m.incarnation();
  out->role = m.role();
  out->term = m.term();
  out->index = m.index();
  out->entry_term = m.entry_term();
  out->prev_term = m.prev_term();
  out->command_hash = m.command_hash();
  out->by_quorum = m.by_quorum();
  for (const std::string& s : m.supporters()) out->supporters.push_back(s);
  for (const std::string& s : m.voters()) out->voters.push_back(s);
  for (const std::string& s : m.non_voters()) out->non_voters.push_back(s);
  out->committed_term = m.committed_term();
  for (const RaftObservation::Applied& a : m.applied()) {
    out->applied.push_back({.index = a.index(),
                            .entry_term = a.entry_term(),
                            .command_hash = a.command_hash(),
                            .skipped = a.skipped(),
                            .not_request = a.not_request()});
  }
  out->commit_index = m.commit_index();
  out->skipped = m.skipped();
  out->not_request = m.not_request();
}

}  // namespace ravensim::checkers::raft
