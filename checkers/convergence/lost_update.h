// Elle-style lost-update detection for optimistic-concurrency sessions
// (RAVENDB_MODEL.md §3.5, §6): two committed read-modify-write transactions that read
// the same version of a document and both wrote it. Each overwrote a state the other
// never saw, so one update is lost whatever the final state shows. Works on the
// history alone (DocumentDetails.reads / writes of OK document operations).
#ifndef RAVENSIM_CHECKERS_CONVERGENCE_LOST_UPDATE_H_
#define RAVENSIM_CHECKERS_CONVERGENCE_LOST_UPDATE_H_

#include <vector>

#include "checkers/convergence/findings.h"
#include "checkers/history/history.pb.h"

namespace ravensim::checkers {

// One "elle-lost-update" finding per (database, document, version read) with two or
// more committed writers, naming every such transaction; sorted.
std::vector<Finding> FindLostUpdates(const history::History& history);

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_CONVERGENCE_LOST_UPDATE_H_
