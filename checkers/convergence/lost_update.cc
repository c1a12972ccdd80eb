#include "checkers/convergence/lost_update.h"

#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ravensim::checkers {

std::vector<Finding> FindLostUpdates(const history::History& history) {
  // (database, document, change vector read) -> ids of committed writers.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<int64_t>> writers;
  std::map<int64_t, std::string> node_of;
  for (const history::Operation& op : history.operations()) {
    if (op.outcome() != history::OK || !op.has_document()) continue;
    const history::DocumentDetails& d = op.document();
    std::set<std::string> written;
    for (const history::DocumentWrite& w : d.writes()) written.insert(w.key());
    for (const history::ReadVersion& r : d.reads()) {
      if (!written.contains(r.key())) continue;
      writers[{d.database(), r.key(), r.change_vector()}].push_back(op.id());
      node_of[op.id()] = op.node();
    }
  }
  std::vector<Finding> out;
  for (const auto& [k, ids] : writers) {
    if (ids.size() < 2) continue;
    const auto& [db, key, cv] = k;
    Finding f{"elle-lost-update", db, key, {}, ids, ""};
    std::set<std::string> nodes;
    for (int64_t id : ids) nodes.insert(node_of[id]);
    f.nodes.assign(nodes.begin(), nodes.end());
    std::vector<std::string> names;
    for (int64_t id : ids) names.push_back(absl::StrCat("#", id));
    f.message = absl::StrCat("committed transactions ", absl::StrJoin(names, ", "),
                             " all read version [", cv.empty() ? "absent" : cv,
                             "] and wrote it: all but one update is lost");
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ravensim::checkers
