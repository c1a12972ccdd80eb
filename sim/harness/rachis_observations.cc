#include "sim/harness/rachis_observations.h"

#include <bit>
#include <cstring>
#include <string_view>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "core/base/varint.h"

namespace ravensim::harness {

using checkers::raft::RaftObservation;
using Kind = rachis::RachisObservation::Kind;

namespace {

RaftObservation::Kind ToProtoKind(Kind kind) {
  switch (kind) {
    case Kind::kStateChanged: return RaftObservation::STATE_CHANGED;
    case Kind::kEntryAppended: return RaftObservation::ENTRY_APPENDED;
    case Kind::kLogTruncated: return RaftObservation::LOG_TRUNCATED;
    case Kind::kSnapshotInstalled: return RaftObservation::SNAPSHOT_INSTALLED;
    case Kind::kLogReset: return RaftObservation::LOG_RESET;
    case Kind::kCommitAdvanced: return RaftObservation::COMMIT_ADVANCED;
    case Kind::kApplied: return RaftObservation::APPLIED;
    case Kind::kElectionWon: return RaftObservation::ELECTION_WON;
    case Kind::kTopologyChanged: return RaftObservation::TOPOLOGY_CHANGED;
    case Kind::kCommittedConflict: return RaftObservation::COMMITTED_CONFLICT;
  }
  return RaftObservation::KIND_UNSPECIFIED;
}

}  // namespace

namespace {

// RachisObservationKind's spelling, without building a string (inline: once per observation).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kStateChanged: return "rachis.state";
    case Kind::kEntryAppended: return "rachis.appended";
    case Kind::kLogTruncated: return "rachis.truncated";
    case Kind::kSnapshotInstalled: return "rachis.snapshot";
    case Kind::kLogReset: return "rachis.log_reset";
    case Kind::kCommitAdvanced: return "rachis.commit";
    case Kind::kApplied: return "rachis.applied";
    case Kind::kElectionWon: return "rachis.election_won";
    case Kind::kTopologyChanged: return "rachis.topology";
    case Kind::kCommittedConflict: return "rachis.committed_conflict";
  }
  return "rachis.unknown";
}

}  // namespace

std::string RachisObservationKind(Kind kind) { return std::string(KindName(kind)); }

bool IsCoreRachisObservationKind(std::string_view kind) {
  // Called for every observation record: one comparison, chosen by length, instead of
  // ten. Each case lists every kind RachisObservationKind() returns of that length.
  switch (kind.size()) {
    case 12: return kind == "rachis.state";
    case 13: return kind == "rachis.commit";
    case 14: return kind == "rachis.applied";
    case 15: return kind == "rachis.appended" || kind == "rachis.snapshot" ||
                    kind == "rachis.topology";
    case 16: return kind == "rachis.truncated" || kind == "rachis.log_reset";
    case 19: return kind == "rachis.election_won";
    case 25: return kind == "rachis.committed_conflict";
    default: return false;
  }
}

namespace {

// Whether `o` may be folded (FoldedIntoFirst) after `into`: an APPLIED observation of
// `into`'s term with nothing but index, entry_term and command_hash set, or, right
// after an APPENDED, a COMMIT_ADVANCED of its term without quorum (nothing but its index
// set), so that folding loses nothing.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool FoldsInto(const rachis::RachisObservation& into,
                                                   const rachis::RachisObservation& o) {
  if (o.term != into.term || o.prev_term != 0 || o.committed_term != 0 || o.by_quorum ||
      !o.supporters.empty() || !o.voters.empty() || !o.non_voters.empty()) {
    return false;
  }
  if (o.kind == Kind::kCommitAdvanced) {
    return into.kind == Kind::kEntryAppended && o.index != 0 && o.entry_term == 0 &&
           o.command_hash == 0;
  }
  return o.kind == Kind::kApplied;
}

// The folded observations' parts: a commit index (0: none) and the applied entries.
struct Folded {
  uint64_t commit_index = 0;
  std::span<const rachis::RachisObservation> applied;
};

Folded Split(std::span<const rachis::RachisObservation> folded) {
  if (!folded.empty() && folded[0].kind == Kind::kCommitAdvanced) {
    return {.commit_index = folded[0].index, .applied = folded.subspan(1)};
  }
  return {.applied = folded};
}

