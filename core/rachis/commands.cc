// Commands (RAVENDB_MODEL.md §1.4): submitted on any node, forwarded to the leader
// (SendToLeaderAsync), de-duplicated by request id (LogHistory), answered with
// committed-with-index-and-result, rejected, or unknown after the operation timeout.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/rachis/rachis_node.h"

namespace ravensim::rachis {

void RachisNode::Submit(int64_t now_ns, const std::string& request_id,
                        const std::string& command) {
  AdvanceTime(now_ns);
  CHECK(!request_id.empty());
  if (const AppliedRecord* applied = FindApplied(request_id)) {
    Mark("submission answered from log history");
    results_.push_back({.request_id = request_id,
                        .outcome = COMMAND_OUTCOME_COMMITTED,
                        .index = applied->index,
                        .result = applied->result});
    return;
  }
  if (state_ == RachisState::kLeader || state_ == RachisState::kLeaderElect) {
    pending_[request_id] = {.deadline_ns = now_ns_ + options_.operation_timeout_ns};
    LeaderAccept(request_id, command, "", /*history_checked=*/true);
    return;
  }
  if (!leader_tag_.empty() && leader_tag_ != options_.tag &&
      topology_.Contains(leader_tag_)) {
    pending_[request_id] = {.deadline_ns = now_ns_ + options_.operation_timeout_ns};
    RachisMessage message;
    message.mutable_forward_command()->set_request_id(request_id);
    message.mutable_forward_command()->set_command(command);
    SendTo(leader_tag_, std::move(message));
    Mark("command forwarded to leader");
    return;
  }
  // NotLeadingException with no leader to forward to: nothing was appended.
  results_.push_back({.request_id = request_id,
                      .outcome = COMMAND_OUTCOME_REJECTED,
                      .reason = "no leader known"});
}

void RachisNode::LeaderAccept(const std::string& request_id, const std::string& command,
                              const std::string& forwarded_by, bool history_checked) {
  if (!forwarded_by.empty()) remote_waiters_[request_id].insert(forwarded_by);
  if (const AppliedRecord* applied = history_checked ? nullptr : FindApplied(request_id)) {
    ResolveWaiters(request_id, applied->index, applied->result);
    return;
  }
  if (leader_inflight_.count(request_id) > 0) {
    // ContainsCommandId: the same request is already in the log; wait for it.
    Mark("duplicate request joined the entry in flight");
    return;
  }
  auto entry = std::make_shared<LogEntry>();
  entry->set_index(log_.LastIndex() + 1);
  entry->set_term(term_);
  entry->set_flags(ENTRY_FLAGS_STATE_MACHINE_COMMAND);
  entry->set_command(command);
  entry->set_request_id(request_id);
  leader_inflight_[request_id] = entry->index();
  AppendToLog(std::move(entry));
  BroadcastAppend(/*heartbeat_only_when_due=*/false);
}

void RachisNode::HandleForwardCommand(const RachisMessage& message) {
  const ForwardCommand& forward = message.forward_command();
  if (forward.request_id().empty()) return;
  if (state_ != RachisState::kLeader && state_ != RachisState::kLeaderElect) {
    RachisMessage reply;
    ForwardCommandResponse* response = reply.mutable_forward_command_response();
    response->set_request_id(forward.request_id());
    response->set_outcome(COMMAND_OUTCOME_REJECTED);
    response->set_reason(absl::StrCat(options_.tag, " is not leading"));
    Reply(message, std::move(reply));
    return;
  }
  LeaderAccept(forward.request_id(), forward.command(), message.from());
}

void RachisNode::HandleForwardCommandResponse(const RachisMessage& message) {
  const ForwardCommandResponse& response = message.forward_command_response();
  auto it = pending_.find(response.request_id());
  if (it == pending_.end()) return;
  pending_.erase(it);
  results_.push_back({.request_id = response.request_id(),
                      .outcome = response.outcome(),
                      .index = response.index(),
                      .result = response.result(),
                      .reason = response.reason()});
}

void RachisNode::ResolveWaiters(const std::string& request_id, uint64_t index,
                                const std::string& result) {
  if (request_id.empty()) return;
  // A follower applying has, as a rule, none of these: skip the lookups then.
  if (!leader_inflight_.empty()) leader_inflight_.erase(request_id);
  auto local = pending_.empty() ? pending_.end() : pending_.find(request_id);
  if (local != pending_.end()) {
    pending_.erase(local);
    results_.push_back({.request_id = request_id,
                        .outcome = COMMAND_OUTCOME_COMMITTED,
                        .index = index,
                        .result = result});
  }
  if (remote_waiters_.empty()) return;
  auto remote = remote_waiters_.find(request_id);
  if (remote == remote_waiters_.end()) return;
  for (const std::string& tag : remote->second) {
    RachisMessage reply;
    ForwardCommandResponse* response = reply.mutable_forward_command_response();
    response->set_request_id(request_id);
    response->set_outcome(COMMAND_OUTCOME_COMMITTED);
    response->set_index(index);
    response->set_result(result);
    SendTo(tag, std::move(reply));
  }
  remote_waiters_.erase(remote);
}

// Leadership lost with entries uncommitted: they may still commit under the next
// leader, so every waiter learns "unknown", never "rejected".
void RachisNode::FailLeaderWaiters(const std::string& reason) {
  for (const auto& [request_id, index] : leader_inflight_) {
    auto local = pending_.find(request_id);
    if (local != pending_.end()) {
      pending_.erase(local);
      results_.push_back({.request_id = request_id,
                          .outcome = COMMAND_OUTCOME_UNKNOWN,
                          .index = index,
                          .reason = reason});
    }
    auto remote = remote_waiters_.find(request_id);
    if (remote == remote_waiters_.end()) continue;
    for (const std::string& tag : remote->second) {
      RachisMessage reply;
      ForwardCommandResponse* response = reply.mutable_forward_command_response();
      response->set_request_id(request_id);
      response->set_outcome(COMMAND_OUTCOME_UNKNOWN);
      response->set_reason(reason);
      SendTo(tag, std::move(reply));
    }
  }
  leader_inflight_.clear();
  remote_waiters_.clear();
}

// Cluster.OperationTimeoutInSec (§1.2): TimeoutException, the outcome is unknown.
void RachisNode::ExpireSubmissions() {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline_ns > now_ns_) {
      ++it;
      continue;
    }
    Mark("submission timed out");
    results_.push_back({.request_id = it->first,
                        .outcome = COMMAND_OUTCOME_UNKNOWN,
                        .reason = "operation timeout"});
    it = pending_.erase(it);
  }
}

