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

bool DecodeRachisObservation(const ObservationRecord& record, RaftObservation* out) {
  if (record.observation == nullptr) return false;
  if (!absl::StartsWith(record.observation->kind, kRachisObservationPrefix)) return false;
  if (!out->ParseFromString(record.observation->detail)) return false;
  out->set_time_ns(record.time.nanos());
  out->set_node(record.node);
  return true;
}

}  // namespace ravensim::harness