// FoldedIntoFirst, inline into AppendRachisObservations (once per observation).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t CountFolded(
    std::span<const rachis::RachisObservation> observations) {
  if (observations.empty()) return 0;
  const rachis::RachisObservation& first = observations[0];
  size_t folded = 0;
  if (first.kind == Kind::kEntryAppended) {
    // A commit right after it, then what a commit takes.
    if (observations.size() < 2 || observations[1].kind != Kind::kCommitAdvanced ||
        !FoldsInto(first, observations[1])) {
      return 0;
    }
    folded = 1;
  } else if (first.kind != Kind::kCommitAdvanced) {
    return 0;
  }
  while (folded + 1 < observations.size() &&
         observations[folded + 1].kind == Kind::kApplied &&
         FoldsInto(first, observations[folded + 1])) {
    ++folded;
  }
  return folded;
}

}  // namespace

size_t FoldedIntoFirst(std::span<const rachis::RachisObservation> observations) {
  return CountFolded(observations);
}

RaftObservation ToRaftObservation(const rachis::RachisObservation& o, const std::string& tag,
                                  uint64_t incarnation,
                                  std::span<const rachis::RachisObservation> folded) {
  const auto [commit_index, applied] = Split(folded);
  RaftObservation out;
  out.set_kind(ToProtoKind(o.kind));
  out.set_tag(tag);
  out.set_incarnation(incarnation);
  // The role is read only from STATE_CHANGED; leaving it out elsewhere saves a string.
  if (o.kind == Kind::kStateChanged) out.set_role(rachis::RachisStateName(o.state));
  out.set_term(o.term);
  out.set_index(o.index);
  out.set_entry_term(o.entry_term);
  out.set_prev_term(o.prev_term);
  out.set_command_hash(o.command_hash);
  if (o.committed_term != 0) out.set_committed_term(o.committed_term);
  out.set_by_quorum(o.by_quorum);
  out.set_skipped(o.skipped);
  out.set_not_request(o.not_request);
  for (const std::string& s : o.supporters) out.add_supporters(s);
  for (const std::string& s : o.voters) out.add_voters(s);
  for (const std::string& s : o.non_voters) out.add_non_voters(s);
  for (const rachis::RachisObservation& a : applied) {
    RaftObservation::Applied* entry = out.add_applied();
    entry->set_index(a.index);
    entry->set_entry_term(a.entry_term);
    entry->set_command_hash(a.command_hash);
    entry->set_skipped(a.skipped);
    entry->set_not_request(a.not_request);
  }
  out.set_commit_index(commit_index);
  return out;
}

namespace {

// Writers into a buffer sized in advance (no growth checks per byte; varints by
// core/base/varint.h's PutVarint).
// The key of field `field` of wire type `type`, its bytes known at compile time (one
// byte for fields 1-15, two for 16-2047).
template <int kField, int kType>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline char* PutKey(char* p) {
  constexpr uint32_t kKey = (static_cast<uint32_t>(kField) << 3) | kType;
  static_assert(kKey < (1u << 14));
  if constexpr (kKey < 0x80) {
    *p = static_cast<char>(kKey);
    return p + 1;
  } else {
    p[0] = static_cast<char>((kKey & 0x7f) | 0x80);
    p[1] = static_cast<char>(kKey >> 7);
    return p + 2;
  }
}

// A varint field, left out when zero (proto3 implicit presence).
template <int kField>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline char* PutUint(uint64_t v, char* p) {
  if (v == 0) return p;
  return PutVarint(v, PutKey<kField, 0>(p));
}

// A fixed64 field, left out when zero.
template <int kField>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline char* PutFixed64(uint64_t v, char* p) {
  if (v == 0) return p;
  p = PutKey<kField, 1>(p);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof(v));  // little-endian
  return p + sizeof(v);
}

// A length-delimited field; `always` for repeated elements (kept even when empty).
template <int kField>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline char* PutBytes(std::string_view bytes, bool always,
                                                   char* p) {
  if (bytes.empty() && !always) return p;
  p = PutKey<kField, 2>(p);
  p = PutVarint(bytes.size(), p);
  if (bytes.size() == 1) {  // Most tags: one letter.
    *p++ = bytes[0];
    return p;
  }
  if (bytes.size() <= 8) {  // Tags: a byte or two, cheaper copied here than by memcpy.
    for (char c : bytes) *p++ = c;
    return p;
  }
  std::memcpy(p, bytes.data(), bytes.size());
  return p + bytes.size();
}

// Upper bound of a length-delimited field's size (key, length, bytes).
size_t BytesBound(std::string_view bytes) { return bytes.size() + 12; }

// Upper bound of the size of the fields other than the repeated ones and the tag.
constexpr size_t kScalarsBound = 12 * 12;

// Upper bound of the size of one applied entry (key, length, five fields).
constexpr size_t kAppliedBound = 2 + 1 + 35;