// A 64-bit multiply-xorshift hash of the id, eight bytes at a time, finished with
// MurmurHash3's fmix64 so that every bit of the result depends on every input bit (the
// hash table takes its probe start and its control byte from different bits). Only
// ever used for lookups: no hash order reaches behaviour.
size_t RachisNode::AppliedIdHash(std::string_view id) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  uint64_t h = id.size() * kMul;
  const char* p = id.data();
  size_t n = id.size();
  while (n >= 8) {
    uint64_t chunk;
    std::memcpy(&chunk, p, 8);
    h = (h ^ chunk) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    // The last (1..7) bytes, read without a variable-length copy: as the final eight
    // bytes of the id when it has that many (overlapping the previous chunk), else as
    // two four-byte words (overlapping), else as its first, middle and last bytes.
    uint64_t chunk;
    if (id.size() >= 8) {
      std::memcpy(&chunk, p + n - 8, 8);
    } else if (n >= 4) {
      uint32_t low;
      uint32_t high;
      std::memcpy(&low, p, 4);
      std::memcpy(&high, p + n - 4, 4);
      chunk = (static_cast<uint64_t>(high) << 32) | low;
    } else {
      chunk = static_cast<uint64_t>(static_cast<uint8_t>(p[0])) |
              static_cast<uint64_t>(static_cast<uint8_t>(p[n / 2])) << 8 |
              static_cast<uint64_t>(static_cast<uint8_t>(p[n - 1])) << 16;
    }
    h = (h ^ chunk) * kMul;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<size_t>(h);
}

