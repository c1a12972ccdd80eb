#include "checkers/raft/raft_observation_view.h"

namespace ravensim::checkers::raft {

void RaftObservationView::Clear() {
  kind = RaftObservation::KIND_UNSPECIFIED;
  time_ns = 0;
  node = 0;
  tag = {};
  incarnation = 0;
  role = {};
  term = 0;
  index = 0;
  entry_term = 0;
  prev_term = 0;
  command_hash = 0;
  by_quorum = false;
  supporters.clear();
  voters.clear();
  non_voters.clear();
  committed_term = 0;
}

namespace {

// Protocol buffer wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kStartGroup = 3;
constexpr uint32_t kEndGroup = 4;
constexpr uint32_t kFixed32 = 5;

// A reader over one serialized message; every Read* fails (returns false) past the end.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}

  bool done() const { return p_ == end_; }

  // At most ten bytes; bits past the 64th are dropped, as the protobuf parser does.
  bool ReadVarint(uint64_t* v) {
    if (p_ != end_ && *p_ < 0x80) {  // One byte: most of them.
      *v = *p_++;
      return true;
    }
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {  // Ten bytes.
      if (p_ == end_) return false;
      const uint8_t byte = *p_++;
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  // A field key; false at a malformed key (field number 0 or above 2^29 - 1, or an
  // impossible wire type).
  bool ReadKey(uint32_t* field, uint32_t* wire_type) {
    uint64_t key = 0;
    if (!ReadVarint(&key) || key > 0xffffffffu) return false;
    *field = static_cast<uint32_t>(key >> 3);
    *wire_type = static_cast<uint32_t>(key & 7);
    return *field != 0 && *wire_type <= kFixed32;
  }

  bool ReadLengthDelimited(std::string_view* out) {
    uint64_t size = 0;
    if (!ReadVarint(&size) || size > 0x7fffffffu ||
        size > static_cast<uint64_t>(end_ - p_)) {
      return false;
    }
    *out = std::string_view(reinterpret_cast<const char*>(p_), size);
    p_ += size;
    return true;
  }

  bool Skip(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }

  // Skips the value of a field whose key was just read (a group up to its end).
  bool SkipValue(uint32_t field, uint32_t wire_type, int depth = 0) {
    uint64_t ignored = 0;
    std::string_view bytes;
    switch (wire_type) {
      case kVarint: return ReadVarint(&ignored);
      case kFixed64: return Skip(8);
      case kLengthDelimited: return ReadLengthDelimited(&bytes);
      case kFixed32: return Skip(4);
      case kStartGroup: {
        if (depth >= 100) return false;
        while (true) {
          uint32_t inner_field = 0;
          uint32_t inner_type = 0;
          if (!ReadKey(&inner_field, &inner_type)) return false;
          if (inner_type == kEndGroup) return inner_field == field;
          if (!SkipValue(inner_field, inner_type, depth + 1)) return false;
        }
      }
      default: return false;  // An end group without its start.
    }
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace

bool ParseRaftObservationView(std::string_view bytes, RaftObservationView* out) {
  out->Clear();
  WireReader reader(bytes);
  while (!reader.done()) {
    uint32_t field = 0;
    uint32_t wire_type = 0;
    if (!reader.ReadKey(&field, &wire_type)) return false;
    if (wire_type == kVarint) {
      uint64_t v = 0;
      if (!reader.ReadVarint(&v)) return false;
      switch (field) {
        case 1: out->kind = static_cast<RaftObservation::Kind>(static_cast<int32_t>(v)); break;
        case 2: out->time_ns = static_cast<int64_t>(v); break;
        case 3: out->node = static_cast<int32_t>(v); break;
        case 5: out->incarnation = v; break;
        case 7: out->term = v; break;
        case 8: out->index = v; break;
        case 9: out->entry_term = v; break;
        case 10: out->prev_term = v; break;
        case 11: out->command_hash = v; break;
        case 12: out->by_quorum = v != 0; break;
        case 16: out->committed_term = v; break;
        default: break;  // Unknown: skipped.
      }
      continue;
    }
    if (wire_type == kLengthDelimited) {
      std::string_view value;
      if (!reader.ReadLengthDelimited(&value)) return false;
      switch (field) {
        case 4: out->tag = value; break;
        case 6: out->role = value; break;
        case 13: out->supporters.push_back(value); break;
        case 14: out->voters.push_back(value); break;
        case 15: out->non_voters.push_back(value); break;
        default: break;  // Unknown: skipped.
      }
      continue;
    }
    if (!reader.SkipValue(field, wire_type)) return false;
  }
  return true;
}

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
}

}  // namespace ravensim::checkers::raft
