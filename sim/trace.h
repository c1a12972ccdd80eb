// sim::Trace: the record of a run and its fingerprint (DESIGN.md §2).
//
// Every event the simulation considers observable (a message sent, delivered or
// dropped, a fault injected, a state change of a node, a client operation) is appended
// as a TraceEvent. Each event is folded into a 64-bit hash chain, with FNV-1a (Append)
// or a word-wise multiply-xorshift mix (AppendHot, AppendPrefixed), both implemented
// here and pinned by tests: std::hash and absl::Hash are not stable across processes or
// versions. The fingerprint of a run is the final value of the chain. Two runs of the
// same binary, scenario and seed must produce the same fingerprint.
//
// Optional outputs:
//  * a JSONL sink receiving one line per event (caller owns the stream);
//  * per-event chain values (`keep_event_hashes`), so two runs can be compared and the
//    first diverging event named (FirstDivergence).
//
// Thread-compatible: one trace per simulation.
#ifndef RAVENSIM_SIM_TRACE_H_
#define RAVENSIM_SIM_TRACE_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.h"

namespace ravensim::sim {

inline constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnv1a64Prime = 0x100000001b3ULL;

// FNV-1a over `bytes`, continuing from `hash` (the offset basis for a fresh hash).
uint64_t Fnv1a64(std::string_view bytes, uint64_t hash = kFnv1a64Offset);
uint64_t Fnv1a64Word(uint64_t word, uint64_t hash);  // The 8 bytes, little-endian.

// A word-wise hash of `bytes` continuing from `hash`: each 8-byte little-endian word
// (the last one zero-padded), then the length, folded in by a multiply-xorshift step.
// About 8 times cheaper than Fnv1a64 on long inputs; fixed here (pinned by a test), so
// it never changes with a library or compiler.
uint64_t HashBytes(std::string_view bytes, uint64_t hash = kFnv1a64Offset);

// One step of the word-wise chain (HashBytes, AppendHot, AppendPrefixed): xor the word
// in, multiply by the 64-bit golden ratio, xor-shift right by 29.
constexpr uint64_t TraceMixWord(uint64_t h, uint64_t word) {
  h ^= word;
  h *= 0x9e3779b97f4a7c15ULL;
  return h ^ (h >> 29);
}

// 16 lowercase hex digits.
std::string FormatFingerprint(uint64_t fingerprint);

struct TraceEvent {
  SimTime time;
  std::string_view kind;  // Short stable name: "net.send", "fault.crash", ...
  int32_t node = -1;      // Node (or client) the event happened at; -1 if none.
  int32_t peer = -1;      // The other end, for messages; -1 if none.
  int64_t value = 0;      // A kind-specific number (bytes, term, index, ...).
  std::string_view detail;  // Free text; part of the hash, so keep it deterministic.
};

// A trace kind with its hash computed once (at compile time), for hot paths that append
// millions of events (the network): Trace::AppendHot hashes whole words instead of
// bytes. Declare as `constexpr TraceKind kSend("net.send");`.
struct TraceKind {
  constexpr explicit TraceKind(std::string_view kind_name)
      : name(kind_name), hash(HashName(kind_name)) {}
  std::string_view name;
  uint64_t hash;

 private:
  static constexpr uint64_t HashName(std::string_view text) {
    uint64_t h = kFnv1a64Offset;
    for (char c : text) {
      h ^= static_cast<unsigned char>(c);
      h *= kFnv1a64Prime;
    }
    return h;
  }
};

// HashBytes, byte by byte, for constants (TracePrefix).
constexpr uint64_t HashBytesConstexpr(std::string_view bytes, uint64_t hash) {
  for (size_t i = 0; i < bytes.size(); i += 8) {
    uint64_t word = 0;
    for (size_t k = 0; k < 8 && i + k < bytes.size(); ++k) {
      word |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i + k])) << (8 * k);
    }
    hash = TraceMixWord(hash, word);
  }
  return TraceMixWord(hash, bytes.size());
}

