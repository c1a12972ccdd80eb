#include "sim/harness/counter_node.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "sim/trace.h"

namespace ravensim::harness {

// Record: 16 hex digits of FNV-1a 64 over the payload, then the payload.
std::string CounterNode::EncodeRecord(std::string_view payload) {
  std::string record = sim::FormatFingerprint(sim::Fnv1a64(payload));
  record.append(payload.data(), payload.size());
  return record;
}

bool CounterNode::DecodeRecord(std::string_view record, std::string* payload) {
  if (record.size() < 16) return false;
  const std::string_view body = record.substr(16);
  if (record.substr(0, 16) != sim::FormatFingerprint(sim::Fnv1a64(body))) return false;
  payload->assign(body.data(), body.size());
  return true;
}

int64_t CounterNode::total() const {
  int64_t sum = 0;
  for (int64_t k : known_) sum += k;
  return sum;
}

void CounterNode::Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
                        Effects* effects) {
  self_ = context.self;
  known_.assign(static_cast<size_t>(context.node_count), 0);
  own_count_ = 0;
  int64_t bad_records = 0;
  if (auto it = disk.logs.find(kLog); it != disk.logs.end()) {
    const std::vector<std::string>& log = it->second;
    size_t valid = 0;
    for (; valid < log.size(); ++valid) {
      std::string payload;
      int64_t count = 0;
      if (!DecodeRecord(log[valid], &payload) || !absl::SimpleAtoi(payload, &count)) break;
      own_count_ = std::max(own_count_, count);
    }
    if (valid < log.size()) {
      // A torn or corrupted record: it and everything after it are suspect. Cut them off
      // before appending again, or later good records would sit behind a bad one.
      bad_records = static_cast<int64_t>(log.size() - valid);
      effects->writes.push_back(sim::DiskWrite::Truncate(kLog, static_cast<int64_t>(valid)));
      effects->sync = true;
      effects->persist_id = 0;
    }
  }
  if (auto it = disk.records.find(kVectorKey); it != disk.records.end()) {
    std::string payload;
    if (DecodeRecord(it->second, &payload)) {
      const std::vector<std::string> parts = absl::StrSplit(payload, ' ');
      for (size_t i = 0; i < parts.size() && i < known_.size(); ++i) {
        int64_t v = 0;
        if (absl::SimpleAtoi(parts[i], &v)) known_[i] = v;
      }
    } else {
      ++bad_records;
    }
  }
  known_[self_] = own_count_;
  effects->Observe("counter.recovered", own_count_, absl::StrCat("bad_records=", bad_records));
  effects->SetTimer(kIncrementTimer, context.monotonic_now + options_.increment_interval);
  // Spread the gossip of different nodes with the per-incarnation seed.
  const int64_t offset = static_cast<int64_t>(
      seed % static_cast<uint64_t>(options_.gossip_interval.nanos()));
  effects->SetTimer(kGossipTimer, context.monotonic_now + SimDuration::Nanos(offset));
}

void CounterNode::Broadcast(const Context& context, const std::string& bytes,
                            Effects* effects) {
  for (NodeId peer = 0; peer < context.node_count; ++peer) {
    if (peer != self_) effects->Send(peer, bytes);
  }
}

void CounterNode::OnTimer(const Context& context, uint64_t tag, Effects* effects) {
  if (tag == kIncrementTimer) {
    effects->Observe("counter.tick", context.monotonic_now.nanos());
    effects->SetTimer(kIncrementTimer, context.monotonic_now + options_.increment_interval);
    if (increment_in_flight_ || own_count_ >= options_.max_increments) return;
    const int64_t next = own_count_ + 1;
    increment_in_flight_ = true;
    effects->writes.push_back(
        sim::DiskWrite::Append(kLog, EncodeRecord(absl::StrCat(next))));
    effects->sync = true;
    effects->persist_id = static_cast<uint64_t>(next);
    // Sent only once the record is durable (persist-before-send).
    Broadcast(context, absl::StrCat("A ", self_, " ", next), effects);
    return;
  }
  if (tag == kGossipTimer) {
    effects->SetTimer(kGossipTimer, context.monotonic_now + options_.gossip_interval);
    const std::string vector = absl::StrJoin(known_, " ");
    effects->writes.push_back(sim::DiskWrite::Put(kVectorKey, EncodeRecord(vector)));
    effects->sync = false;
    for (NodeId peer = 0; peer < context.node_count; ++peer) {
      if (peer != self_) effects->Send(peer, absl::StrCat("G ", vector), false);
    }
  }
}

void CounterNode::OnPersisted(const Context& context, uint64_t persist_id,
                              const absl::Status& status, Effects* effects) {
  if (persist_id == 0) return;  // The unsynced vector save.
  increment_in_flight_ = false;
  if (!status.ok()) {
    effects->Observe("counter.persist_failed", static_cast<int64_t>(persist_id),
                     absl::StatusCodeToString(status.code()));
    return;
  }
  own_count_ = std::max(own_count_, static_cast<int64_t>(persist_id));
  known_[self_] = own_count_;
  effects->Observe("counter.durable", own_count_);
}

void CounterNode::Learn(NodeId origin, int64_t count, Effects* effects) {
  if (origin < 0 || origin >= static_cast<NodeId>(known_.size())) return;
  if (count <= known_[origin]) return;
  known_[origin] = count;
  if (origin == self_) {
    // Our own count came back from a peer: our disk lost it (a wipe). Adopt it; the next
    // increment persists a larger one.
    own_count_ = count;
  }
  effects->Observe("counter.seen", count, absl::StrCat("origin=", origin));
}

void CounterNode::OnMessage(const Context& context, NodeId from, std::string_view bytes,
                            Effects* effects) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(bytes.data(), bytes.size()), ' ');
  if (parts.empty()) return;
  if (parts[0] == "A" && parts.size() == 3) {
    int64_t origin = 0;
    int64_t count = 0;
    if (absl::SimpleAtoi(parts[1], &origin) && absl::SimpleAtoi(parts[2], &count)) {
      Learn(static_cast<NodeId>(origin), count, effects);
    }
    return;
  }
  if (parts[0] == "G") {
    for (size_t i = 1; i < parts.size(); ++i) {
      int64_t count = 0;
      if (absl::SimpleAtoi(parts[i], &count)) {
        Learn(static_cast<NodeId>(i - 1), count, effects);
      }
    }
  }
}

void CounterNode::OnPeerDisconnected(const Context& context, NodeId peer, Effects* effects) {
  ++disconnects_;
  effects->Observe("counter.peer_disconnected", peer);
}

}  // namespace ravensim::harness
