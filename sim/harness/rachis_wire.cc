#include "sim/harness/rachis_wire.h"

#include <memory>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "core/rachis/wire_field.h"

namespace ravensim::harness {
namespace {

// Reused bodies, by kind, per thread. The pool frees what it holds when its thread
// ends; a body released after that (by whatever outlives the pool in the thread's
// teardown) is deleted instead of kept.
thread_local bool pool_gone = false;  // trivially destructible: readable to the end
struct BodyPool;
// The thread's pool once made (trivially destructible: readable to the end); cleared when
// the pool goes.
thread_local BodyPool* pool_of_thread = nullptr;

// A stack of at most `capacity` pointers, its room allocated once: pushed and popped
// without a vector's growth path, which, inlined into the bodies' deleters (twice per
// message), made them save and restore every callee-saved register.
template <typename T>
class PointerStack {
 public:
  explicit PointerStack(size_t capacity)
      : items_(new T*[capacity]), capacity_(capacity) {}  // left unset: read only once pushed
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == capacity_; }
  size_t size() const { return size_; }
  // REQUIRES: !empty().
  T* Pop() { return items_[--size_]; }
  // REQUIRES: !full().
  void Push(T* item) { items_[size_++] = item; }
  T* const* begin() const { return items_.get(); }
  T* const* end() const { return items_.get() + size_; }

 private:
  std::unique_ptr<T*[]> items_;
  size_t capacity_;
  size_t size_ = 0;
};

struct BodyPool {
  static constexpr size_t kMaxPerKind = 4096;
  // Room for a body's shared_ptr control block (a pointer, its deleter, two counts and
  // a vtable pointer).
  static constexpr size_t kBlockSize = 64;
  PointerStack<RachisMessageBody> free[4] = {
      PointerStack<RachisMessageBody>(kMaxPerKind), PointerStack<RachisMessageBody>(kMaxPerKind),
      PointerStack<RachisMessageBody>(kMaxPerKind), PointerStack<RachisMessageBody>(kMaxPerKind)};
  // Freed control blocks of kBlockSize bytes (ControlBlockAllocator), at most
  // kMaxBlocks.
  static constexpr size_t kMaxBlocks = 4 * kMaxPerKind;
  PointerStack<void> blocks{kMaxBlocks};
  // Client response bodies (NewClientResponseBody), at most kMaxPerKind.
  PointerStack<RachisWireBody> responses{kMaxPerKind};
  BodyPool() = default;
  BodyPool(const BodyPool&) = delete;
  BodyPool& operator=(const BodyPool&) = delete;
  ~BodyPool() {
    pool_gone = true;
    pool_of_thread = nullptr;
    for (const PointerStack<RachisMessageBody>& bodies : free) {
      for (RachisMessageBody* body : bodies) delete body;
    }
    for (RachisWireBody* body : responses) delete body;
    for (void* block : blocks) ::operator delete(block, kBlockSize);
  }
};

BodyPool* MakePool() {
  if (pool_gone) return nullptr;
  thread_local BodyPool pool;
  pool_of_thread = &pool;
  return &pool;
}

// nullptr once the thread's pool is gone. Inline (four times per message): one load once
// the pool is made.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline BodyPool* Pool() {
  if (BodyPool* pool = pool_of_thread; ABSL_PREDICT_TRUE(pool != nullptr)) return pool;
  return MakePool();
}

int PoolSlot(rachis::RachisMessage::BodyCase body) {
  switch (body) {
    case rachis::RachisMessage::kAppendEntries: return 0;
    case rachis::RachisMessage::kAppendEntriesResponse: return 1;
    case rachis::RachisMessage::kRequestVote: return 2;
    case rachis::RachisMessage::kRequestVoteResponse: return 3;
    default: return -1;
  }
}

