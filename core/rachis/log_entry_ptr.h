// LogEntryPtr: a log entry shared, immutable, between everything that holds it.
//
// An entry is built once (by the leader that accepts it, or by the recovery that reads
// it) and never changes afterwards, so the log, the LogAppend a Ready persists, the
// AppendEntries that carry it to every follower, the followers' logs and the host's
// durable state all hold the same object instead of copies.
#ifndef RAVENSIM_CORE_RACHIS_LOG_ENTRY_PTR_H_
#define RAVENSIM_CORE_RACHIS_LOG_ENTRY_PTR_H_

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

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_LOG_ENTRY_PTR_H_