// A kind prefix for Trace::AppendPrefixed with its HashBytes computed at compile time.
// Declare as `constexpr TracePrefix kObs("obs.");`.
struct TracePrefix {
  constexpr explicit TracePrefix(std::string_view prefix)
      : name(prefix), hash(HashBytesConstexpr(prefix, kFnv1a64Offset)) {}
  std::string_view name;
  uint64_t hash;  // HashBytes(name)
};

struct TraceOptions {
  bool keep_event_hashes = false;
  std::ostream* jsonl = nullptr;  // Not owned; must outlive the Trace.
};

class Trace {
 public:
  explicit Trace(const TraceOptions& options = {});

  void Append(const TraceEvent& event);
  // The same event as Append(TraceEvent{time, kind.name, node, peer, value, detail})
  // for the JSONL sink and the event count, folded into the chain with a word-wise mix
  // (multiply-xorshift per 64-bit word; the kind enters as its precomputed hash) that
  // costs a fraction of the byte-wise FNV-1a. Deterministic like Append; events of a
  // given kind must always be appended the same way for fingerprints to compare.
  // Inline: the chain step is a few multiplies, and most traces keep neither per-event
  // hashes nor a JSONL sink, so nothing else is done per event.
  void AppendHot(SimTime time, const TraceKind& kind, int32_t node, int32_t peer,
                 int64_t value, std::string_view detail = {}) {
    const uint64_t h = MixEvent(hash_, kind.hash, time, node, peer, value, detail);
    if (!recording_) {
      hash_ = h;
      ++event_count_;
      return;
    }
    Record(h, TraceEvent{time, kind.name, node, peer, value, detail});
  }
  // An event whose kind is `prefix` followed by `kind` (e.g. "obs." + a node's
  // observation kind), hashed word-wise like AppendHot without building the name unless
  // a JSONL sink is attached.
  void AppendPrefixed(SimTime time, const TracePrefix& prefix, std::string_view kind,
                      int32_t node, int32_t peer, int64_t value, std::string_view detail);
  // The same with the prefix hashed here.
  void AppendPrefixed(SimTime time, std::string_view prefix, std::string_view kind,
                      int32_t node, int32_t peer, int64_t value, std::string_view detail) {
    AppendPrefixed(time, TracePrefix(prefix), kind, node, peer, value, detail);
  }

  uint64_t fingerprint() const { return hash_; }
  uint64_t event_count() const { return event_count_; }
  // Chain value after each event; empty unless keep_event_hashes.
  const std::vector<uint64_t>& event_hashes() const { return event_hashes_; }

 private:
  // Makes `chain` the new chain value and records the event (per-event hash, JSONL line,
  // count); shared by both ways of hashing an event.
  void Record(uint64_t chain, const TraceEvent& event);
  // The word-wise chain step of AppendHot and AppendPrefixed: the kind's hash, then the
  // event's fields, one multiply-xorshift each; a non-empty detail as its HashBytes.
  static uint64_t MixEvent(uint64_t h, uint64_t kind_hash, SimTime time, int32_t node,
                           int32_t peer, int64_t value, std::string_view detail) {
    h = TraceMixWord(h, kind_hash);
    h = TraceMixWord(h, static_cast<uint64_t>(time.nanos()));
    h = TraceMixWord(h, (static_cast<uint64_t>(static_cast<uint32_t>(node)) << 32) |
                            static_cast<uint32_t>(peer));
    h = TraceMixWord(h, static_cast<uint64_t>(value));
    if (!detail.empty()) h = TraceMixWord(h, HashBytes(detail));
    return h;
  }

  TraceOptions options_;
  // Per-event hashes are kept or a JSONL sink is attached: Record() has work to do.
  bool recording_ = false;
  uint64_t hash_ = kFnv1a64Offset;
  uint64_t event_count_ = 0;
  std::vector<uint64_t> event_hashes_;
};

// Index of the first event at which two per-event hash lists differ (including one
// being a prefix of the other), or nullopt if they are identical.
std::optional<uint64_t> FirstDivergence(const std::vector<uint64_t>& a,
                                        const std::vector<uint64_t>& b);

// `text` as a JSON string literal, with quotes.
std::string JsonQuote(std::string_view text);

// One JSONL line for an event (without the newline).
std::string TraceEventJson(uint64_t index, const TraceEvent& event);

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_TRACE_H_
