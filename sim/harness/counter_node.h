// harness::CounterNode: a small replicated counter used to test the harness before Raft
// exists. It exercises everything the World carries out: synced persistence with
// checksums, persist-before-send, messages, timers, recovery from disk, and the
// reaction to broken connections.
//
// Each node counts its own increments and learns the others' counts (a grow-only
// counter, one slot per origin node):
//  * every increment_interval (local monotonic time) it appends a checksummed record
//    with its new count to the log "increments" and syncs; only when the sync completed
//    does it announce the new count to every peer (persist-before-send), so no peer can
//    ever know a count the origin could lose in a crash;
//  * every gossip_interval it sends its whole vector to every peer (anti-entropy, which
//    also repairs what broken connections lost) and saves the vector unsynced;
//  * at start it recovers its own count from the log, stopping at the first record that
//    fails its checksum (a torn or corrupted tail), and the vector from its record.
// A wiped node learns its own count back from its peers (max-merge).
//
// Observations (kind, value): "counter.recovered" (own count recovered at start; detail
// "bad_records=N"), "counter.durable" (own count synced), "counter.persist_failed",
// "counter.seen" (detail "origin=O": the largest count of O this node now knows),
// "counter.tick" (value = local monotonic ns at each increment timer),
// "counter.peer_disconnected" (value = peer).
//
// Thread-compatible; driven by the World.
#ifndef RAVENSIM_SIM_HARNESS_COUNTER_NODE_H_
#define RAVENSIM_SIM_HARNESS_COUNTER_NODE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/harness/node.h"

namespace ravensim::harness {

struct CounterOptions {
  SimDuration increment_interval = SimDuration::Millis(10);
  SimDuration gossip_interval = SimDuration::Millis(100);
  int64_t max_increments = 1'000'000;  // Stop incrementing at this own count.
};

class CounterNode : public Node {
 public:
  static constexpr uint64_t kIncrementTimer = 1;
  static constexpr uint64_t kGossipTimer = 2;
  static constexpr const char* kLog = "increments";
  static constexpr const char* kVectorKey = "vector";

  explicit CounterNode(const CounterOptions& options) : options_(options) {}

  void Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
             Effects* effects) override;
  void OnMessage(const Context& context, NodeId from, std::string_view bytes,
                 Effects* effects) override;
  void OnTimer(const Context& context, uint64_t tag, Effects* effects) override;
  void OnPersisted(const Context& context, uint64_t persist_id, const absl::Status& status,
                   Effects* effects) override;
  void OnPeerDisconnected(const Context& context, NodeId peer, Effects* effects) override;

  int64_t own_count() const { return own_count_; }
  // Sum over origins of the largest count known.
  int64_t total() const;
  const std::vector<int64_t>& known() const { return known_; }
  int64_t disconnects() const { return disconnects_; }

  // The checksummed encodings (exposed for tests).
  static std::string EncodeRecord(std::string_view payload);
  // False if the checksum does not match.
  static bool DecodeRecord(std::string_view record, std::string* payload);

 private:
  void Learn(NodeId origin, int64_t count, Effects* effects);
  void Broadcast(const Context& context, const std::string& bytes, Effects* effects);

  CounterOptions options_;
  NodeId self_ = sim::kNoNode;
  int64_t own_count_ = 0;          // Invariant: durable on this node's disk.
  bool increment_in_flight_ = false;
  std::vector<int64_t> known_;     // By origin; known_[self_] mirrors own_count_.
  int64_t disconnects_ = 0;
};

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_COUNTER_NODE_H_
