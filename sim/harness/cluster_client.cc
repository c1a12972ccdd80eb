#include "sim/harness/cluster_client.h"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/bytes.h"
#include "core/base/check.h"
#include "core/base/varint.h"
#include "core/cluster/register_state_machine.h"
#include "sim/harness/rachis_wire.h"

namespace ravensim::harness {

const char* ClientOutcomeName(ClientOperation::Outcome outcome) {
  switch (outcome) {
    case ClientOperation::Outcome::kPending: return "pending";
    case ClientOperation::Outcome::kOk: return "ok";
    case ClientOperation::Outcome::kFail: return "fail";
    case ClientOperation::Outcome::kUnknown: return "unknown";
  }
  return "?";
}

size_t ClientRequestWireSize(const ClientRequest& request) {
  // proto3: empty bytes fields are not written; the oneof's message always is.
  return DelimitedFieldSize(BytesFieldSize(request.request_id()) +
                            BytesFieldSize(request.command()));
}

ClusterClient::ClusterClient(ClusterClientOptions options) : options_(std::move(options)) {
  CHECK(!options_.cluster_nodes.empty());
  CHECK_GT(options_.max_attempts, 0);
}

std::function<std::string(sim::Prng&, int64_t)> ClusterClient::RegisterWorkload(int keys) {
  CHECK_GT(keys, 0);
  // Keys "k<n>" and values "v<n>" are written into stack buffers (no intermediate
  // strings); the Prng is drawn in the same order as ever: key, kind, then CAS's expected.
  return [keys](sim::Prng& prng, int64_t sequence) {
    auto numbered = [](char* buffer, char prefix, auto n) {
      buffer[0] = prefix;
      const std::to_chars_result end = std::to_chars(buffer + 1, buffer + 24, n);
      return std::string_view(buffer, static_cast<size_t>(end.ptr - buffer));
    };
    char key_buffer[24];
    const std::string_view key =
        numbered(key_buffer, 'k', prng.UniformBelow(static_cast<uint64_t>(keys)));
    const uint64_t kind = prng.UniformBelow(10);
    char value_buffer[24];
    const std::string_view value = numbered(value_buffer, 'v', sequence);
    if (kind < 5) return cluster::RegisterStateMachine::EncodeWrite(key, value);
    if (kind < 8) return cluster::RegisterStateMachine::EncodeRead(key);
    char expected_buffer[24];
    const std::string_view expected = numbered(
        expected_buffer, 'v', prng.UniformBelow(static_cast<uint64_t>(sequence) + 1));
    return cluster::RegisterStateMachine::EncodeCas(key, expected, value);
  };
}

void ClusterClient::Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
                          Effects* effects) {
  prng_.emplace(seed);
  self_ = context.self;
  name_ = context.incarnation <= 1 ? options_.name
                                   : absl::StrCat(options_.name, ".", context.incarnation);
  current_.reset();
  ScheduleNext(context, effects, 0);
}

void ClusterClient::ScheduleNext(const Context& context, Effects* effects, int64_t delay_ns) {
  effects->SetTimer(kNextOperationTimer, context.monotonic_now + SimDuration::Nanos(delay_ns));
}

