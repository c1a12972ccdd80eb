// The history API (DESIGN.md §5): building histories as simulated clients run,
// validating them, and exporting/importing them as JSONL (one Operation per line, in
// the protobuf JSON mapping with the .proto field names).
//
// HistoryBuilder is thread-compatible: the scenario runner drives it from the
// simulation thread. Histories are plain protobuf values owned by whoever holds them.
#ifndef RAVENSIM_CHECKERS_HISTORY_HISTORY_H_
#define RAVENSIM_CHECKERS_HISTORY_HISTORY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "checkers/history/history.pb.h"

namespace ravensim::history {

// Value constructors.
Value StrValue(absl::string_view s);
Value IntValue(int64_t i);
Value AbsentValue();
bool IsAbsent(const Value& v);
// "nil", a decimal integer, or the string quoted as JSON.
std::string ValueToString(const Value& v);
bool ValuesEqual(const Value& a, const Value& b);

// "register_read", "cmpxchg_put", ... (the enum name, lower-cased).
std::string OpKindName(OpKind kind);
// A one-line description of an operation, e.g.
// "#12 c3@B cmpxchg_put k=x index=5 value=\"a\" -> ok index=9 successful".
std::string DescribeOperation(const Operation& op);

// Records operations as clients invoke and complete them. Ids are assigned 0, 1, 2...
// in invocation order. A client may have at most one open operation.
class HistoryBuilder {
 public:
  HistoryBuilder() = default;

  // Starts an operation and returns its id. Fill the arguments through
  // MutableOperation(id). REQUIRES: `client_id` has no open operation; times are
  // non-decreasing across calls.
  int64_t Invoke(int64_t client_id, absl::string_view node, int64_t invoke_time_ns,
                 OpKind kind, absl::string_view key);

  // The operation with id `id`, to set arguments or results. REQUIRES: id exists.
  // The pointer is valid until the next Invoke.
  Operation* MutableOperation(int64_t id);

  // Completes an open operation. Ok: set the result fields through
  // MutableOperation before or after. Fail: the operation definitely had no effect.
  // REQUIRES: `id` is open and `return_time_ns` >= its invoke time.
  void Ok(int64_t id, int64_t return_time_ns);
  void Fail(int64_t id, int64_t return_time_ns, absl::string_view error);
  // The client gave up without knowing; no return time is recorded.
  void Unknown(int64_t id, absl::string_view error);

  // Operations still open (never completed) are closed as UNKNOWN.
  History Finish(absl::string_view source) &&;

  int64_t size() const { return history_.operations_size(); }

 private:
  void Close(int64_t id);

  History history_;
  // Open operation id per client.
  absl::flat_hash_map<int64_t, int64_t> open_by_client_;
  int64_t last_time_ns_ = INT64_MIN;
};

// Checks the structural rules of a history: unique ids, a kind and outcome on every
// operation, return time present (and >= invoke time) exactly when the outcome is not
// UNKNOWN, arguments the kind needs. Errors name the operation (by position and id)
// and the field.
absl::Status Validate(const History& history);

// One operation per line. Deterministic output.
std::string ToJsonl(const History& history);
absl::Status WriteJsonlFile(const History& history, const std::string& path);

// Parses JSONL written by ToJsonl (blank lines are skipped). Errors look like
// "<source>:<line>: field 'return_time_ns': ..." and never crash. The result has
// passed Validate.
absl::StatusOr<History> ParseJsonl(absl::string_view text, absl::string_view source);
absl::StatusOr<History> ReadJsonlFile(const std::string& path);

// Reads a whole file. Errors name the path and `what` it was to be ("PATH: cannot open
// scenario file: No such file or directory"): NotFound when it cannot be opened,
// InvalidArgument for a directory, DataLoss when reading fails.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             absl::string_view what = "file");

}  // namespace ravensim::history

#endif  // RAVENSIM_CHECKERS_HISTORY_HISTORY_H_