// Inline into the body's deleter (once per message).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void RecycleBody(RachisMessageBody* body) {
  const int slot = PoolSlot(body->message().body_case());
  BodyPool* pool = slot < 0 ? nullptr : Pool();
  if (pool == nullptr || pool->free[slot].full()) {
    delete body;
    return;
  }
  body->Reset();
  pool->free[slot].Push(body);
}

// The deleter of a body handed out by NewRachisMessageBody: a type of its own, so that
// the shared_ptr calls RecycleBody directly (not through a function pointer).
struct Recycle {
  void operator()(RachisMessageBody* body) const { RecycleBody(body); }
};

// The deleter of a body handed out by NewClientResponseBody: keeps it as it is (its next
// user sets every field of its response).
struct RecycleResponse {
  void operator()(RachisWireBody* body) const {
    BodyPool* pool = Pool();
    if (pool == nullptr || pool->responses.full() ||
        body->wire().body_case() != RachisWire::kClientResponse) {
      delete body;
      return;
    }
    pool->responses.Push(body);
  }
};

// Allocates the shared_ptr control blocks of the bodies handed out here
// from the thread's pool of freed blocks: one per message, which would otherwise be an
// allocation and a free each.
template <typename T>
struct ControlBlockAllocator {
  using value_type = T;
  ControlBlockAllocator() = default;
  template <typename U>
  ControlBlockAllocator(const ControlBlockAllocator<U>&) {}  // NOLINT: rebinding
  T* allocate(size_t n) {
    static_assert(sizeof(T) <= BodyPool::kBlockSize, "control block larger than expected");
    if (n == 1) {
      if (BodyPool* pool = Pool(); pool != nullptr && !pool->blocks.empty()) {
        return static_cast<T*>(pool->blocks.Pop());
      }
      return static_cast<T*>(::operator new(BodyPool::kBlockSize));
    }
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) {
    if (n != 1) {
      std::allocator<T>().deallocate(p, n);
      return;
    }
    BodyPool* pool = Pool();
    if (pool == nullptr || pool->blocks.full()) {
      ::operator delete(static_cast<void*>(p), BodyPool::kBlockSize);
      return;
    }
    pool->blocks.Push(p);
  }
  template <typename U>
  bool operator==(const ControlBlockAllocator<U>&) const { return true; }
};

}  // namespace

std::shared_ptr<RachisMessageBody> NewRachisMessageBody(rachis::RachisMessage::BodyCase body) {
  RachisMessageBody* reused = nullptr;
  if (const int slot = PoolSlot(body); slot >= 0) {
    BodyPool* pool = Pool();
    if (pool != nullptr && !pool->free[slot].empty()) reused = pool->free[slot].Pop();
  }
  return std::shared_ptr<RachisMessageBody>(
      reused != nullptr ? reused : new RachisMessageBody(), Recycle(),
      ControlBlockAllocator<RachisMessageBody>());
}

std::shared_ptr<RachisWireBody> NewClientResponseBody() {
  RachisWireBody* body = nullptr;
  BodyPool* pool = Pool();
  if (pool != nullptr && !pool->responses.empty()) {
    body = pool->responses.Pop();
  } else {
    body = new RachisWireBody();
    body->mutable_wire()->mutable_client_response();
  }
  return std::shared_ptr<RachisWireBody>(body, RecycleResponse(),
                                         ControlBlockAllocator<RachisWireBody>());
}

sim::Message MakeRachisWireMessage(RachisWire wire) {
  return MakeRachisWireMessage(std::make_shared<const RachisWireBody>(std::move(wire)));
}

sim::Message MakeRachisWireMessage(std::shared_ptr<const RachisWireBody> body) {
  const size_t size = body->wire().ByteSizeLong();
  return sim::Message(std::move(body), size);
}

