// Importers for histories recorded outside ravensim (DESIGN.md §5), the formats of
// ../shared/oracles/README.md:
//   - Jepsen etcd logs (a single register with read / write / cas), and
//   - Porcupine kv EDN files (a key-value store with get / put / append).
// Both formats have no clock: the line number is used as the time of each event, which
// keeps the real-time order of the file. Operations that never return are UNKNOWN.
// Malformed input yields InvalidArgument "<source>:<line>: field '<f>': ..." — never
// a crash.
#ifndef RAVENSIM_CHECKERS_HISTORY_IMPORTERS_H_
#define RAVENSIM_CHECKERS_HISTORY_IMPORTERS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "checkers/history/history.pb.h"

namespace ravensim::history {

// Lines containing "jepsen.util -" followed by process, type, f and value; all other
// lines (nemesis output, blank lines) are ignored. Semantics (oracles/README.md):
// ":ok :cas" swapped, ":fail :cas [a b]" did not swap (an OK reply with
// successful=false), ":fail :read :timed-out" had no effect (FAIL), ":info" leaves the
// operation open (UNKNOWN). The register key is "".
absl::StatusOr<History> ParseJepsenEtcdLog(absl::string_view text, absl::string_view source);

// One EDN map per line: {:process P, :type :invoke|:ok|:fail|:info, :f :get|:put|:append,
// :key "K", :value "V"|nil}. An :invoke with no :ok/:fail is UNKNOWN.
absl::StatusOr<History> ParsePorcupineKv(absl::string_view text, absl::string_view source);

}  // namespace ravensim::history

#endif  // RAVENSIM_CHECKERS_HISTORY_IMPORTERS_H_
