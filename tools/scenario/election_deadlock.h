// Whether a leaderless cluster can never elect a leader again, from each node's
// topology and log as they stand (docs/RACHIS.md, "Membership"). Without a leader no
// entry is appended, so topologies and logs stay as they are, and a vote that the
// elector's rules deny now is denied for good:
//   - Elector rule 3 (RAVENDB_MODEL.md §1.3): a requester its topology does not list;
//   - rules 5 and 10: a requester whose last log term is lower, or equal with a shorter
//     log;
// while a node without a topology (wiped) grants any vote (rule 2). Terms, trial-vote
// deferrals and a deposed leader's resistance pass with time, so they never count here.
// A node runs for election only as a member of its own topology, and not Passive, and
// counts the votes of its topology's members. This is what RavenDB's removal hazard
// looks like at the end of a run (scenarios uncommitted_removal_no_leader and
// deposed_leader_removal_no_leader).
#ifndef RAVENSIM_TOOLS_SCENARIO_ELECTION_DEADLOCK_H_
#define RAVENSIM_TOOLS_SCENARIO_ELECTION_DEADLOCK_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ravensim::tools {

struct ElectorState {
  std::string tag;
  bool up = true;
  bool passive = false;
  bool wiped = false;  // no topology id: part of no cluster
  std::vector<std::string> members;  // its topology's voters
  std::vector<std::string> listed;   // every tag its topology contains, any role
  uint64_t last_log_term = 0;
  uint64_t last_log_index = 0;
};

// "" unless every node is up, at least two topologies disagree (nodes list different
// members) and no node that may run can gather a majority of its members. Then, for
// each such node, why not: "A needs 2 of A C, C denies (log ahead); B needs 2 of A B,
// A denies (B not in its topology)".
std::string ElectionDeadlock(const std::vector<ElectorState>& nodes);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_ELECTION_DEADLOCK_H_