void ClusterClient::StartOperation(const Context& context, Effects* effects) {
  if (current_.has_value()) return;
  const bool limit_reached =
      options_.max_operations >= 0 && sequence_ >= options_.max_operations;
  std::string command;
  if (!queue_.empty()) {
    command = std::move(queue_.front());
    queue_.pop_front();
  } else if (options_.active && !limit_reached && options_.next_command) {
    command = options_.next_command(*prng_, sequence_);
  } else {
    // Idle: look again later (Enqueue / SetActive may change that).
    ScheduleNext(context, effects, std::max<int64_t>(options_.think_time_mean_ns, 1'000'000));
    return;
  }
  Current& current = current_.emplace();
  current.op.phase = ClientOperation::Phase::kInvoke;
  current.op.client = self_;
  // "<name>-<sequence>", written straight into the operation.
  char sequence_buffer[24];
  const std::to_chars_result sequence_end =
      std::to_chars(sequence_buffer, sequence_buffer + sizeof(sequence_buffer), sequence_++);
  std::string& request_id = current.op.request_id;
  const size_t sequence_size = static_cast<size_t>(sequence_end.ptr - sequence_buffer);
  char id_buffer[64];
  if (name_.size() + 1 + sequence_size <= sizeof(id_buffer)) {
    // Composed on the stack and appended once (a short id stays in the string's own
    // buffer). (append(first, last) would take the general replace path.)
    char* p = std::copy(name_.begin(), name_.end(), id_buffer);
    *p++ = '-';
    p = std::copy(sequence_buffer, sequence_end.ptr, p);
    request_id.append(id_buffer, static_cast<size_t>(p - id_buffer));
  } else {
    request_id.reserve(name_.size() + 1 + sequence_size);
    request_id.append(name_);
    request_id.push_back('-');
    request_id.append(sequence_buffer, sequence_size);
  }
  current.op.command = std::move(command);
  current.op.local_time_ns = context.monotonic_now.nanos();
  current.target_index =
      options_.preferred_index % static_cast<int>(options_.cluster_nodes.size());
  Report(current.op, effects);
  effects->SetTimer(kOperationTimer,
                    context.monotonic_now + SimDuration::Nanos(options_.operation_timeout_ns));
  SendAttempt(context, effects);
}

void ClusterClient::SendAttempt(const Context& context, Effects* effects) {
  ClientOperation& op = current_->op;
  op.node = options_.cluster_nodes[current_->target_index];
  ++op.attempts;
  // The request is filled straight into the body it travels in (no RachisWire moved
  // into a new one), and sized without protobuf's generic walk. The previous request's
  // body is reused once nothing else holds it (delivered and dropped): its message and
  // strings are overwritten in place, nothing allocated.
  if (request_body_ == nullptr || request_body_.use_count() != 1) {
    request_body_ = std::make_shared<RachisWireBody>();
  }
  ClientRequest* request = request_body_->mutable_wire()->mutable_client_request();
  // Overwritten in place: the reused request's id and command are mostly as long.
  AssignBytes(request->mutable_request_id(), op.request_id);
  AssignBytes(request->mutable_command(), op.command);
  const size_t size = ClientRequestWireSize(*request);
  effects->Send(op.node, sim::Message(request_body_, size));
  // Once sent, the command may reach the log even if we never hear back.
  ++current_->unresolved_attempts;
  effects->SetTimer(kAttemptTimer,
                    context.monotonic_now + SimDuration::Nanos(options_.attempt_timeout_ns));
}

void ClusterClient::FailOver(const Context& context, Effects* effects,
                             const std::string& reason) {
  current_->op.reason = reason;
  effects->CancelTimer(kAttemptTimer);
  if (current_->op.attempts >= options_.max_attempts) {
    Finish(context, effects, ClientOperation::Outcome::kUnknown, "attempts exhausted");
    return;
  }
  current_->target_index =
      (current_->target_index + 1) % static_cast<int>(options_.cluster_nodes.size());
  effects->SetTimer(kRetryTimer,
                    context.monotonic_now + SimDuration::Nanos(options_.retry_backoff_ns));
}

void ClusterClient::Finish(const Context& context, Effects* effects,
                           ClientOperation::Outcome outcome, const std::string& reason) {
  // Reported from where it is (not moved out first), and dropped after the report.
  ClientOperation& op = current_->op;
  const bool maybe = current_->unresolved_attempts > 0;
  // Every attempt was definitely rejected: the command never reached any log.
  if (outcome == ClientOperation::Outcome::kUnknown && !maybe) {
    outcome = ClientOperation::Outcome::kFail;
  }
  op.phase = ClientOperation::Phase::kReturn;
  op.outcome = outcome;
  if (!reason.empty()) op.reason = reason;
  op.local_time_ns = context.monotonic_now.nanos();
  ++completed_;
  effects->CancelTimer(kAttemptTimer);
  effects->CancelTimer(kOperationTimer);
  effects->CancelTimer(kRetryTimer);
  Report(op, effects);
  current_.reset();
  const int64_t think = options_.think_time_mean_ns > 0
                            ? prng_->Exponential(options_.think_time_mean_ns)
                            : 0;
  ScheduleNext(context, effects, think);
}

