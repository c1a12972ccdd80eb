#include "core/rachis/rachis_envelope.h"

namespace ravensim::rachis {

RachisEnvelope::RachisEnvelope()
    : arena_(block_, sizeof(block_)),
      message_(google::protobuf::Arena::CreateMessage<RachisMessage>(&arena_)) {}

// The arena frees the message and everything it allocated; the shared entries the
// message lists were never its own (UnsafeArenaAddAllocated) and are released by
// entries_.
RachisEnvelope::~RachisEnvelope() = default;

void RachisEnvelope::AddEntry(const LogEntryPtr& entry) {
  // Unowned: on an arena, RepeatedPtrField neither copies nor deletes such an element.
  // The entry is immutable; the const_cast only lets the field hold the pointer
  // (serialization updates the entry's cached size, which is the same for every reader).
  message_->mutable_append_entries()->mutable_entries()->UnsafeArenaAddAllocated(
      const_cast<LogEntry*>(entry.get()));
  entries_.push_back(entry);
}

absl::Span<const LogEntryPtr> RachisEnvelope::SharedEntries() const {
  if (!message_->has_append_entries()) return {};
  const auto& listed = message_->append_entries().entries();
  if (static_cast<size_t>(listed.size()) != entries_.size()) return {};
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (&listed.Get(static_cast<int>(i)) != entries_[i].get()) return {};
  }
  return entries_;
}

}  // namespace ravensim::rachis
