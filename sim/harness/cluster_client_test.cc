// ClusterClient driven directly (no World): requests, failover, outcomes.
#include "sim/harness/cluster_client.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::harness {
namespace {

constexpr int64_t kMs = 1'000'000;

// Options of a client `name` of the cluster nodes 0, 1 and 2 that starts each operation
// as soon as it may (no think time).
ClusterClientOptions ClientOf3(std::string name) {
  ClusterClientOptions options;
  options.name = std::move(name);
  options.cluster_nodes = {0, 1, 2};
  options.think_time_mean_ns = 0;
  return options;
}

// Starts `client` as node 3 in incarnation `incarnation`; returns its context.
Context StartAsNode3(ClusterClient& client, uint64_t incarnation = 1) {
  Context context;
  context.self = 3;
  context.incarnation = incarnation;
  Effects effects;
  client.Start(context, sim::DiskImage(), 7, &effects);
  return context;
}

class ClientFixture {
 public:
  ClientFixture() {
    ClusterClientOptions options = ClientOf3("c");
    options.attempt_timeout_ns = 100 * kMs;
    options.operation_timeout_ns = 1000 * kMs;
    options.retry_backoff_ns = 10 * kMs;
    options.on_operation = [this](const ClientOperation& op) { ops.push_back(op); };
    client = std::make_unique<ClusterClient>(options);
    context = StartAsNode3(*client);
  }
  // Starts an explicit command; returns the request sent.
  ClientRequest StartCommand(const std::string& command) {
    client->Enqueue(command);
    Effects effects;
    client->OnTimer(context, ClusterClient::kNextOperationTimer, &effects);
    return LastRequest(effects);
  }
  ClientRequest LastRequest(const Effects& effects) {
    EXPECT_FALSE(effects.messages.empty());
    last_to = effects.messages.back().to;
    RachisWire wire;
    const std::string bytes = effects.messages.back().message.Bytes();
    // The size the message is charged is the size of its encoding.
    EXPECT_EQ(effects.messages.back().message.size(), bytes.size());
    EXPECT_TRUE(wire.ParseFromString(bytes));
    return wire.client_request();
  }
  void Answer(NodeId from, const std::string& request_id, rachis::CommandOutcome outcome,
              uint64_t index = 0) {
    RachisWire wire;
    wire.mutable_client_response()->set_request_id(request_id);
    wire.mutable_client_response()->set_outcome(outcome);
    wire.mutable_client_response()->set_index(index);
    wire.mutable_client_response()->set_result("r");
    Effects effects;
    client->OnMessage(context, from, wire.SerializeAsString(), &effects);
    last_effects = effects;
  }
  void Advance(int64_t ns) { context.monotonic_now = context.monotonic_now + SimDuration::Nanos(ns); }

