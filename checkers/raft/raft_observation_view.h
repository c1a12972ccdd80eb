// RaftObservationView: the fields of a RaftObservation (raft_observation.proto) as a
// plain struct whose text fields point into the bytes it was parsed from (or into the
// message it was taken from). The invariant checker reads observations through it, and
// a runner parses every observation into one reused view without allocating (the
// repeated fields keep their capacity), where parsing into the message would copy every
// string.
//
//   RaftObservationView view;  // reused
//   if (ParseRaftObservationView(bytes, &view)) checker.Observe(view);
//
// A view is valid while the bytes (or message) it points into are unchanged.
#ifndef RAVENSIM_CHECKERS_RAFT_RAFT_OBSERVATION_VIEW_H_
#define RAVENSIM_CHECKERS_RAFT_RAFT_OBSERVATION_VIEW_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "checkers/raft/raft_observation.pb.h"

namespace ravensim::checkers::raft {

struct RaftObservationView {
  struct Applied {  // RaftObservation.Applied
    uint64_t index = 0;
    uint64_t entry_term = 0;
    uint64_t command_hash = 0;
    bool skipped = false;
    bool not_request = false;
  };
  RaftObservation::Kind kind = RaftObservation::KIND_UNSPECIFIED;
  int64_t time_ns = 0;
  int32_t node = 0;
  std::string_view tag;
  uint64_t incarnation = 0;
  std::string_view role;
  uint64_t term = 0;
  uint64_t index = 0;
  uint64_t entry_term = 0;
  uint64_t prev_term = 0;
  uint64_t command_hash = 0;
  bool by_quorum = false;
  std::vector<std::string_view> supporters;
  std::vector<std::string_view> voters;
  std::vector<std::string_view> non_voters;
  uint64_t committed_term = 0;
  std::vector<Applied> applied;
  uint64_t commit_index = 0;
  bool skipped = false;
  bool not_request = false;

  // Every field to its default; the repeated fields keep their capacity.
  void Clear() {
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
    applied.clear();
    commit_index = 0;
    skipped = false;
    not_request = false;
  }
};

// Parses the serialized RaftObservation `bytes` into `out` (cleared first), as
// RaftObservation::ParseFromString would read them: later scalar fields win, repeated
// fields accumulate, unknown fields (and known fields of another wire type) are
// skipped. False (and `out` unspecified) iff the message does not parse. The text
// fields of `out` point into `bytes`.
bool ParseRaftObservationView(std::string_view bytes, RaftObservationView* out);

namespace internal {
// The two paths of ParseRaftObservationView, for tests. InFieldOrder is its fast path:
// true (with `out` as ParseRaftObservationView leaves it) iff the bytes hold each field
// at most once, a repeated field's elements in one run, in field-number order, keys in
// their shortest form (as sim/harness/rachis_observations.cc and the message's
// serializer write them), and are at most 480 bytes long; false otherwise, `out`
// unspecified. AnyOrder is the general
// parser, which ParseRaftObservationView falls back on.
bool ParseRaftObservationViewInFieldOrder(std::string_view bytes, RaftObservationView* out);
bool ParseRaftObservationViewAnyOrder(std::string_view bytes, RaftObservationView* out);
}  // namespace internal

// `message` as a view (cleared first); the text fields of `out` point into `message`.
void ViewOf(const RaftObservation& message, RaftObservationView* out);

}  // namespace ravensim::checkers::raft

#endif  // RAVENSIM_CHECKERS_RAFT_RAFT_OBSERVATION_VIEW_H_