// Converts to the string of `size` bytes at `data`, so that a member initialized from it
// is built in place (no string built and moved in).
struct StringFrom {
  const char* data;
  size_t size;
  operator std::string() const { return std::string(data, size); }  // NOLINT
};

// Writes the encoding of (o, tag, incarnation, folded) at `begin`, which has room for
// EncodedBound() bytes; returns its end.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline char* EncodeAt(
    const rachis::RachisObservation& o, const std::string& tag, uint64_t incarnation,
    std::string_view role, Folded folded, char* const begin) {
  char* p = begin;
  // Field numbers of checkers/raft/raft_observation.proto, in order. time_ns and node
  // (2, 3) are stamped by the decoder. The role is read only from STATE_CHANGED;
  // leaving it out elsewhere saves a string.
  p = PutUint<1>(static_cast<uint64_t>(ToProtoKind(o.kind)), p);
  p = PutBytes<4>(tag, false, p);
  p = PutUint<5>(incarnation, p);
  p = PutBytes<6>(role, false, p);
  p = PutUint<7>(o.term, p);
  p = PutUint<8>(o.index, p);
  p = PutUint<9>(o.entry_term, p);
  p = PutUint<10>(o.prev_term, p);
  p = PutFixed64<11>(o.command_hash, p);
  p = PutUint<12>(o.by_quorum ? 1 : 0, p);
  for (const std::string& s : o.supporters) p = PutBytes<13>(s, true, p);
  for (const std::string& s : o.voters) p = PutBytes<14>(s, true, p);
  for (const std::string& s : o.non_voters) p = PutBytes<15>(s, true, p);
  p = PutUint<16>(o.committed_term, p);
  for (const rachis::RachisObservation& a : folded.applied) {
    // 17: RaftObservation.Applied {index = 1, entry_term = 2, command_hash = 3,
    // skipped = 4, not_request = 5}, at most 35 bytes, so its length is one byte.
    p = PutKey<17, 2>(p);
    char* const length = p++;
    p = PutUint<1>(a.index, p);
    p = PutUint<2>(a.entry_term, p);
    p = PutFixed64<3>(a.command_hash, p);
    p = PutUint<4>(a.skipped ? 1 : 0, p);
    p = PutUint<5>(a.not_request ? 1 : 0, p);
    *length = static_cast<char>(p - length - 1);
  }
  p = PutUint<18>(folded.commit_index, p);
  p = PutUint<19>(o.skipped ? 1 : 0, p);
  p = PutUint<20>(o.not_request ? 1 : 0, p);
  return p;
}

// The role field's bytes: read only from STATE_CHANGED.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline std::string_view RoleOf(const rachis::RachisObservation& o) {
  return o.kind == Kind::kStateChanged ? std::string_view(rachis::RachisStateName(o.state))
                                       : std::string_view();
}

// An upper bound of EncodeAt's size.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t EncodedBound(const rachis::RachisObservation& o,
                                                        const std::string& tag,
                                                        std::string_view role,
                                                        const Folded& folded) {
  size_t bound = kScalarsBound + BytesBound(tag) + BytesBound(role) +
                 folded.applied.size() * kAppliedBound;
  // Only leaders' commits, elections and topology changes list tags.
  if (!o.supporters.empty() || !o.voters.empty() || !o.non_voters.empty()) {
    for (const std::string& s : o.supporters) bound += BytesBound(s);
    for (const std::string& s : o.voters) bound += BytesBound(s);
    for (const std::string& s : o.non_voters) bound += BytesBound(s);
  }
  return bound;
}

// The room on the stack an observation is encoded in when it fits (nearly always).
constexpr size_t kStackBytes = 512;

// EncodeRachisObservation, for an encoding larger than kStackBytes (or any).
void EncodeIntoString(const rachis::RachisObservation& o, const std::string& tag,
                      uint64_t incarnation, std::string* out, Folded folded) {
  const std::string_view role = RoleOf(o);
  out->resize(EncodedBound(o, tag, role, folded));
  char* const end = EncodeAt(o, tag, incarnation, role, folded, out->data());
  out->resize(static_cast<size_t>(end - out->data()));
}

}  // namespace

void EncodeRachisObservation(const rachis::RachisObservation& o, const std::string& tag,
                             uint64_t incarnation, std::string* out,
                             std::span<const rachis::RachisObservation> folded) {
  EncodeIntoString(o, tag, incarnation, out, Split(folded));
}

namespace {

// `tags` into `out`, whose room is reused; inline: most observations list none.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void AssignTags(const std::vector<std::string>& tags,
                                                    std::vector<std::string_view>* out) {
  out->clear();
  // A few tags at most, into kept room: cheaper one by one than through assign().
  for (const std::string& t : tags) out->push_back(t);
}

