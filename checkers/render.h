// Renders linearizability results for people: a text report and a self-contained
// HTML timeline (one row per client, a bar per operation from invocation to return,
// unknown outcomes drawn open-ended, counterexample operations marked).
// Pure functions of their inputs; output is deterministic.
#ifndef RAVENSIM_CHECKERS_RENDER_H_
#define RAVENSIM_CHECKERS_RENDER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "checkers/history/history.pb.h"
#include "checkers/linearizability.h"

namespace ravensim::checkers {

// The verdict line, then (not linearizable) the counterexample and the longest
// linearizable prefix, (unknown) why, and any local-read violations.
std::string RenderText(const history::History& history, const LinearizabilityResult& result);

// A complete HTML page. For a failing history it shows the failing key's operations;
// otherwise every operation (at most `max_operations`, the earliest).
std::string RenderHtml(const history::History& history, const LinearizabilityResult& result,
                       absl::string_view title, int max_operations = 5000);

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_RENDER_H_
