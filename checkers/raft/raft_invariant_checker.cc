#include "checkers/raft/raft_invariant_checker.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ravensim::checkers::raft {
namespace {

inline bool Contains(const std::vector<std::string>& tags, std::string_view tag) {
  // Tags are a few bytes: sizes and first bytes rule most out without a memcmp call.
  for (const std::string& t : tags) {
    if (t.size() != tag.size()) continue;
    if (tag.empty()) return true;
    if (t[0] == tag[0] &&
        (tag.size() == 1 ||
         std::memcmp(t.data() + 1, tag.data() + 1, tag.size() - 1) == 0)) {
      return true;
    }
  }
  return false;
}

// `tags` as a set: sorted, without duplicates.
void AssignSet(const std::vector<std::string_view>& tags, std::vector<std::string>* out) {
  out->assign(tags.begin(), tags.end());
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

// The one-byte tags among `tags` into the byte set `out` (4 words of 64 bits).
void AssignOneByteSet(const std::vector<std::string>& tags, uint64_t* out) {
  for (int i = 0; i < 4; ++i) out[i] = 0;
  for (const std::string& t : tags) {
    if (t.size() != 1) continue;
    const uint8_t b = static_cast<uint8_t>(t[0]);
    out[b / 64] |= uint64_t{1} << (b % 64);
  }
}

inline bool HasByte(const uint64_t* set, uint8_t b) {
  return (set[b / 64] >> (b % 64)) & 1;
}

}  // namespace

std::string RaftViolation::ToString() const {
  return absl::StrCat(invariant, " violated at t=", time_ns, "ns on node ", node, " (", tag,
                      ") term ", term, " index ", index, ": ", explanation);
}

RaftCheckResult RaftInvariantChecker::Result() const {
  RaftCheckResult result;
  result.ok = !violation_.has_value();
  result.violation = violation_;
  result.observations = observations_;
  return result;
}

uint64_t RaftInvariantChecker::CommittedIndex() const {
  return committed_.empty() ? 0 : committed_.back().index;
}

std::optional<uint64_t> RaftInvariantChecker::CommittedHash(uint64_t index) const {
  const auto* slot = committed_.Find(index);
  if (slot == nullptr) return std::nullopt;
  return slot->value.hash;
}

int32_t RaftInvariantChecker::LeaderOfTerm(uint64_t term) const {
  auto it = leader_of_term_.find(term);
  return it == leader_of_term_.end() ? -1 : it->second;
}

void RaftInvariantChecker::Fail(const RaftObservationView& o, const std::string& invariant,
                                const std::string& explanation, uint64_t index) {
  if (violation_.has_value()) return;
  violation_ = RaftViolation{.invariant = invariant,
                             .node = o.node,
                             .tag = std::string(o.tag),
                             .term = o.term,
                             .index = index,
                             .time_ns = o.time_ns,
                             .explanation = explanation};
}

RaftInvariantChecker::NodeView& RaftInvariantChecker::AddNode(int32_t node) {
  if (node < 0 || node >= kDenseNodes) return other_nodes_[node];
  dense_nodes_.resize(static_cast<size_t>(node) + 1);
  return dense_nodes_[node];
}

std::pair<const RaftInvariantChecker::EntryIdentity*, bool> RaftInvariantChecker::RecordEntry(
    uint64_t index, uint64_t term, const EntryIdentity& identity) {
  auto [first, inserted] = first_entries_.Emplace(index, {.term = term, .identity = identity});
  if (inserted || first->value.term == term) return {&first->value.identity, inserted};
  auto [other, other_inserted] = other_entries_.try_emplace(std::make_pair(index, term), identity);
  return {&other->second, other_inserted};
}

void RaftInvariantChecker::ResetLog(NodeView& node, uint64_t index, uint64_t term) {
  node.log.clear();
  node.base_index = index;
  node.base_term = term;
}

bool RaftInvariantChecker::Observe(const RaftObservation& observation) {
  ViewOf(observation, &scratch_);
  return Observe(scratch_);
}

// Election safety and leader completeness, when a node takes leadership of o.term.
void RaftInvariantChecker::OnLeadership(const RaftObservationView& o, NodeView& node) {
  auto [it, inserted] = leader_of_term_.emplace(o.term, o.node);
  if (!inserted && it->second != o.node) {
    FailWith(o, "election safety", 0, [&] {
      return absl::StrCat("node ", it->second, " already won term ", o.term);
    });
    return;
  }
  for (const auto& [index, committed] : committed_) {
    if (committed.commit_term >= o.term || index <= node.base_index) continue;
    const auto* entry = node.log.Find(index);
    if (entry == nullptr || entry->value.term != committed.term ||
        entry->value.hash != committed.hash) {
      FailWith(o, "leader completeness", index, [&] {
        return absl::StrCat("new leader lacks entry committed in term ",
                            committed.commit_term, " (entry term ", committed.term, ")");
      });
      return;
    }
  }
}

// Log matching: (index, term) identifies the command and the term before it.
void RaftInvariantChecker::OnAppended(const RaftObservationView& o, NodeView& node) {
  const uint64_t index = o.index;
  // The usual append goes past the log's last entry (most often right after it), so it
  // replaces nothing and the previous entry, if held, is the last one.
  const bool past_last = !node.log.empty() && index > node.log.back().index;
  uint64_t expected_prev = o.prev_term;
  if (index - 1 == node.base_index) {
    expected_prev = node.base_term;
  } else if (past_last) {
    if (node.log.back().index == index - 1) expected_prev = node.log.back().value.term;
  } else if (const auto* prev = node.log.Find(index - 1); prev != nullptr) {
    expected_prev = prev->value.term;
  }
  if (expected_prev != o.prev_term) {
    FailWith(o, "log matching", index, [&] {
      return absl::StrCat("appended with previous term ", o.prev_term, " but the log has ",
                          expected_prev);
    });
    return;
  }
  auto [known, inserted] = RecordEntry(
      index, o.entry_term, EntryIdentity{.hash = o.command_hash, .prev_term = o.prev_term});
  if (!inserted && (known->hash != o.command_hash || known->prev_term != o.prev_term)) {
    FailWith(o, "log matching", index, [&] {
      return absl::StrCat("entry (", index, ", term ", o.entry_term,
                          ") differs from another node's: command ", o.command_hash, " vs ",
                          known->hash, ", previous term ", o.prev_term, " vs ",
                          known->prev_term);
    });
    return;
  }
  // Everything from index on is replaced, so the entry goes at the end.
  if (!past_last) node.log.EraseFrom(node.log.LowerBound(index));
  node.log.Append(index, {.term = o.entry_term, .hash = o.command_hash});
}

// The APPLIED observations folded into `o`, each checked (and counted) as one.
void RaftInvariantChecker::OnFoldedApplied(const RaftObservationView& o) {
  observations_ += static_cast<int64_t>(o.applied.size());
  for (const RaftObservationView::Applied& a : o.applied) {
    if (violation_.has_value()) return;
    OnApplied(o, a.index, a.command_hash, a.skipped, a.not_request);
  }
}

// State-machine safety of applies: every node applies the same command at an index,
// and executes it or skips it alike (its LogHistory is the same).
void RaftInvariantChecker::OnApplied(const RaftObservationView& o, uint64_t index,
                                     uint64_t command_hash, bool skipped, bool not_request) {
  const Execution execution = not_request ? Execution::kNotRequest
                              : skipped   ? Execution::kSkipped
                                          : Execution::kExecuted;
  auto [slot, inserted] = applied_.Emplace(index, {command_hash, execution});
  if (inserted) {
    if (execution != Execution::kNotRequest) CheckExactlyOnce(o, index, command_hash, skipped);
    return;
  }
  if (slot->value.hash != command_hash) {
    FailWith(o, "state machine safety", index, [&] {
      return absl::StrCat("applied command ", command_hash, " where another node applied ",
                          slot->value.hash);
    });
  } else if (slot->value.execution != execution) {
    FailWith(o, "exactly once", index, [&] {
      auto name = [](Execution e) {
        return e == Execution::kExecuted  ? "executed"
               : e == Execution::kSkipped ? "skipped as a duplicate"
                                          : "applied as no request";
      };
      return absl::StrCat("request ", command_hash, " ", name(execution),
                          " where another node ", name(slot->value.execution), " it");
    });
  }
}

// RavenDB's LogHistory (RAVENDB_MODEL.md §1.4) remembers the ids of the latest
// log_history_max_entries executed requests: a request met again is skipped if it was
// executed within them, and executed again otherwise (the hazard of
// scenarios/cluster/late_duplicate_after_history.textproto, not a violation).
void RaftInvariantChecker::CheckExactlyOnce(const RaftObservationView& o, uint64_t index,
                                            uint64_t command_hash, bool skipped) {
  const auto found = last_execution_.find(command_hash);
  const bool earlier = found != last_execution_.end() && found->second < index;
  // Executed requests strictly between the last execution and `index`, counted up to
  // the window (a first apply comes after every lower index's, so all are known).
  int64_t between = 0;
  if (earlier) {
    const int64_t window = options_.log_history_max_entries;
    for (const auto* slot = applied_.LowerBound(found->second + 1);
         slot != applied_.end() && slot->index < index && between < window; ++slot) {
      between += slot->value.execution == Execution::kExecuted ? 1 : 0;
    }
  }
  const bool remembered = earlier && between < options_.log_history_max_entries;
  if (skipped) {
    if (!remembered) {
      FailWith(o, "exactly once", index, [&] {
        return earlier ? absl::StrCat("request ", command_hash,
                                      " skipped as a duplicate, but its execution at index ",
                                      found->second, " is ", between,
                                      " executed requests back, out of the LogHistory (",
                                      options_.log_history_max_entries, ")")
                       : absl::StrCat("request ", command_hash,
                                      " skipped as a duplicate but never executed before");
      });
    }
    return;
  }
  if (remembered) {
    FailWith(o, "exactly once", index, [&] {
      return absl::StrCat("request ", command_hash, " executed again; executed at index ",
                          found->second, " only ", between,
                          " executed requests before, within the LogHistory (",
                          options_.log_history_max_entries, ")");
    });
    return;
  }
  last_execution_.insert_or_assign(command_hash, index);
}

void RaftInvariantChecker::CheckQuorum(const RaftObservationView& o, const NodeView& node,
                                       const char* what) {
  // The voters in force are the ones the node reported through TOPOLOGY_CHANGED.
  int counted = 0;
  for (std::string_view supporter : o.supporters) {
    bool voter;
    if (supporter.size() == 1) {
      const uint8_t b = static_cast<uint8_t>(supporter[0]);
      voter = !HasByte(node.one_byte_non_voters, b) && HasByte(node.one_byte_voters, b);
    } else {
      voter = !Contains(node.non_voters, supporter) && Contains(node.voters, supporter);
    }
    if (!voter) {
      FailWith(o, "voting quorum", o.index, [&] {
        return absl::StrCat(
            what, " counted ", std::string(supporter),
            ", who is not a voter (voters: ", absl::StrJoin(node.voters, ","), ")");
      });
      return;
    }
    ++counted;
  }
  const int majority = static_cast<int>(node.voters.size()) / 2 + 1;
  if (counted < majority) {
    FailWith(o, "voting quorum", o.index, [&] {
      return absl::StrCat(what, " decided by ", counted, " of ", node.voters.size(),
                          " voters, below the majority ", majority);
    });
  }
}

void RaftInvariantChecker::OnCommit(const RaftObservationView& o, NodeView& node,
                                    uint64_t index, bool by_quorum) {
  if (index < node.commit_index) {
    FailWith(o, "commit index monotone", index, [&] {
      return absl::StrCat("commit index went from ", node.commit_index, " to ", index);
    });
    return;
  }
  if (by_quorum) {
    CheckQuorum(o, node, "commit");
    if (violation_.has_value()) return;
  }
  for (const auto* it = node.log.UpperBound(node.commit_index);
       it != node.log.end() && it->index <= index; ++it) {
    auto [committed, inserted] = committed_.Emplace(
        it->index, Committed{.term = it->value.term,
                             .hash = it->value.hash,
                             .commit_term = o.term});
    if (inserted) continue;
    if (committed->value.term != it->value.term ||
        committed->value.hash != it->value.hash) {
      FailWith(o, "state machine safety", it->index, [&] {
        return absl::StrCat("committed entry of term ", it->value.term,
                            " where another node committed term ", committed->value.term);
      });
      return;
    }
    committed->value.commit_term = std::min(committed->value.commit_term, o.term);
  }
  node.commit_index = index;
}

bool RaftInvariantChecker::Observe(const RaftObservationView& o) {
  if (violation_.has_value()) return false;
  ++observations_;
  NodeView& node = NodeOf(o.node);
  if (o.incarnation != node.incarnation) {
    // A restart: the node rebuilt its memory from disk; commit tracking starts over.
    node.incarnation = o.incarnation;
    node.commit_index = 0;
  }
  switch (o.kind) {
    case RaftObservation::STATE_CHANGED:
      if (o.role == "LeaderElect" || o.role == "Leader") OnLeadership(o, node);
      break;
    case RaftObservation::ELECTION_WON:
      CheckQuorum(o, node, "election");
      OnLeadership(o, node);
      break;
    case RaftObservation::ENTRY_APPENDED:
      OnAppended(o, node);
      if (o.commit_index != 0) {  // A COMMIT_ADVANCED folded in (without quorum).
        ++observations_;
        if (!violation_.has_value()) OnCommit(o, node, o.commit_index, /*by_quorum=*/false);
      }
      OnFoldedApplied(o);
      break;
    case RaftObservation::LOG_TRUNCATED: {
      if (o.index <= node.commit_index) {
        FailWith(o, "state machine safety", o.index, [&] {
          return absl::StrCat("truncated from ", o.index, " below its commit index ",
                              node.commit_index);
        });
      }
      node.log.EraseFrom(node.log.LowerBound(o.index));
      break;
    }
    case RaftObservation::SNAPSHOT_INSTALLED: {
      const auto* slot = node.log.Find(o.index);
      if (slot != nullptr && slot->value.term == o.entry_term) {
        node.log.EraseThrough(slot);
        node.base_index = o.index;
        node.base_term = o.entry_term;
      } else {
        ResetLog(node, o.index, o.entry_term);
      }
      break;
    }
    case RaftObservation::LOG_RESET:
      ResetLog(node, o.index, o.entry_term);
      break;
    case RaftObservation::COMMIT_ADVANCED:
      OnCommit(o, node, o.index, o.by_quorum);
      OnFoldedApplied(o);
      break;
    case RaftObservation::APPLIED:
      OnApplied(o, o.index, o.command_hash, o.skipped, o.not_request);
      break;
    case RaftObservation::COMMITTED_CONFLICT:
      FailWith(o, "state machine safety", o.index, [&] {
        return absl::StrCat("leader sent an entry of term ", o.entry_term,
                            " over the committed entry of term ", o.committed_term,
                            " (leader completeness broken; the node refused it)");
      });
      break;
    case RaftObservation::TOPOLOGY_CHANGED:
      AssignSet(o.voters, &node.voters);
      AssignSet(o.non_voters, &node.non_voters);
      AssignOneByteSet(node.voters, node.one_byte_voters);
      AssignOneByteSet(node.non_voters, node.one_byte_non_voters);
      break;
    default:
      break;
  }
  return !violation_.has_value();
}

}  // namespace ravensim::checkers::raft
