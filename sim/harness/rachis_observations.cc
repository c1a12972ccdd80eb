#include "sim/harness/rachis_observations.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

std::string RachisObservationKind(Kind kind) {
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

RaftObservation ToRaftObservation(const rachis::RachisObservation& o, const std::string& tag,
                                  uint64_t incarnation) {
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
  for (const std::string& s : o.supporters) out.add_supporters(s);
  for (const std::string& s : o.voters) out.add_voters(s);
  for (const std::string& s : o.non_voters) out.add_non_voters(s);
  return out;
}

namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// A varint field, left out when zero (proto3 implicit presence).
void PutUint(int field, uint64_t v, std::string* out) {
  if (v == 0) return;
  PutVarint(static_cast<uint64_t>(field) << 3, out);
  PutVarint(v, out);
}

// A length-delimited field; `always` for repeated elements (kept even when empty).
void PutBytes(int field, std::string_view bytes, bool always, std::string* out) {
  if (bytes.empty() && !always) return;
  PutVarint((static_cast<uint64_t>(field) << 3) | 2, out);
  PutVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

}  // namespace

void EncodeRachisObservation(const rachis::RachisObservation& o, const std::string& tag,
                             uint64_t incarnation, std::string* out) {
  // Field numbers of checkers/raft/raft_observation.proto, in order. time_ns and node
  // (2, 3) are stamped by the decoder.
  out->clear();
  PutUint(1, static_cast<uint64_t>(ToProtoKind(o.kind)), out);
  PutBytes(4, tag, false, out);
  PutUint(5, incarnation, out);
  // The role is read only from STATE_CHANGED; leaving it out elsewhere saves a string.
  if (o.kind == Kind::kStateChanged) {
    PutBytes(6, rachis::RachisStateName(o.state), false, out);
  }
  PutUint(7, o.term, out);
  PutUint(8, o.index, out);
  PutUint(9, o.entry_term, out);
  PutUint(10, o.prev_term, out);
  PutUint(11, o.command_hash, out);
  PutUint(12, o.by_quorum ? 1 : 0, out);
  for (const std::string& s : o.supporters) PutBytes(13, s, true, out);
  for (const std::string& s : o.voters) PutBytes(14, s, true, out);
  for (const std::string& s : o.non_voters) PutBytes(15, s, true, out);
  PutUint(16, o.committed_term, out);
}

bool DecodeRachisObservation(const ObservationRecord& record, RaftObservation* out) {
  if (record.observation == nullptr) return false;
  if (!absl::StartsWith(record.observation->kind, kRachisObservationPrefix)) return false;
  if (!out->ParseFromString(record.observation->detail)) return false;
  out->set_time_ns(record.time.nanos());
  out->set_node(record.node);
  return true;
}

}  // namespace ravensim::harness
