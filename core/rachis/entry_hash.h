// EntryHash: the content hash of a log entry as reported to the invariant checker
// (log matching and state-machine safety compare these). Covers what the entry means
// (flags, request id, command, topology), not where it sits (index, term).
#ifndef RAVENSIM_CORE_RACHIS_ENTRY_HASH_H_
#define RAVENSIM_CORE_RACHIS_ENTRY_HASH_H_

#include <cstdint>

#include "core/rachis/checksum.h"
#include "core/rachis/rachis.pb.h"

namespace ravensim::rachis {

inline uint64_t EntryHash(const LogEntry& entry) {
  const char flag = static_cast<char>(entry.flags());
  uint64_t hash = Fnv1a64Bytes(absl::string_view(&flag, 1));
  hash = Fnv1a64Bytes(entry.request_id(), hash);
  hash = Fnv1a64Bytes("\x1f", hash);
  hash = Fnv1a64Bytes(entry.command(), hash);
  if (entry.has_topology()) hash = Fnv1a64Bytes(entry.topology().SerializeAsString(), hash);
  return hash;
}

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_ENTRY_HASH_H_
