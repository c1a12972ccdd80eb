// Compare-exchange specifics (RAVENDB_MODEL.md §4.1): preparing one key's operations
// for the search, the O(n log n) fast path, and the weaker check for local GETs.
//
// Successful writes carry the Raft index of their command, unique and in log order,
// so the chain of versions of a key is known from the replies. Unknown-outcome puts
// have no reply: PrepareCmpxchg resolves each to the index an observation shows for
// its value (values written should be unique per operation for this to be precise);
// a put never observed is given a private index no one can have read (if it took
// effect, every later operation on the key would have observed it, so it may as well
// not have). Where an index could come from several unknown puts, or a successful
// write expected an index no one observed, the key is reported Unknown rather than
// guessed.
//
// Thread-compatible; all functions are pure.
#ifndef RAVENSIM_CHECKERS_CMPXCHG_CHECKER_H_
#define RAVENSIM_CHECKERS_CMPXCHG_CHECKER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "checkers/history/history.pb.h"
#include "checkers/models.h"
#include "checkers/search.h"

namespace ravensim::checkers {

struct CmpxchgPartition {
  CmpxchgModel model;
  // Operations for the linearizability search (puts, deletes, linearizable gets).
  std::vector<ModelOp<CmpxchgModel::Input>> ops;
  // History positions of successful local GETs (checked by CheckLocalGets only).
  std::vector<int32_t> local_gets;
  // Non-empty: unknown-outcome writes cannot be told apart; the key is Unknown.
  std::string unresolvable;
  // Whether CheckCmpxchgFastPath decides this key; if not, why.
  bool fast_path_applicable = true;
  std::string fast_path_blocker;
};

// REQUIRES: every position in `indexes` is a compare-exchange operation on one key
// (other kinds give InvalidArgument naming the operation and field).
absl::StatusOr<CmpxchgPartition> PrepareCmpxchg(const history::History& history,
                                                const std::vector<int32_t>& indexes);

struct FastPathResult {
  Verdict verdict = Verdict::kLinearizable;  // never kUnknown
  std::string explanation;                   // for kNotLinearizable
  std::vector<int32_t> involved;             // history positions named in it
};

// Decides linearizability of a key whose partition has fast_path_applicable.
// Orders successful writes by Raft index, checks each write's expected index against
// its predecessor and each read against the version it names, then places the writes
// greedily in real time: write k no earlier than its invocation, than write k-1, and
// than every read of version k-1 was invoked; no later than its return and than every
// read of version k returned.
FastPathResult CheckCmpxchgFastPath(const history::History& history,
                                    const CmpxchgPartition& partition);

struct LocalReadViolation {
  int32_t operation = -1;  // history position
  std::string why;
};

// The weaker check for GETs served from a node's local state machine, which may be
// stale (RAVENDB_MODEL.md §4.1): a local GET must return a version some write produced
// (same index and value), invoked before the GET returned; and GETs on one node must
// not go back in Raft index (a node applies the log in order).
std::vector<LocalReadViolation> CheckLocalGets(const history::History& history,
                                               const CmpxchgPartition& partition);

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_CMPXCHG_CHECKER_H_
