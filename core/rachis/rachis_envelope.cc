#include "core/rachis/rachis_envelope.h"

#include <algorithm>

namespace ravensim::rachis {

RachisEnvelope::RachisEnvelope() = default;

RachisEnvelope::~RachisEnvelope() { UnlistSharedEntries(); }

void RachisEnvelope::Reset() {
  UnlistSharedEntries();
  entries_.clear();
  hashes_.clear();
  // The envelope fields stay: the next message sets them all (often to the same).
  switch (message_.body_case()) {
    case RachisMessage::kAppendEntries:
      message_.mutable_append_entries()->Clear();
      break;
    case RachisMessage::kAppendEntriesResponse:
      message_.mutable_append_entries_response()->Clear();
      break;
    case RachisMessage::kRequestVote:
      message_.mutable_request_vote()->Clear();
      break;
    case RachisMessage::kRequestVoteResponse:
      message_.mutable_request_vote_response()->Clear();
      break;
    default:
      message_.clear_body();
      break;
  }
}

void RachisEnvelope::UnlistSharedEntries() {
  if (entries_.empty() || !message_.has_append_entries()) return;
  // The message lists the shared entries as if it owned them: take every element out
  // (no copies, nothing deleted) and delete only those that really are its own.
  auto* listed = message_.mutable_append_entries()->mutable_entries();
  const int count = listed->size();
  // Usually the message lists exactly the shared entries, in order: nothing to delete,
  // so nothing to collect either (extracted without being handed out or deleted).
  if (!SharedEntries().empty()) {
    listed->UnsafeArenaExtractSubrange(0, count, nullptr);
    return;
  }
  absl::InlinedVector<LogEntry*, 4> elements(static_cast<size_t>(count));
  listed->UnsafeArenaExtractSubrange(0, count, elements.data());
  for (LogEntry* element : elements) {
    const bool shared = std::any_of(entries_.begin(), entries_.end(),
                                    [element](const LogEntryPtr& e) { return e.get() == element; });
    if (!shared) delete element;
  }
}

void RachisEnvelope::AddEntry(const LogEntryPtr& entry) {
  // Listed, not copied: the field takes the pointer as is (the destructor takes it back
  // before the message could delete it). The entry is immutable; the const_cast only
  // lets the field hold it (serialization updates the entry's cached size, which is the
  // same for every reader).
  message_.mutable_append_entries()->mutable_entries()->UnsafeArenaAddAllocated(
      const_cast<LogEntry*>(entry.get()));
  entries_.push_back(entry);
}

void RachisEnvelope::AddEntry(const LogEntryPtr& entry, uint64_t hash) {
  // Only while every earlier entry came with its hash too.
  if (hashes_.size() == entries_.size()) hashes_.push_back(hash);
  AddEntry(entry);
}

absl::Span<const LogEntryPtr> RachisEnvelope::SharedEntries() const {
  if (!message_.has_append_entries()) return {};
  const auto& listed = message_.append_entries().entries();
  if (static_cast<size_t>(listed.size()) != entries_.size()) return {};
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (&listed.Get(static_cast<int>(i)) != entries_[i].get()) return {};
  }
  return entries_;
}

}  // namespace ravensim::rachis
