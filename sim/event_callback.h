// sim::EventCallback: a move-only `void()` callable with 48 bytes of inline storage,
// used for scheduler events.
//
// Simulations schedule tens of millions of small lambdas (a `this` pointer and a few
// ids); this type stores them without allocating and moves trivially copyable ones with
// a fixed-size copy the compiler inlines. Larger or non-trivial callables are moved to
// the heap behind a manager function, like std::function. Thread-compatible.
#ifndef RAVENSIM_SIM_EVENT_CALLBACK_H_
#define RAVENSIM_SIM_EVENT_CALLBACK_H_

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace ravensim::sim {

class EventCallback {
 public:
  static constexpr size_t kInlineSize = 48;

  EventCallback() = default;
  EventCallback(std::nullptr_t) {}  // NOLINT: allows `callback = nullptr`.

  template <typename F, typename D = std::decay_t<F>,
            typename = std::enable_if_t<!std::is_same_v<D, EventCallback> &&
                                        std::is_invocable_r_v<void, D&>>>
  EventCallback(F&& f) {  // NOLINT: implicit, like std::function.
    Init<F, D>(std::forward<F>(f));
  }

  // Stores `f` as the constructor does, without a temporary callback to move from
  // (Scheduler::Schedule builds each event in its slot). REQUIRES: empty.
  template <typename F, typename D = std::decay_t<F>,
            typename = std::enable_if_t<!std::is_same_v<D, EventCallback> &&
                                        std::is_invocable_r_v<void, D&>>>
  void EmplaceInEmpty(F&& f) {
    Init<F, D>(std::forward<F>(f));
  }

  EventCallback(EventCallback&& other) noexcept { MoveFrom(other); }
  EventCallback& operator=(EventCallback&& other) noexcept {
    if (this != &other) {
      Reset();
      MoveFrom(other);
    }
    return *this;
  }
  EventCallback& operator=(std::nullptr_t) {
    Reset();
    return *this;
  }
  EventCallback(const EventCallback&) = delete;
  EventCallback& operator=(const EventCallback&) = delete;
  ~EventCallback() { Reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  // REQUIRES: non-empty.
  void operator()() { ops_->invoke(storage_); }

 private:
  template <typename F, typename D>
  void Init(F&& f) {
    if constexpr (sizeof(D) <= kInlineSize && alignof(D) <= 8 &&
                  std::is_trivially_copyable_v<D> && std::is_trivially_destructible_v<D>) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      static constexpr Ops kOps = {[](void* p) { (*static_cast<D*>(p))(); }, nullptr};
      ops_ = &kOps;
    } else {
      // Out of line: the storage holds a pointer to a heap copy.
      D* heap = new D(std::forward<F>(f));
      std::memcpy(storage_, &heap, sizeof(heap));
      static constexpr Ops kOps = {
          [](void* p) {
            D* target;
            std::memcpy(&target, p, sizeof(target));
            (*target)();
          },
          [](void* p) {
            D* target;
            std::memcpy(&target, p, sizeof(target));
            delete target;
          }};
      ops_ = &kOps;
    }
  }
  void MoveFrom(EventCallback& other) {
    // Both representations (inline trivial object, or a pointer) move by copying bytes.
    std::memcpy(storage_, other.storage_, kInlineSize);
    ops_ = other.ops_;
    other.ops_ = nullptr;
  }
  void Reset() {
    if (ops_ != nullptr && ops_->destroy != nullptr) ops_->destroy(storage_);
    ops_ = nullptr;
  }

  // One static table per callable type: the callback is 56 bytes, so a scheduler slot
  // (callback and sequence number) fills one 64-byte cache line.
  struct Ops {
    void (*invoke)(void*);
    void (*destroy)(void*);  // Null for inline (trivial) callables.
  };
  alignas(8) unsigned char storage_[kInlineSize];
  const Ops* ops_ = nullptr;
};

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_EVENT_CALLBACK_H_