// The view ParseRaftObservationView gives of EncodeAt(o, tag, incarnation, folded)'s
// bytes (time_ns and node 0), built from the observation: once per observation.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void FillView(
    const rachis::RachisObservation& o, std::string_view tag, uint64_t incarnation,
    std::string_view role, const Folded& folded, checkers::raft::RaftObservationView* out) {
  // Every field assigned (what Clear() would reset included), so no Clear() first.
  out->kind = ToProtoKind(o.kind);
  out->time_ns = 0;
  out->node = 0;
  out->tag = tag;
  out->incarnation = incarnation;
  out->role = role;
  out->term = o.term;
  out->index = o.index;
  out->entry_term = o.entry_term;
  out->prev_term = o.prev_term;
  out->command_hash = o.command_hash;
  out->by_quorum = o.by_quorum;
  AssignTags(o.supporters, &out->supporters);
  AssignTags(o.voters, &out->voters);
  AssignTags(o.non_voters, &out->non_voters);
  out->committed_term = o.committed_term;
  out->applied.clear();
  for (const rachis::RachisObservation& a : folded.applied) {
    out->applied.push_back({.index = a.index,
                            .entry_term = a.entry_term,
                            .command_hash = a.command_hash,
                            .skipped = a.skipped,
                            .not_request = a.not_request});
  }
  out->commit_index = folded.commit_index;
  out->skipped = o.skipped;
  out->not_request = o.not_request;
}

// AppendRachisObservations, and with kViews each appended observation's view into
// `view`, handed to `observe` right after the observation is appended.
template <bool kViews>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void AppendObservations(
    std::span<const rachis::RachisObservation> observations, const std::string& tag,
    uint64_t incarnation, std::vector<Observation>* out,
    checkers::raft::RaftObservationView* view,
    absl::FunctionRef<void(checkers::raft::RaftObservationView&)> observe) {
  // Rarely grows: the Effects a host fills keep their vectors' room.
  if (ABSL_PREDICT_FALSE(out->capacity() - out->size() < observations.size())) {
    out->reserve(out->size() + observations.size());
  }
  // Written on the stack, then built straight into the observation (one allocation and
  // copy of the detail): sizing the detail to the bound first would zero the whole bound.
  char stack[kStackBytes];
  while (!observations.empty()) {
    const rachis::RachisObservation& o = observations.front();
    const size_t count = CountFolded(observations);
    const Folded folded = Split(observations.subspan(1, count));
    const std::string_view role = RoleOf(o);
    const std::string_view kind = KindName(o.kind);
    if (ABSL_PREDICT_TRUE(EncodedBound(o, tag, role, folded) <= sizeof(stack))) {
      char* const end = EncodeAt(o, tag, incarnation, role, folded, stack);
      out->emplace_back(StringFrom{kind.data(), kind.size()}, static_cast<int64_t>(o.index),
                        StringFrom{stack, static_cast<size_t>(end - stack)});
    } else {
      Observation& observation = out->emplace_back(
          StringFrom{kind.data(), kind.size()}, static_cast<int64_t>(o.index));
      EncodeIntoString(o, tag, incarnation, &observation.detail, folded);
    }
    if constexpr (kViews) {
      FillView(o, tag, incarnation, role, folded, view);
      observe(*view);
    }
    observations = observations.subspan(1 + count);
  }
}

void NoViews(checkers::raft::RaftObservationView&) {}

}  // namespace

void AppendRachisObservations(std::span<const rachis::RachisObservation> observations,
                              const std::string& tag, uint64_t incarnation,
                              std::vector<Observation>* out) {
  AppendObservations<false>(observations, tag, incarnation, out, nullptr, NoViews);
}

void AppendRachisObservations(
    std::span<const rachis::RachisObservation> observations, const std::string& tag,
    uint64_t incarnation, std::vector<Observation>* out,
    checkers::raft::RaftObservationView* view,
    absl::FunctionRef<void(checkers::raft::RaftObservationView&)> observe) {
  AppendObservations<true>(observations, tag, incarnation, out, view, observe);
}

bool DecodeRachisObservation(const ObservationRecord& record,
                             checkers::raft::RaftObservationView* out) {
  if (record.observation == nullptr) return false;
  if (!IsCoreRachisObservationKind(record.observation->kind)) return false;
  if (!checkers::raft::ParseRaftObservationView(record.observation->detail, out)) {
    return false;
  }
  out->time_ns = record.time.nanos();
  out->node = record.node;
  return true;
}

}  // namespace ravensim::harness
