// World::Impl: calling nodes and carrying out their Effects (timers, the disk queue
// with persist-before-send, observations), and delivering what a paused node missed.
#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "sim/harness/world_impl.h"

namespace ravensim::harness {
namespace {

constexpr sim::TraceKind kTimerFire("timer.fire");
constexpr sim::TraceKind kDiskWrite("disk.write");
constexpr sim::TraceKind kDiskSync("disk.sync");
constexpr sim::TraceKind kDiskFail("disk.fail");
constexpr sim::TraceKind kPersisted("node.persisted");
constexpr sim::TraceKind kCommand("node.command");
constexpr sim::TracePrefix kObservation("obs.");

inline std::string_view StatusText(const absl::Status& status) {
  return std::string_view(status.message().data(), status.message().size());
}

}  // namespace

World::Impl::Impl(World* world)
    : world_(world),
      backoff_prng_(world->root_prng_.Fork(sim::StreamId::kProcess)) {
  const int32_t n = world_->options_.node_count;
  nodes_.resize(static_cast<size_t>(n));
  const sim::Prng disk_root = world_->root_prng_.Fork(sim::StreamId::kDisk);
  for (NodeId node = 0; node < n; ++node) {
    NodeRuntime& rt = nodes_[node];
    rt.disk = std::make_unique<sim::Disk>(world_->options_.disk,
                                          disk_root.Fork(static_cast<uint64_t>(node)));
    if (static_cast<size_t>(node) < world_->options_.clocks.size()) {
      rt.clock = sim::Clock(world_->options_.clocks[node]);
    }
    rt.outgoing.resize(static_cast<size_t>(n));
    for (Outgoing& o : rt.outgoing) o.backoff = world_->options_.reconnect_backoff_min;
  }
}

// ---- Calls into the node ----------------------------------------------------------------

// Each call fills an Effects taken from a pool, so that its vectors keep their capacity
// from one call to the next. Calls can nest (a delivery that overflows a paused inbox
// breaks the connection, which tells the node at once), hence a pool, not one object.
template <typename Fn>
__attribute__((always_inline)) inline void World::Impl::CallNode(NodeId node, Fn&& call) {
  if (effects_depth_ == effects_pool_.size()) {
    effects_pool_.push_back(std::make_unique<Effects>());
  }
  Effects& effects = *effects_pool_[effects_depth_++];
  call(rt(node).node.get(), ContextFor(node), &effects);
  Execute(node, effects);
  effects.Clear();
  --effects_depth_;
}

void World::Impl::CallStart(NodeId node, const sim::DiskImage& image, uint64_t seed) {
  CallNode(node, [&](Node* n, const Context& context, Effects* effects) {
    n->Start(context, image, seed, effects);
  });
}

__attribute__((always_inline)) inline void World::Impl::CallMessage(
    NodeId node, NodeId from, const sim::Message& message) {
  CallNode(node, [&](Node* n, const Context& context, Effects* effects) {
    if (message.body() != nullptr) {
      n->OnMessageBody(context, from, *message.body(), effects);
    } else {
      n->OnMessage(context, from, message.bytes(), effects);
    }
  });
}

// Here rather than with the rest of the network handler (world_network.cc), so that
// CallMessage and CallNode inline into it: it runs once per delivered message.
void World::Impl::OnReceiveMessage(sim::ConnectionId connection, NodeId node, NodeId peer,
                                   sim::Message&& message) {
  const sim::ProcessState state = world_->processes_.state(node);
  if (state == sim::ProcessState::kUp) {
    CallMessage(node, peer, message);
  } else if (state == sim::ProcessState::kPaused) {
    HoldMessage(connection, node, peer, std::move(message));
  }
  // Otherwise down: cannot happen, a down node accepts nothing.
}

void World::Impl::CallTimer(NodeId node, uint64_t tag) {
  world_->trace_.AppendHot(world_->now(), kTimerFire, node, -1, static_cast<int64_t>(tag));
  CallNode(node, [&](Node* n, const Context& context, Effects* effects) {
    n->OnTimer(context, tag, effects);
  });
}

__attribute__((always_inline)) inline void World::Impl::CallPersisted(
    NodeId node, uint64_t persist_id, const absl::Status& status) {
  world_->trace_.AppendHot(world_->now(), kPersisted, node, -1,
                           static_cast<int64_t>(persist_id),
                           StatusText(status));
  CallNode(node, [&](Node* n, const Context& context, Effects* effects) {
    n->OnPersisted(context, persist_id, status, effects);
  });
}

absl::Status World::Impl::CallCommand(NodeId node, std::string_view what,
                                      World::CommandCall call) {
  world_->trace_.AppendHot(world_->now(), kCommand, node, -1, 0, what);
  absl::Status answer;
  CallNode(node, [&](Node* n, const Context& context, Effects* effects) {
    answer = call(n, context, effects);
  });
  return answer;
}

void World::Impl::CallDisconnected(NodeId node, NodeId peer) {
  CallNode(node, [&](Node* n, const Context& context, Effects* effects) {
    n->OnPeerDisconnected(context, peer, effects);
  });
}

// Order: timers, observations, then messages (those not waiting for persistence first,
// in order), then the writes. A node's later Effects can never overtake an earlier one's
// writes: the disk queue is FIFO.
__attribute__((always_inline)) inline void World::Impl::Execute(NodeId node,
                                                                Effects& effects) {
  for (uint64_t tag : effects.timers_to_cancel) CancelTimer(node, tag);
  for (const TimerRequest& t : effects.timers_to_set) SetTimer(node, t.tag, t.deadline);
  if (!effects.observations.empty()) {
    const SimTime now = world_->now();
    const uint64_t incarnation = world_->processes_.incarnation(node);
    for (const Observation& o : effects.observations) {
      world_->trace_.AppendPrefixed(now, kObservation, o.kind, node, -1, o.value, o.detail);
      if (world_->observer_) world_->observer_(ObservationRecord{now, node, incarnation, &o});
    }
  }
  if (effects.writes.empty()) {
    for (OutgoingMessage& m : effects.messages) SendMessage(node, std::move(m));
    return;
  }
  bool any_after_persist = false;
  bool all_after_persist = true;
  for (OutgoingMessage& m : effects.messages) {
    if (m.after_persist) {
      any_after_persist = true;
    } else {
      all_after_persist = false;
      SendMessage(node, std::move(m));
    }
  }
  // Sending calls no node, so nothing has touched the disk queue since the call.
  PersistJob& job = rt(node).disk_queue.Push();
  if (all_after_persist) {
    // All of them wait: the job takes the list (and effects.messages the job slot's
    // empty one, as with the writes below).
    job.messages.swap(effects.messages);
  } else if (any_after_persist) {
    for (OutgoingMessage& m : effects.messages) {
      if (m.after_persist) job.messages.push_back(std::move(m));
    }
  }
  job.persist_id = effects.persist_id;
  job.writes.swap(effects.writes);  // effects.writes gets the job slot's empty vector.
  job.sync = effects.sync;
  SubmitPersist(node);
}

// ---- Timers -----------------------------------------------------------------------------

// Inline (into Execute) for the common case: a deadline pushed later.
inline void World::Impl::SetTimer(NodeId node, uint64_t tag, SimTime deadline) {
  NodeRuntime& r = rt(node);
  TimerEntry* t = r.FindTimer(tag);
  if (t != nullptr && deadline >= t->deadline && world_->scheduler_.IsPending(t->id)) {
    // Pushed later (an election timeout reset by every heartbeat): keep the event
    // already scheduled; it fires no later than the new deadline, and FireTimer re-arms
    // it for the rest of the wait. Saves a cancel and a schedule per reset.
    t->deadline = deadline;
    return;
  }
  ScheduleTimer(node, t, tag, deadline);
}

void World::Impl::ScheduleTimer(NodeId node, TimerEntry* t, uint64_t tag,
                                SimTime deadline) {
  NodeRuntime& r = rt(node);
  if (t != nullptr) {
    // A reset: CancelTimer's work on the entry SetTimer already found, which then
    // takes the new event in place instead of being erased and pushed again.
    world_->scheduler_.Cancel(t->id);
    ForgetExpired(r, tag);
  }
  const SimTime now = world_->now();
  const SimTime local_now = r.clock.MonotonicTime(now);
  const SimDuration wait = deadline > local_now
                               ? r.clock.TrueDurationFor(now, deadline - local_now)
                               : SimDuration::Zero();
  const uint64_t incarnation = world_->processes_.incarnation(node);
  const sim::TimerId id = world_->scheduler_.Schedule(
      now + wait, [this, node, incarnation, tag] { FireTimer(node, incarnation, tag); },
      "node.timer");
  if (t != nullptr) {
    t->deadline = deadline;
    t->id = id;
  } else {
    r.timers.push_back(TimerEntry{tag, deadline, id});
  }
}

void World::Impl::CancelTimer(NodeId node, uint64_t tag) {
  NodeRuntime& r = rt(node);
  TimerEntry* t = r.FindTimer(tag);
  if (t == nullptr) return;
  world_->scheduler_.Cancel(t->id);
  r.EraseTimer(t);
  ForgetExpired(r, tag);
}

void World::Impl::CancelAllTimers(NodeId node) {
  for (const TimerEntry& t : rt(node).timers) world_->scheduler_.Cancel(t.id);
  rt(node).timers.clear();
}

void World::Impl::FireTimer(NodeId node, uint64_t incarnation, uint64_t tag) {
  if (world_->processes_.incarnation(node) != incarnation || !Live(node)) return;
  NodeRuntime& r = rt(node);
  TimerEntry* t = r.FindTimer(tag);
  if (t == nullptr) return;
  // Never early by the node's own clock (its drift may have changed since).
  const SimTime local_now = r.clock.MonotonicTime(world_->now());
  if (local_now < t->deadline) {
    const SimTime deadline = t->deadline;
    SetTimer(node, tag, deadline);
    return;
  }
  if (Paused(node)) {
    r.expired_while_paused.push_back(tag);
    t->id = sim::TimerId{};
    return;
  }
  r.EraseTimer(t);
  CallTimer(node, tag);
}

// ---- The disk queue ---------------------------------------------------------------------

void World::Impl::SubmitPersist(NodeId node) {
  NodeRuntime& r = rt(node);
  CHECK_LE(r.disk_queue.size(), size_t{1} << 20);
  PersistJob& job = r.disk_queue.back();
  const SimTime now = world_->now();
  SimTime start = r.disk_busy_until > now ? r.disk_busy_until : now;
  for (const sim::DiskWrite& w : job.writes) start += r.disk->OperationLatency(w.op);
  const SimTime writes_done = start;
  SimTime done = writes_done;
  if (job.sync) done += r.disk->SyncLatency();
  r.disk_busy_until = done;
  job.sequence = r.next_job_sequence++;
  const uint64_t sequence = job.sequence;
  const bool sync = job.sync;
  world_->scheduler_.Schedule(
      writes_done, [this, node, sequence] { FinishWrites(node, sequence); }, "disk.write");
  if (sync) {
    world_->scheduler_.Schedule(
        done, [this, node, sequence] { FinishSync(node, sequence); }, "disk.sync");
  }
}

void World::Impl::FinishWrites(NodeId node, uint64_t sequence) {
  NodeRuntime& r = rt(node);
  if (r.disk_queue.empty() || r.disk_queue.front().sequence != sequence) return;
  PersistJob& job = r.disk_queue.front();
  int64_t bytes = 0;
  for (sim::DiskWrite& w : job.writes) {
    const sim::DiskOp op = w.op;
    const int64_t size = static_cast<int64_t>(w.bytes.size());
    // The job's writes are not read again: the disk keeps their bytes.
    const absl::Status status = r.disk->Write(std::move(w));
    if (!status.ok()) {
      world_->trace_.AppendHot(world_->now(), kDiskFail, node, -1, static_cast<int64_t>(op),
                               StatusText(status));
      CompletePersist(node, status);
      return;
    }
    bytes += size;
  }
  world_->trace_.AppendHot(world_->now(), kDiskWrite, node, -1, bytes);
  if (!job.sync) CompletePersist(node, absl::OkStatus());
}

void World::Impl::FinishSync(NodeId node, uint64_t sequence) {
  NodeRuntime& r = rt(node);
  if (r.disk_queue.empty() || r.disk_queue.front().sequence != sequence) return;
  const absl::Status status = r.disk->Sync();
  if (status.ok()) {
    world_->trace_.AppendHot(world_->now(), kDiskSync, node, -1, 0);
  } else {
    world_->trace_.AppendHot(world_->now(), kDiskFail, node, -1, -1, StatusText(status));
  }
  CompletePersist(node, status);
}

void World::Impl::CompletePersist(NodeId node, const absl::Status& status) {
  NodeRuntime& r = rt(node);
  PersistJob& front = r.disk_queue.front();
  const uint64_t persist_id = front.persist_id;
  if (!status.ok()) {
    for (const OutgoingMessage& m : front.messages) {
      DropMessage(node, m.to, m.message.size(), "persist-failed");
    }
    front.messages.clear();
  }
  if (Paused(node)) {
    Held h;
    h.kind = Held::Kind::kPersisted;
    h.persist_id = persist_id;
    h.status = status;
    h.messages = std::move(front.messages);
    r.disk_queue.Pop();
    r.held.push_back(std::move(h));
    return;
  }
  // The messages go straight from the job, which leaves the queue before the node is
  // called (its effects may push more jobs): sending calls no node and does not touch
  // the disk queue.
  for (OutgoingMessage& m : front.messages) SendMessage(node, std::move(m));
  r.disk_queue.Pop();
  CallPersisted(node, persist_id, status);
}

// ---- DiskQueue --------------------------------------------------------------------------

void DiskQueue::Grow() {
  std::vector<PersistJob> grown(jobs_.empty() ? 4 : 2 * jobs_.size());
  for (size_t i = 0; i < count_; ++i) {
    grown[i] = std::move(jobs_[(head_ + i) & (jobs_.size() - 1)]);
  }
  jobs_.swap(grown);
  head_ = 0;
}

void DiskQueue::Clear() {
  while (!empty()) Pop();
}

// ---- Resume -----------------------------------------------------------------------------

// Held disk completions first (the kernel finished them during the pause), then the
// timers that expired, in deadline order, then messages and disconnections in arrival
// order. Each step re-checks that the node is still up: a callback cannot crash it,
// but keep the loop honest.
void World::Impl::DeliverHeld(NodeId node) {
  NodeRuntime& r = rt(node);
  std::vector<Held> held = std::move(r.held);
  r.held.clear();
  r.held_messages = 0;
  for (Held& h : held) {
    if (h.kind != Held::Kind::kPersisted) continue;
    for (OutgoingMessage& m : h.messages) SendMessage(node, std::move(m));
    CallPersisted(node, h.persist_id, h.status);
  }
  std::vector<std::pair<SimTime, uint64_t>> expired;
  for (uint64_t tag : r.expired_while_paused) {
    if (const TimerEntry* t = r.FindTimer(tag); t != nullptr) {
      expired.push_back({t->deadline, tag});
    }
  }
  r.expired_while_paused.clear();
  std::sort(expired.begin(), expired.end());
  for (const auto& [deadline, tag] : expired) {
    TimerEntry* t = r.FindTimer(tag);
    // A timer callback may have reset or cancelled a later one.
    if (t == nullptr || t->id.valid()) continue;
    r.EraseTimer(t);
    CallTimer(node, tag);
  }
  for (Held& h : held) {
    if (h.kind == Held::Kind::kMessage) {
      CallMessage(node, h.peer, h.message);
    } else if (h.kind == Held::Kind::kDisconnected) {
      CallDisconnected(node, h.peer);
    }
  }
}

}  // namespace ravensim::harness
