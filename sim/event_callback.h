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
    if constexpr (sizeof(D) <= kInlineSize && alignof(D) <= alignof(std::max_align_t) &&
                  std::is_trivially_copyable_v<D> && std::is_trivially_destructible_v<D>) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      invoke_ = [](void* p) { (*static_cast<D*>(p))(); };
    } else {
      // Out of line: the storage holds a pointer to a heap copy.
      D* heap = new D(std::forward<F>(f));
      std::memcpy(storage_, &heap, sizeof(heap));
      invoke_ = [](void* p) {
        D* target;
        std::memcpy(&target, p, sizeof(target));
        (*target)();
      };
      destroy_ = [](void* p) {
        D* target;
        std::memcpy(&target, p, sizeof(target));
        delete target;
      };
    }
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

  explicit operator bool() const { return invoke_ != nullptr; }
  // REQUIRES: non-empty.
  void operator()() { invoke_(storage_); }

 private:
  void MoveFrom(EventCallback& other) {
    // Both representations (inline trivial object, or a pointer) move by copying bytes.
    std::memcpy(storage_, other.storage_, kInlineSize);
    invoke_ = other.invoke_;
    destroy_ = other.destroy_;
    other.invoke_ = nullptr;
    other.destroy_ = nullptr;
  }
  void Reset() {
    if (destroy_ != nullptr) destroy_(storage_);
    invoke_ = nullptr;
    destroy_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char storage_[kInlineSize];
  void (*invoke_)(void*) = nullptr;
  void (*destroy_)(void*) = nullptr;  // Null for inline (trivial) callables.
};

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_EVENT_CALLBACK_H_
