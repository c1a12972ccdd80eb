#include "tools/scenario/election_deadlock.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ravensim::tools {
namespace {

bool Lists(const std::vector<std::string>& tags, const std::string& tag) {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

// Why `voter` denies `candidate` for good, or "" if it may grant.
std::string Denial(const ElectorState& voter, const ElectorState& candidate) {
  if (voter.wiped) return "";  // rule 2
  if (!Lists(voter.listed, candidate.tag)) {  // rule 3
    return absl::StrCat(candidate.tag, " not in its topology");
  }
  if (voter.last_log_term > candidate.last_log_term ||
      (voter.last_log_term == candidate.last_log_term &&
       voter.last_log_index > candidate.last_log_index)) {  // rules 5 and 10
    return "log ahead";
  }
  return "";
}

}  // namespace

std::string ElectionDeadlock(const std::vector<ElectorState>& nodes) {
  std::vector<std::string> member_sets;
  for (const ElectorState& n : nodes) {
    if (!n.up) return "";
    if (n.wiped) continue;
    std::vector<std::string> members = n.members;
    std::sort(members.begin(), members.end());
    const std::string set = absl::StrJoin(members, " ");
    if (!Lists(member_sets, set)) member_sets.push_back(set);
  }
  if (member_sets.size() < 2) return "";
  std::vector<std::string> reasons;
  for (const ElectorState& candidate : nodes) {
    if (candidate.passive || candidate.wiped || !Lists(candidate.members, candidate.tag)) {
      continue;
    }
    const size_t majority = candidate.members.size() / 2 + 1;
    size_t votes = 0;
    std::vector<std::string> denials;
    for (const std::string& tag : candidate.members) {
      if (tag == candidate.tag) {
        ++votes;
        continue;
      }
      const auto voter = std::find_if(nodes.begin(), nodes.end(),
                                      [&](const ElectorState& n) { return n.tag == tag; });
      if (voter == nodes.end()) {
        denials.push_back(absl::StrCat(tag, " unknown"));
        continue;
      }
      const std::string why = Denial(*voter, candidate);
      if (why.empty()) {
        ++votes;
      } else {
        denials.push_back(absl::StrCat(tag, " denies (", why, ")"));
      }
    }
    if (votes >= majority) return "";
    reasons.push_back(absl::StrCat(candidate.tag, " needs ", majority, " of ",
                                   absl::StrJoin(candidate.members, " "), ", ",
                                   absl::StrJoin(denials, ", ")));
  }
  if (reasons.empty()) return "";
  return absl::StrJoin(reasons, "; ");
}

}  // namespace ravensim::tools