// LogHistory (§1.4) bounded by Cluster.LogHistoryMaxEntries: the oldest is forgotten.
// When the history is at its bound, the oldest record goes first and its slot (with its
// strings' room) takes the new one (the same records stay either way).
RachisNode::AppliedRecord* RachisNode::ClaimAppliedRecord(const AppliedKey& key,
                                                          uint64_t index,
                                                          uint64_t* position) {
  if (key.id.empty()) return nullptr;
  const int64_t bound = static_cast<int64_t>(options_.log_history_max_entries);
  while (applied_history_count_ != 0 &&
         static_cast<int64_t>(applied_history_count_) >= bound) {
    ForgetOldestApplied();
  }
  if (bound <= 0) return nullptr;  // nothing is kept (the record would be forgotten at once)
  *position = applied_history_first_ + applied_history_count_;
  AppliedRecord& record = NewAppliedSlot();
  record.request_id.assign(key.id);
  record.index = index;
  record.hash = key.hash;
  return &record;
}

RachisNode::AppliedRecord& RachisNode::NewAppliedSlot() {
  if (applied_history_count_ < applied_history_slots_) {
    return AppliedSlot(applied_history_count_++);
  }
  // Full ring: grow it. Records move (and so do the request ids the keys view, for
  // short ids kept inline): lay them out oldest first and key them again.
  const bool rotates = applied_history_head_ != 0;
  if (rotates) {
    std::rotate(applied_history_.begin(),
                applied_history_.begin() + static_cast<std::ptrdiff_t>(applied_history_head_),
                applied_history_.end());
    applied_history_head_ = 0;
  }
  const bool moves = applied_history_.size() == applied_history_.capacity();
  applied_history_.emplace_back();
  ++applied_history_slots_;
  ++applied_history_count_;
  if (moves || rotates) {
    // Rotation or reallocation moved the records: every key must view its record again.
    applied_position_by_request_.Clear();
    for (size_t k = 0; k + 1 < applied_history_count_; ++k) {
      IndexAppliedRecord(applied_history_[k], applied_history_first_ + k);
    }
  }
  return applied_history_.back();
}

void RachisNode::IndexAppliedRecord(const AppliedRecord& record, uint64_t position) {
  // An id listed already (never written so) points at its newest record.
  applied_position_by_request_.Insert(record.request_id, record.hash, position,
                                      AppliedIdAt{this});
}

void RachisNode::ForgetOldestApplied() {
  const AppliedRecord& oldest = AppliedSlot(0);
  // A request id listed twice (never written so) keeps pointing at its newest record.
  applied_position_by_request_.EraseIfAt(oldest.request_id, oldest.hash,
                                         applied_history_first_, AppliedIdAt{this});
  if (++applied_history_head_ == applied_history_slots_) applied_history_head_ = 0;
  --applied_history_count_;
  ++applied_history_first_;
}

const RachisNode::AppliedRecord* RachisNode::FindApplied(const AppliedKey& key) const {
  uint64_t position = 0;
  if (!applied_position_by_request_.Find(key.id, key.hash, AppliedIdAt{this}, &position)) {
    return nullptr;
  }
  return &AppliedSlot(static_cast<size_t>(position - applied_history_first_));
}

void RachisNode::RestoreHistory(const Snapshot& snapshot) {
  // Snapshots come from MakeSnapshot, through checksummed records or in-process
  // messages: bytes that do not parse are a bug, never a fault to tolerate.
  LogHistory history;
  CHECK(history.ParseFromString(snapshot.log_history()));
  // Room for the snapshot's requests and the configured history, whichever is more.
  const size_t room = static_cast<size_t>(std::clamp(
      std::max(options_.log_history_max_entries, history.requests_size()), 0,
      kMaxHistoryReserve));
  applied_position_by_request_.Clear();
  applied_position_by_request_.Reserve(room);
  applied_history_.clear();
  applied_history_slots_ = 0;
  applied_history_head_ = 0;
  applied_history_count_ = 0;
  applied_history_first_ = 0;
  // Sized once, so that no record moves while they are keyed.
  applied_history_.reserve(room);
  // Snapshots list the requests by increasing index, each once (MakeSnapshot).
  for (const AppliedRequest& applied : history.requests()) {
    const uint64_t position = applied_history_count_;
    AppliedRecord& record = NewAppliedSlot();
    record.request_id = applied.request_id();
    record.index = applied.index();
    record.result = applied.result();
    record.hash = AppliedIdHash(record.request_id);
    IndexAppliedRecord(record, position);
  }
}

}  // namespace ravensim::rachis
