#include "tools/scenario/runner_clients.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/register.pb.h"
#include "core/cluster/register_state_machine.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

using sim::SimDuration;

SimDuration Get(const std::string& text, SimDuration fallback) {
  auto d = ParseDurationOr(text, fallback);
  CHECK_MSG(d.ok(), "unvalidated duration %s", text.c_str());
  return *d;
}

history::Value ValueOrAbsent(const std::string& value, bool present) {
  return present ? history::StrValue(value) : history::AbsentValue();
}

}  // namespace

ClientRecorder::ClientRecorder(const scenarios::Scenario& scenario, int32_t cluster_nodes,
                               std::function<sim::SimTime()> now)
    : s_(scenario),
      cluster_nodes_(cluster_nodes),
      now_(std::move(now)),
      clients_(static_cast<size_t>(scenario.workload().clients())) {}

std::unique_ptr<harness::Node> ClientRecorder::MakeClient(sim::NodeId id) {
  const int32_t client = id - cluster_nodes_;
  CHECK_GE(client, 0);
  CHECK_LT(client, static_cast<int32_t>(clients_.size()));
  const scenarios::RegisterWorkload& w = s_.workload().register_();
  harness::ClusterClientOptions options;
  options.name = absl::StrCat("c", client);
  for (sim::NodeId n = 0; n < cluster_nodes_; ++n) options.cluster_nodes.push_back(n);
  options.preferred_index = client % cluster_nodes_;
  const SimDuration timeout = Get(w.client_timeout(), SimDuration::Seconds(5));
  options.operation_timeout_ns = timeout.nanos();
  options.attempt_timeout_ns = std::min<int64_t>(1'000'000'000, timeout.nanos() / 2);
  options.think_time_mean_ns = Get(w.think_time(), SimDuration::Millis(50)).nanos();
  options.max_operations = w.operations_per_client() == 0 ? -1 : w.operations_per_client();
  options.active = w.start().empty() || Get(w.start(), SimDuration::Zero()) == SimDuration::Zero();
  options.next_command = [this, client](sim::Prng& prng, int64_t sequence) {
    return NextCommand(client, prng, sequence);
  };
  options.on_operation = [this, client](const harness::ClientOperation& op) {
    OnOperation(client, op);
  };
  return std::make_unique<harness::ClusterClient>(std::move(options));
}

std::string ClientRecorder::NextCommand(int32_t client, sim::Prng& prng, int64_t sequence) {
  const scenarios::RegisterWorkload& w = s_.workload().register_();
  uint64_t reads = w.read_weight(), writes = w.write_weight(), cas = w.cas_weight();
  if (reads + writes + cas == 0) {
    reads = 2;
    writes = 2;
    cas = 1;
  }
  const int32_t keys = std::max(w.keys(), 1);
  const std::string key = absl::StrCat("k", prng.UniformBelow(static_cast<uint64_t>(keys)));
  const std::string value = absl::StrCat(client, ".", sequence);
  const uint64_t draw = prng.UniformBelow(reads + writes + cas);
  if (draw < reads) return cluster::RegisterStateMachine::EncodeRead(key);
  if (draw < reads + writes) return cluster::RegisterStateMachine::EncodeWrite(key, value);
  const auto& seen = clients_[client].last_seen;
  const auto it = seen.find(key);
  return cluster::RegisterStateMachine::EncodeCas(key, it == seen.end() ? "" : it->second,
                                                  value);
}

void ClientRecorder::OnOperation(int32_t client, const harness::ClientOperation& op) {
  cluster::RegisterCommand command;
  CHECK(command.ParseFromString(op.command));
  ClientState& state = clients_[client];
  const std::string node = op.node >= 0 && op.node < cluster_nodes_ ? NodeTag(op.node) : "";
  const int64_t now_ns = now_().nanos();
  if (op.phase == harness::ClientOperation::Phase::kInvoke) {
    history::OpKind kind = history::REGISTER_READ;
    std::string key = command.read().key();
    if (command.has_write()) {
      kind = history::REGISTER_WRITE;
      key = command.write().key();
    } else if (command.has_cas()) {
      kind = history::REGISTER_CAS;
      key = command.cas().key();
    }
    const int64_t id = builder_.Invoke(client, node, now_ns, kind, key);
    history::Operation* h = builder_.MutableOperation(id);
    if (command.has_write()) *h->mutable_value() = history::StrValue(command.write().value());
    if (command.has_cas()) {
      *h->mutable_expected() =
          ValueOrAbsent(command.cas().expected(), !command.cas().expected().empty());
      *h->mutable_value() = history::StrValue(command.cas().new_value());
    }
    state.open[op.request_id] = id;
    return;
  }
  const auto open = state.open.find(op.request_id);
  CHECK_MSG(open != state.open.end(), "return without invoke: %s", op.request_id.c_str());
  const int64_t id = open->second;
  state.open.erase(open);
  builder_.MutableOperation(id)->set_node(node);
  switch (op.outcome) {
    case harness::ClientOperation::Outcome::kOk: {
      auto result = cluster::RegisterStateMachine::DecodeResult(op.result);
      history::Operation* h = builder_.MutableOperation(id);
      const std::string key = h->key();
      if (!result.ok()) {
        builder_.Unknown(id, "undecodable result");
        break;
      }
      if (command.has_read()) {
        *h->mutable_result() = ValueOrAbsent(result->value(), result->found());
        state.last_seen[key] = result->found() ? result->value() : "";
      } else if (command.has_cas()) {
        h->set_successful(result->ok());
        if (result->ok()) state.last_seen[key] = command.cas().new_value();
      } else {
        state.last_seen[key] = command.write().value();
      }
      builder_.Ok(id, now_ns);
      break;
    }
    case harness::ClientOperation::Outcome::kFail:
      builder_.Fail(id, now_ns, op.reason);
      break;
    default:
      builder_.Unknown(id, op.reason);
      break;
  }
  ++completed_;
  if (listener_) listener_();
}

history::History ClientRecorder::Finish(const std::string& source) && {
  return std::move(builder_).Finish(source);
}

}  // namespace ravensim::tools
