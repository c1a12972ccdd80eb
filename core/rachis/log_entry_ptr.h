// LogEntryPtr: a log entry shared, immutable, between everything that holds it.
//
// An entry is built once (by the leader that accepts it, or by the recovery that reads
// it) and never changes afterwards, so the log, the LogAppend a Ready persists, the
// AppendEntries that carry it to every follower, the followers' logs and the host's
// durable state all hold the same object instead of copies.
#ifndef RAVENSIM_CORE_RACHIS_LOG_ENTRY_PTR_H_
#define RAVENSIM_CORE_RACHIS_LOG_ENTRY_PTR_H_

#include <cstddef>
#include <memory>
#include <utility>

#include "core/rachis/rachis.pb.h"

namespace ravensim::rachis {

using LogEntryPtr = std::shared_ptr<const LogEntry>;

// A shared entry holding `entry` (moved in).
inline LogEntryPtr ShareEntry(LogEntry&& entry) {
  return std::make_shared<LogEntry>(std::move(entry));
}
// A shared copy of `entry`.
inline LogEntryPtr ShareEntry(const LogEntry& entry) {
  return std::make_shared<LogEntry>(entry);
}

// entry.ByteSizeLong() for an entry that is shared (held by a LogEntryPtr). An entry is
// complete before it is shared and never sized before then (nothing sizes an entry
// while it is being built), and it never changes after: so the size protobuf caches
// when a shared entry is first sized is its size for good, and is read back here
// instead of sizing the entry again (the AppendEntries to every follower and every
// node's persist size the same entry). A cached 0 means never sized.
inline size_t SharedEntrySize(const LogEntry& entry) {
  const int cached = entry.GetCachedSize();
  return cached != 0 ? static_cast<size_t>(cached) : entry.ByteSizeLong();
}

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_LOG_ENTRY_PTR_H_
