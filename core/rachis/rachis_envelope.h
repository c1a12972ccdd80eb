// RachisEnvelope: one outgoing Rachis message, built in place.
//
// A node builds every message it sends directly in an envelope (RachisNode's outbox),
// which the host hands to its transport as is: the message is never moved or copied
// after it is built. The log entries of an AppendEntries are not copied either:
// AddEntry() lists the sender's own immutable entries (LogEntryPtr) in the message and
// keeps them alive, and a receiver stepping the envelope (RachisNode::Step(now,
// envelope)) appends those same entries to its log.
//
// The message reads and serializes as any RachisMessage: message() is an ordinary
// protobuf message whose AppendEntries lists the shared entries, so its encoding does
// not depend on how it was built. An envelope is not copyable; share it (the host hands
// it to the network as an immutable message body). Derived classes may add what their
// transport needs (sim/harness/rachis_wire.h).
// Thread-compatible; an envelope is read-only once handed over.
#ifndef RAVENSIM_CORE_RACHIS_RACHIS_ENVELOPE_H_
#define RAVENSIM_CORE_RACHIS_RACHIS_ENVELOPE_H_

#include <cstddef>
#include <cstdint>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "core/rachis/log_entry_ptr.h"
#include "core/rachis/rachis.pb.h"

namespace ravensim::rachis {

class RachisEnvelope {
 public:
  RachisEnvelope();
  virtual ~RachisEnvelope();
  RachisEnvelope(const RachisEnvelope&) = delete;
  RachisEnvelope& operator=(const RachisEnvelope&) = delete;

  const RachisMessage& message() const { return message_; }
  RachisMessage* mutable_message() { return &message_; }

  // Appends `entry` to mutable_message()->append_entries().entries, shared (not copied):
  // the envelope keeps it alive. Entries are immutable once shared.
  void AddEntry(const LogEntryPtr& entry);
  // The same, with the entry's EntryHash (core/rachis/entry_hash.h) as its sender's log
  // keeps it, so that a receiver appending the shared entry need not compute it again.
  // REQUIRES: hash == EntryHash(*entry).
  void AddEntry(const LogEntryPtr& entry, uint64_t hash);
  // The entries added with AddEntry(), in order. They are the message's AppendEntries
  // entries if nothing else added entries to it (SharedEntries() checks that).
  absl::Span<const LogEntryPtr> shared_entries() const { return entries_; }
  // shared_entries() if they are exactly the message's AppendEntries entries, else an
  // empty span (the entries were added or copied in another way).
  absl::Span<const LogEntryPtr> SharedEntries() const;
  // The EntryHash of each of SharedEntries() if every one was added with its hash, else
  // an empty span.
  absl::Span<const uint64_t> SharedEntryHashes() const {
    return SharedEntries().empty() ? absl::Span<const uint64_t>() : added_hashes();
  }
  // The hashes given to AddEntry() if every entry of shared_entries() came with one, else
  // an empty span (for a caller that already checked SharedEntries()).
  absl::Span<const uint64_t> added_hashes() const {
    if (hashes_.size() != entries_.size()) return {};
    return hashes_;
  }

  // Empties the envelope for reuse: releases the shared entries and clears the body,
  // keeping, for AppendEntries, its response and the vote messages, the (now empty)
  // body, and leaving the envelope fields (from, to, topology_id, term, node ids) as
  // they were, so that building the same kind of message again allocates nothing and
  // may even find its strings already set. The message then equals a new one except
  // for those: whoever reuses it must set every envelope field (RachisNode does).
  void Reset();

 private:
  // Takes the shared entries out of message_ (deleting any entry it owns).
  void UnlistSharedEntries();

  RachisMessage message_;
  // The entries AddEntry() listed in message_ (unlisted again, never deleted by it, when
  // the envelope goes).
  absl::InlinedVector<LogEntryPtr, 2> entries_;
  // Parallel to entries_ while every entry was added with its hash; shorter otherwise.
  absl::InlinedVector<uint64_t, 2> hashes_;
};

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_RACHIS_ENVELOPE_H_
