// ClientRecorder: the runner's side of the clients. It builds the hosted
// harness::ClusterClient nodes with the scenario's register workload (weighted reads,
// writes and compare-and-sets over `keys` registers, unique written values), and turns
// every operation they report (invoke, then return with an outcome) into the history,
// in the checkers' format (checkers/history), stamped with true simulated time.
//
// Written values are "<client>.<sequence>", unique across the run, which keeps the
// linearizability search cheap. A compare-and-set expects the value the client last saw
// for that key (absent if none), so some succeed and some fail, as real clients do.
//
// Ownership: one per run, owned by the runner; `now` reads the World's true time and
// must stay valid. Thread-compatible (the simulation thread).
#ifndef RAVENSIM_TOOLS_SCENARIO_RUNNER_CLIENTS_H_
#define RAVENSIM_TOOLS_SCENARIO_RUNNER_CLIENTS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checkers/history/history.h"
#include "scenarios/scenario.pb.h"
#include "sim/harness/cluster_client.h"
#include "sim/harness/node.h"
#include "sim/time.h"

namespace ravensim::tools {

class ClientRecorder {
 public:
  ClientRecorder(const scenarios::Scenario& scenario, int32_t cluster_nodes,
                 std::function<sim::SimTime()> now);

  // The client for world node `id` (REQUIRES: id >= cluster_nodes).
  std::unique_ptr<harness::Node> MakeClient(sim::NodeId id);
  // Operations completed so far (ok, fail or unknown).
  int64_t completed() const { return completed_; }
  // Called after each completed operation (triggers "after N operations").
  void SetCompletionListener(std::function<void()> listener) { listener_ = std::move(listener); }

  history::History Finish(const std::string& source) &&;

 private:
  struct ClientState {
    std::map<std::string, std::string> last_seen;  // key -> value ("" = absent)
    std::map<std::string, int64_t> open;            // request id -> history op id
  };
  std::string NextCommand(int32_t client, sim::Prng& prng, int64_t sequence);
  void OnOperation(int32_t client, const harness::ClientOperation& op);

  const scenarios::Scenario& s_;
  int32_t cluster_nodes_;
  std::function<sim::SimTime()> now_;
  history::HistoryBuilder builder_;
  std::vector<ClientState> clients_;
  int64_t completed_ = 0;
  std::function<void()> listener_;
};

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_RUNNER_CLIENTS_H_