  std::unique_ptr<ClusterClient> client;
  Context context;
  std::vector<ClientOperation> ops;
  NodeId last_to = sim::kNoNode;
  Effects last_effects;
};

TEST(ClusterClientTest, CommittedAnswerEndsOk) {
  ClientFixture f;
  ClientRequest request = f.StartCommand("cmd");
  EXPECT_EQ(request.request_id(), "c-0");
  EXPECT_EQ(request.command(), "cmd");
  EXPECT_EQ(f.last_to, 0);
  ASSERT_EQ(f.ops.size(), 1u);
  EXPECT_EQ(f.ops[0].phase, ClientOperation::Phase::kInvoke);
  f.Answer(0, "c-0", rachis::COMMAND_OUTCOME_COMMITTED, 42);
  ASSERT_EQ(f.ops.size(), 2u);
  EXPECT_EQ(f.ops[1].outcome, ClientOperation::Outcome::kOk);
  EXPECT_EQ(f.ops[1].index, 42u);
  EXPECT_EQ(f.ops[1].result, "r");
  EXPECT_FALSE(f.client->busy());
}

TEST(ClusterClientTest, ObservationsNameTheRequestTheOutcomeAndTheNode) {
  ClientFixture f;
  f.client->Enqueue("cmd");
  Effects effects;
  f.client->OnTimer(f.context, ClusterClient::kNextOperationTimer, &effects);
  ASSERT_EQ(effects.observations.size(), 1u);
  EXPECT_EQ(effects.observations[0].kind, "client.invoke");
  EXPECT_EQ(effects.observations[0].value, 0);
  EXPECT_EQ(effects.observations[0].detail, "c-0  node=-1");  // No node contacted yet.
  f.Answer(2, "c-0", rachis::COMMAND_OUTCOME_COMMITTED, 1234);
  ASSERT_EQ(f.last_effects.observations.size(), 1u);
  EXPECT_EQ(f.last_effects.observations[0].kind, "client.return");
  EXPECT_EQ(f.last_effects.observations[0].value, 1234);
  EXPECT_EQ(f.last_effects.observations[0].detail, "c-0 ok node=2");
}

TEST(ClusterClientTest, ClientRequestWireSizeIsTheEncodedSize) {
  for (size_t id_length : {0, 1, 20, 126, 127, 128, 200, 16383, 16384, 70000}) {
    for (size_t command_length : {0, 1, 5, 120, 127, 128, 300, 16380, 16384, 2100000}) {
      RachisWire wire;
      wire.mutable_client_request()->set_request_id(std::string(id_length, 'i'));
      wire.mutable_client_request()->set_command(std::string(command_length, 'c'));
      EXPECT_EQ(ClientRequestWireSize(wire.client_request()), wire.ByteSizeLong())
          << id_length << " " << command_length;
      EXPECT_EQ(ClientRequestWireSize(wire.client_request()),
                wire.SerializeAsString().size());
    }
  }
}

TEST(ClusterClientTest, SentRequestsAreSizedAsTheirEncoding) {
  for (size_t length : {1, 90, 130, 20000}) {
    ClusterClient client(ClientOf3(std::string(length, 'n')));
    const Context context = StartAsNode3(client);
    Effects effects;
    client.Enqueue(std::string(length * 3, 'x'));
    effects = Effects();
    client.OnTimer(context, ClusterClient::kNextOperationTimer, &effects);
    ASSERT_EQ(effects.messages.size(), 1u);
    const sim::Message& message = effects.messages[0].message;
    ASSERT_NE(message.body(), nullptr);
    const std::string bytes = message.Bytes();
    EXPECT_EQ(message.size(), bytes.size());
    RachisWire wire;
    ASSERT_TRUE(wire.ParseFromString(bytes));
    EXPECT_EQ(wire.client_request().request_id(), std::string(length, 'n') + "-0");
    EXPECT_EQ(wire.client_request().command(), std::string(length * 3, 'x'));
  }
}

TEST(ClusterClientTest, RequestsStillHeldKeepTheirBytesAndDroppedOnesAreNotReread) {
  // A request's body is reused only once nothing else holds it: every message kept here
  // must still read as the request it was sent as.
  ClusterClientOptions options = ClientOf3("c");
  options.attempt_timeout_ns = 100 * kMs;
  options.retry_backoff_ns = 10 * kMs;
  ClusterClient client(options);
  const Context context = StartAsNode3(client);
  Effects effects;
  std::vector<std::pair<sim::Message, std::string>> held;  // message, its bytes when sent
  auto keep_sent = [&](const Effects& e) {
    for (const OutgoingMessage& m : e.messages) held.emplace_back(m.message, m.message.Bytes());
  };
  for (int op = 0; op < 4; ++op) {
    client.Enqueue(std::string(static_cast<size_t>(op) * 40 + 1, static_cast<char>('a' + op)));
    effects = Effects();
    client.OnTimer(context, ClusterClient::kNextOperationTimer, &effects);
    if (op % 2 == 0) keep_sent(effects);  // held (in flight)
    // A failover and retry: a second attempt of the same request.
    effects = Effects();
    client.OnTimer(context, ClusterClient::kAttemptTimer, &effects);
    effects = Effects();
    client.OnTimer(context, ClusterClient::kRetryTimer, &effects);
    ASSERT_EQ(effects.messages.size(), 1u);
    RachisWire wire;
    ASSERT_TRUE(wire.ParseFromString(effects.messages[0].message.Bytes()));
    EXPECT_EQ(wire.client_request().request_id(), "c-" + std::to_string(op));
    EXPECT_EQ(wire.client_request().command(),
              std::string(static_cast<size_t>(op) * 40 + 1, static_cast<char>('a' + op)));
    EXPECT_EQ(effects.messages[0].message.size(), effects.messages[0].message.Bytes().size());
    if (op % 3 == 0) keep_sent(effects);
    RachisWire answer;
    answer.mutable_client_response()->set_request_id("c-" + std::to_string(op));
    answer.mutable_client_response()->set_outcome(rachis::COMMAND_OUTCOME_COMMITTED);
    answer.mutable_client_response()->set_index(static_cast<uint64_t>(op) + 1);
    effects = Effects();
    client.OnMessage(context, 0, answer.SerializeAsString(), &effects);
    EXPECT_FALSE(client.busy());
  }
  ASSERT_EQ(held.size(), 4u);
  for (const auto& [message, bytes] : held) {
    EXPECT_EQ(message.Bytes(), bytes);
    EXPECT_EQ(message.size(), bytes.size());
  }
}

TEST(ClusterClientTest, ReusedRequestsCarryExactlyTheNextIdAndCommand) {
  // A dropped request's body is overwritten in place by the next one: shorter, equal,
  // longer and empty commands, and request ids growing a digit, must each read exactly.
  ClusterClient client(ClientOf3("c"));
  const Context context = StartAsNode3(client);
  Effects effects;
  const std::vector<size_t> lengths = {30, 5, 5, 0, 12, 3, 50, 1, 16, 15, 2, 40};
  for (size_t op = 0; op < lengths.size(); ++op) {
    const std::string command(lengths[op], static_cast<char>('a' + op));
    client.Enqueue(command);
    effects = Effects();
    client.OnTimer(context, ClusterClient::kNextOperationTimer, &effects);
    ASSERT_EQ(effects.messages.size(), 1u);
    RachisWire wire;
    ASSERT_TRUE(wire.ParseFromString(effects.messages[0].message.Bytes()));
    EXPECT_EQ(wire.client_request().request_id(), "c-" + std::to_string(op));
    EXPECT_EQ(wire.client_request().command(), command);
    EXPECT_EQ(effects.messages[0].message.size(), effects.messages[0].message.Bytes().size());
    effects = Effects();  // the request dropped: its body is reused next
    RachisWire answer;
    answer.mutable_client_response()->set_request_id("c-" + std::to_string(op));
    answer.mutable_client_response()->set_outcome(rachis::COMMAND_OUTCOME_COMMITTED);
    answer.mutable_client_response()->set_index(op + 1);
    client.OnMessage(context, 0, answer.SerializeAsString(), &effects);
    EXPECT_FALSE(client.busy());
  }
}

TEST(ClusterClientTest, LongNamesMakeLongRequestIdsAndObservations) {
  for (size_t length : {59, 60, 61, 62, 90, 100, 110, 120, 200}) {
    const std::string name(length, 'n');
    ClusterClient client(ClientOf3(name));
    // A restarted client: "<name>.2-<sequence>".
    const Context context = StartAsNode3(client, 2);
    Effects effects;
    client.Enqueue("cmd");
    for (int i = 0; i < 12; ++i) {
      effects = Effects();
      client.OnTimer(context, ClusterClient::kNextOperationTimer, &effects);
      if (!effects.observations.empty()) break;
    }
    ASSERT_EQ(effects.observations.size(), 1u);
    EXPECT_EQ(effects.observations[0].detail, name + ".2-0  node=-1");
    RachisWire wire;
    ASSERT_TRUE(wire.ParseFromString(effects.messages.back().message.Bytes()));
    EXPECT_EQ(wire.client_request().request_id(), name + ".2-0");
    RachisWire answer;
    answer.mutable_client_response()->set_request_id(name + ".2-0");
    answer.mutable_client_response()->set_outcome(rachis::COMMAND_OUTCOME_REJECTED);
    effects = Effects();
    client.OnMessage(context, 0, answer.SerializeAsString(), &effects);
    effects = Effects();
    client.OnTimer(context, ClusterClient::kOperationTimer, &effects);
    ASSERT_EQ(effects.observations.size(), 1u);
    EXPECT_EQ(effects.observations[0].detail, name + ".2-0 fail node=0");
  }
}

TEST(ClusterClientTest, RejectionsFailOverAndAllRejectedIsFail) {
  ClientFixture f;
  f.StartCommand("cmd");
  f.Answer(0, "c-0", rachis::COMMAND_OUTCOME_REJECTED);
  Effects retry;
  f.client->OnTimer(f.context, ClusterClient::kRetryTimer, &retry);
  ClientRequest again = f.LastRequest(retry);
  EXPECT_EQ(again.request_id(), "c-0");  // the same request id on every attempt
  EXPECT_EQ(f.last_to, 1);
  f.Answer(1, "c-0", rachis::COMMAND_OUTCOME_REJECTED);
  Effects timeout;
  f.client->OnTimer(f.context, ClusterClient::kOperationTimer, &timeout);
  ASSERT_EQ(f.ops.size(), 2u);
  EXPECT_EQ(f.ops[1].outcome, ClientOperation::Outcome::kFail);
}

TEST(ClusterClientTest, UnansweredAttemptMakesTheOutcomeUnknown) {
  ClientFixture f;
  f.StartCommand("cmd");
  Effects attempt;
  f.client->OnTimer(f.context, ClusterClient::kAttemptTimer, &attempt);  // no answer
  Effects retry;
  f.client->OnTimer(f.context, ClusterClient::kRetryTimer, &retry);
  f.Answer(1, "c-0", rachis::COMMAND_OUTCOME_REJECTED);
  Effects timeout;
  f.client->OnTimer(f.context, ClusterClient::kOperationTimer, &timeout);
  ASSERT_EQ(f.ops.size(), 2u);
  EXPECT_EQ(f.ops[1].outcome, ClientOperation::Outcome::kUnknown);
}

TEST(ClusterClientTest, LateCommitOfTheSameRequestStillCountsAndStaleIdsAreIgnored) {
  ClientFixture f;
  f.StartCommand("cmd");
  Effects disconnected;
  f.client->OnPeerDisconnected(f.context, 0, &disconnected);
  f.Answer(2, "other-9", rachis::COMMAND_OUTCOME_COMMITTED, 1);  // not ours
  EXPECT_TRUE(f.client->busy());
  f.Answer(0, "c-0", rachis::COMMAND_OUTCOME_COMMITTED, 5);  // the first attempt made it
  ASSERT_EQ(f.ops.size(), 2u);
  EXPECT_EQ(f.ops[1].outcome, ClientOperation::Outcome::kOk);
  EXPECT_EQ(f.ops[1].index, 5u);
}

TEST(ClusterClientTest, InactiveClientStartsNothingAndGarbageIsIgnored) {
  ClientFixture f;
  f.client->SetActive(false);
  Effects effects;
  f.client->OnTimer(f.context, ClusterClient::kNextOperationTimer, &effects);
  EXPECT_TRUE(effects.messages.empty());
  EXPECT_FALSE(f.client->busy());
  f.client->OnMessage(f.context, 0, "\xff\xff garbage", &effects);
  EXPECT_TRUE(f.ops.empty());
}

TEST(ClusterClientTest, RegisterWorkloadIsDeterministic) {
  auto workload = ClusterClient::RegisterWorkload(3);
  sim::Prng a(9), b(9);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(workload(a, i), workload(b, i));
}

}  // namespace
}  // namespace ravensim::harness
