// ClusterClient: a hosted client node (harness::Node) that submits commands to the
// Rachis cluster over the simulated network and reports every operation's invoke,
// return and outcome — the raw material of a history (DESIGN.md §5).
//
// Behaviour, modelled on RavenDB's request executor for cluster commands
// (RAVENDB_MODEL.md §1.4, §5):
//  * One operation outstanding at a time (a Jepsen-style process). Each operation gets a
//    unique request id ("<name>-<seq>") that every retry reuses, so the cluster applies
//    it at most once (LogHistory de-duplication).
//  * The first attempt goes to the preferred node; on an attempt timeout, a broken
//    connection, a "rejected" (NotLeading/no leader) or an "unknown" answer, the client
//    fails over to the next cluster node (round robin) after `retry_backoff_ns`.
//  * Outcomes: kOk with the Rachis index and result once any attempt answers committed;
//    at `operation_timeout_ns` (or after max_attempts): kFail if every attempt was
//    definitely rejected (the command was never appended anywhere), else kUnknown (it
//    may still commit later).
//  * Workload: commands come from `next_command` (called with the client's Prng and the
//    operation's sequence number), one after another with an exponential think time;
//    Enqueue() adds explicit commands that run first. SetActive(false) stops starting
//    new operations (the one in flight finishes).
//
// Construction:
//   ClusterClientOptions options{.name = "c0", .cluster_nodes = {0, 1, 2, 3, 4}};
//   options.on_operation = [&](ClientOperation& op) { ... world.now() ... };
//   auto client = std::make_unique<ClusterClient>(options);
// The callback runs inside the client's node callback, so a runner may read the World's
// true time there. Clients are not expected to crash; a restarted client starts over
// with new request ids (its name gets the incarnation appended).
//
// Thread-compatible.
#ifndef RAVENSIM_SIM_HARNESS_CLUSTER_CLIENT_H_
#define RAVENSIM_SIM_HARNESS_CLUSTER_CLIENT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/harness/node.h"
#include "sim/harness/rachis_wire.h"
#include "sim/harness/rachis_wire.pb.h"
#include "sim/prng.h"

namespace ravensim::harness {

struct ClientOperation {
  enum class Phase { kInvoke, kReturn };
  enum class Outcome { kPending, kOk, kFail, kUnknown };
  Phase phase = Phase::kInvoke;
  Outcome outcome = Outcome::kPending;  // kPending at invoke
  NodeId client = sim::kNoNode;
  std::string request_id;
  std::string command;
  NodeId node = sim::kNoNode;  // last node contacted
  int attempts = 0;
  uint64_t index = 0;          // kOk: the Rachis index that applied it
  std::string result;          // kOk: the state machine's result
  std::string reason;          // kFail / kUnknown: why
  int64_t local_time_ns = 0;   // the client's monotonic clock
};

const char* ClientOutcomeName(ClientOperation::Outcome outcome);

// RachisWire{client_request = request}.ByteSizeLong(), computed from the two fields'
// lengths (the request has no unknown fields).
size_t ClientRequestWireSize(const ClientRequest& request);

struct ClusterClientOptions {
  std::string name = "client";
  std::vector<NodeId> cluster_nodes;  // REQUIRED, non-empty
  int preferred_index = 0;            // first node tried (index into cluster_nodes)
  int64_t attempt_timeout_ns = 1'000'000'000;
  int64_t operation_timeout_ns = 20'000'000'000;
  int64_t retry_backoff_ns = 50'000'000;
  int max_attempts = 64;
  int64_t think_time_mean_ns = 10'000'000;
  int64_t max_operations = -1;  // -1: unbounded
  bool active = true;
  // Next command of the built-in workload; empty function: only Enqueue()d commands.
  std::function<std::string(sim::Prng& prng, int64_t sequence)> next_command;
  // Called with the client's own record of the operation. At an invoke it is the
  // operation in flight: read it only. At a return the client is done with it (it is
  // destroyed after the call; until then the client is still busy()), so the callback
  // may move its fields out instead of copying them; a callback taking
  // `const ClientOperation&` works as before.
  std::function<void(ClientOperation&)> on_operation;
};

class ClusterClient : public Node {
 public:
  static constexpr uint64_t kNextOperationTimer = 1;
  static constexpr uint64_t kAttemptTimer = 2;
  static constexpr uint64_t kOperationTimer = 3;
  static constexpr uint64_t kRetryTimer = 4;

  explicit ClusterClient(ClusterClientOptions options);

  void Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
             Effects* effects) override;
  void OnMessage(const Context& context, NodeId from, std::string_view bytes,
                 Effects* effects) override;
  void OnMessageBody(const Context& context, NodeId from, const sim::MessageBody& body,
                     Effects* effects) override;
  void OnTimer(const Context& context, uint64_t tag, Effects* effects) override;
  void OnPersisted(const Context& context, uint64_t persist_id, const absl::Status& status,
                   Effects* effects) override {}
  void OnPeerDisconnected(const Context& context, NodeId peer, Effects* effects) override;

  // Commands to run before the workload's (picked up at the next operation start).
  void Enqueue(std::string command) { queue_.push_back(std::move(command)); }
  // Starts or stops new operations (takes effect at the next operation start; stopping
  // does not cancel the operation in flight). Reactivation needs a timer: the client
  // polls every `think_time_mean_ns` while inactive.
  void SetActive(bool active) { options_.active = active; }
  bool busy() const { return current_.has_value(); }
  int64_t completed() const { return completed_; }

  // Canonical register workload: writes, reads and compare-and-sets over `keys` keys.
  static std::function<std::string(sim::Prng&, int64_t)> RegisterWorkload(int keys);

 private:
  struct Current {
    ClientOperation op;
    int target_index = 0;
    // Attempts sent and not definitely rejected: each may have reached the log.
    int unresolved_attempts = 0;
  };
  void ScheduleNext(const Context& context, Effects* effects, int64_t delay_ns);
  void StartOperation(const Context& context, Effects* effects);
  void SendAttempt(const Context& context, Effects* effects);
  void HandleWire(const Context& context, NodeId from, const RachisWire& wire,
                  Effects* effects);
  void FailOver(const Context& context, Effects* effects, const std::string& reason);
  void Finish(const Context& context, Effects* effects, ClientOperation::Outcome outcome,
              const std::string& reason);
  // Adds the operation's observation and hands it to on_operation (which may move a
  // return's fields out, see there).
  void Report(ClientOperation& op, Effects* effects);

  ClusterClientOptions options_;
  std::optional<sim::Prng> prng_;
  NodeId self_ = sim::kNoNode;
  std::string name_;
  int64_t sequence_ = 0;
  int64_t completed_ = 0;
  std::deque<std::string> queue_;
  std::optional<Current> current_;
  // The body of the last request sent, reused for the next one when the client holds
  // the only reference left (see SendAttempt).
  std::shared_ptr<RachisWireBody> request_body_;
};

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_CLUSTER_CLIENT_H_