void ClusterClient::Report(ClientOperation& op, Effects* effects) {
  const bool invoke = op.phase == ClientOperation::Phase::kInvoke;
  // "<request id> <outcome> node=<node>", written on the stack, then made a string in
  // one allocation and copy.
  const std::string_view outcome = invoke ? "" : ClientOutcomeName(op.outcome);
  constexpr std::string_view kNode = " node=";
  char buffer[128];
  const bool fits =
      op.request_id.size() + 1 + outcome.size() + kNode.size() + 12 <= sizeof(buffer);
  char* p = buffer;
  if (fits) {
    p = std::copy(op.request_id.begin(), op.request_id.end(), p);
    *p++ = ' ';
    p = std::copy(outcome.begin(), outcome.end(), p);
    p = std::copy(kNode.begin(), kNode.end(), p);
    p = std::to_chars(p, buffer + sizeof(buffer), op.node).ptr;
  }
  std::string detail = fits ? std::string(buffer, static_cast<size_t>(p - buffer))
                            : op.request_id + " " + std::string(outcome) +
                                  std::string(kNode) + std::to_string(op.node);
  // Added as Effects::Observe would, without the temporaries. (Both kinds are 13 bytes:
  // built without a length check or the general assign path.)
  effects->observations.emplace_back(
      invoke ? std::string("client.invoke", 13) : std::string("client.return", 13),
      static_cast<int64_t>(op.index), std::move(detail));
  if (options_.on_operation) options_.on_operation(op);
}

void ClusterClient::OnMessage(const Context& context, NodeId from, std::string_view bytes,
                              Effects* effects) {
  RachisWire wire;
  if (!wire.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  HandleWire(context, from, wire, effects);
}

void ClusterClient::OnMessageBody(const Context& context, NodeId from,
                                  const sim::MessageBody& body, Effects* effects) {
  const RachisWire* wire = RachisWireOf(body);
  if (wire == nullptr) {
    OnMessage(context, from, body.Encode(), effects);
    return;
  }
  HandleWire(context, from, *wire, effects);
}

void ClusterClient::HandleWire(const Context& context, NodeId from, const RachisWire& wire,
                               Effects* effects) {
  if (!wire.has_client_response()) return;
  const ClientResponse& response = wire.client_response();
  if (!current_.has_value() || response.request_id() != current_->op.request_id) return;
  switch (response.outcome()) {
    case rachis::COMMAND_OUTCOME_COMMITTED:
      current_->op.index = response.index();
      current_->op.result = response.result();
      current_->op.node = from;
      Finish(context, effects, ClientOperation::Outcome::kOk, "");
      return;
    case rachis::COMMAND_OUTCOME_REJECTED:
      // Definitely not appended by this attempt; earlier attempts may still apply it.
      if (from != current_->op.node) return;  // a late answer to an older attempt
      --current_->unresolved_attempts;
      FailOver(context, effects, absl::StrCat("rejected: ", response.reason()));
      return;
    default:
      if (from != current_->op.node) return;
      FailOver(context, effects, absl::StrCat("unknown: ", response.reason()));
      return;
  }
}

void ClusterClient::OnTimer(const Context& context, uint64_t tag, Effects* effects) {
  switch (tag) {
    case kNextOperationTimer:
      StartOperation(context, effects);
      return;
    case kAttemptTimer:
      if (current_.has_value()) FailOver(context, effects, "attempt timed out");
      return;
    case kRetryTimer:
      if (current_.has_value()) SendAttempt(context, effects);
      return;
    case kOperationTimer:
      if (current_.has_value()) {
        Finish(context, effects, ClientOperation::Outcome::kUnknown, "operation timed out");
      }
      return;
    default:
      return;
  }
}

void ClusterClient::OnPeerDisconnected(const Context& context, NodeId peer,
                                       Effects* effects) {
  if (!current_.has_value() || peer != current_->op.node) return;
  FailOver(context, effects, "connection lost");
}

}  // namespace ravensim::harness
