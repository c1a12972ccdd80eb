// RegisterStateMachine: a small replicated key -> value register applied from the
// Rachis log (RAVENDB_MODEL.md §0: cluster-layer state is linearizable because it goes
// through Raft). Supports write, read and compare-and-set; every result carries the
// Rachis index that produced it, as compare-exchange results do in RavenDB (§4.1).
//
// Deterministic: the state is an ordered map, snapshots are sorted. Thread-compatible.
#ifndef RAVENSIM_CORE_CLUSTER_REGISTER_STATE_MACHINE_H_
#define RAVENSIM_CORE_CLUSTER_REGISTER_STATE_MACHINE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/cluster/register.pb.h"
#include "core/rachis/rachis_node.h"

namespace ravensim::cluster {

class RegisterStateMachine : public rachis::RachisStateMachine {
 public:
  // Applies a serialized RegisterCommand; returns a serialized RegisterResult. A command
  // that does not parse yields ok=false and changes nothing.
  std::string Apply(uint64_t index, const std::string& command) override;
  // The same result, written over `*result` (its room reused).
  void ApplyInto(uint64_t index, const std::string& command, std::string* result) override;
  std::string Serialize() const override;
  absl::Status Restore(const std::string& data) override;

  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }
  uint64_t applied_count() const { return applied_count_; }

  // Helpers for clients and tests: the bytes RegisterCommand::SerializeAsString() writes
  // for the command, built directly (register_state_machine_test compares them).
  static std::string EncodeWrite(std::string_view key, std::string_view value);
  static std::string EncodeRead(std::string_view key);
  static std::string EncodeCas(std::string_view key, std::string_view expected,
                               std::string_view new_value);
  static absl::StatusOr<RegisterResult> DecodeResult(const std::string& bytes);

 private:
  // Transparent: commands look keys up by the views they are parsed into.
  std::map<std::string, std::string, std::less<>> values_;
  uint64_t applied_count_ = 0;  // not part of the replicated state
};

}  // namespace ravensim::cluster

#endif  // RAVENSIM_CORE_CLUSTER_REGISTER_STATE_MACHINE_H_