size_t ClientResponseWireSize(const ClientResponse& response) {
  // proto3: zero and empty fields are not written; the oneof's message (3) always is.
  // The outcome is an enum: a negative value would take ten bytes.
  const size_t size = BytesFieldSize(response.request_id()) +
                      Int32FieldSize(response.outcome()) + UintFieldSize(response.index()) +
                      BytesFieldSize(response.result()) + BytesFieldSize(response.reason());
  return DelimitedFieldSize(size);
}

sim::Message MakeClientResponseMessage(std::shared_ptr<const RachisWireBody> body) {
  const size_t size = ClientResponseWireSize(body->wire().client_response());
  return sim::Message(std::move(body), size);
}

std::string RachisMessageBody::Encode() const {
  std::string out;  // RachisWire{rachis = message} (field 1), without copying it.
  rachis::AppendMessageField(1, message(), &out);
  return out;
}

sim::Message MakeRachisMessage(const rachis::RachisMessage& message) {
  return MakeRachisMessage(std::make_shared<const RachisMessageBody>(message));
}

namespace {

// The size of the body of the message (AppendEntries or its response), or 0 (with
// *known false) for a body this does not size. `shared`: the entries the message's
// envelope lists (rachis_envelope.h), or none.
size_t BodySize(const rachis::RachisMessage& message,
                absl::Span<const rachis::LogEntryPtr> shared, bool* known) {
  switch (message.body_case()) {
    case rachis::RachisMessage::kAppendEntries: {
      const rachis::AppendEntries& append = message.append_entries();
      if (append.has_topology()) break;
      size_t size = UintFieldSize(append.prev_log_index()) +
                    UintFieldSize(append.prev_log_term()) +
                    UintFieldSize(append.leader_commit()) + UintFieldSize(append.sequence()) +
                    (append.force_elections() ? 2 : 0);
      // An entry the envelope lists is shared: its size may be known already (the same
      // entry goes to every follower). Any other is sized.
      const bool listed = shared.size() == static_cast<size_t>(append.entries_size());
      for (int i = 0; i < append.entries_size(); ++i) {
        const rachis::LogEntry& entry = append.entries(i);
        size += DelimitedFieldSize(listed && shared[static_cast<size_t>(i)].get() == &entry
                                           ? rachis::SharedEntrySize(entry)
                                           : entry.ByteSizeLong());
      }
      return DelimitedFieldSize(size);  // field 12
    }
    case rachis::RachisMessage::kAppendEntriesResponse: {
      const rachis::AppendEntriesResponse& response = message.append_entries_response();
      const size_t size = (response.success() ? 2 : 0) +
                          UintFieldSize(response.match_index()) +
                          UintFieldSize(response.last_log_index()) +
                          UintFieldSize(response.probe_index()) +
                          UintFieldSize(response.sequence()) +
                          (response.topology_mismatch() ? 2 : 0);
      return DelimitedFieldSize(size);  // field 13
    }
    default:
      break;
  }
  *known = false;
  return 0;
}

}  // namespace

size_t RachisMessageSize(const rachis::RachisMessage& message,
                         absl::Span<const rachis::LogEntryPtr> shared) {
  // RachisMessage's fields (rachis.proto) as protobuf sizes them, for the frequent
  // bodies; ByteSizeLong() for the others.
  bool known = true;
  const size_t body = BodySize(message, shared, &known);
  if (!known) return message.ByteSizeLong();
  return BytesFieldSize(message.from()) + BytesFieldSize(message.to()) +
         BytesFieldSize(message.topology_id()) + UintFieldSize(message.term()) +
         Int32FieldSize(message.from_node_id()) + Int32FieldSize(message.to_node_id()) + body;
}

size_t RachisMessageSize(const rachis::RachisMessage& message) {
  return RachisMessageSize(message, {});
}

const rachis::RachisMessage* RachisMessageOf(const sim::MessageBody& body) {
  const RachisMessageBody* rachis = RachisMessageBodyOf(body);
  return rachis == nullptr ? nullptr : &rachis->message();
}

}  // namespace ravensim::harness
