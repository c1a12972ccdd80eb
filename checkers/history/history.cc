#include "checkers/history/history.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/base/check.h"
#include "google/protobuf/util/json_util.h"

namespace ravensim::history {

Value StrValue(absl::string_view s) {
  Value v;
  v.set_str(std::string(s));
  return v;
}

Value IntValue(int64_t i) {
  Value v;
  v.set_int_(i);
  return v;
}

Value AbsentValue() { return Value(); }

bool IsAbsent(const Value& v) { return v.kind_case() == Value::KIND_NOT_SET; }

std::string ValueToString(const Value& v) {
  switch (v.kind_case()) {
    case Value::kStr: {
      std::string out = "\"";
      for (char c : v.str()) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      return out + "\"";
    }
    case Value::kInt:
      return absl::StrCat(v.int_());
    case Value::KIND_NOT_SET:
      return "nil";
  }
  return "nil";
}

bool ValuesEqual(const Value& a, const Value& b) {
  if (a.kind_case() != b.kind_case()) return false;
  switch (a.kind_case()) {
    case Value::kStr:
      return a.str() == b.str();
    case Value::kInt:
      return a.int_() == b.int_();
    case Value::KIND_NOT_SET:
      return true;
  }
  return false;
}

std::string OpKindName(OpKind kind) {
  if (!OpKind_IsValid(kind)) return absl::StrCat("op_kind_", static_cast<int>(kind));
  return absl::AsciiStrToLower(OpKind_Name(kind));
}

std::string DescribeOperation(const Operation& op) {
  std::string out = absl::StrCat("#", op.id(), " c", op.client_id());
  if (!op.node().empty()) absl::StrAppend(&out, "@", op.node());
  absl::StrAppend(&out, " ", OpKindName(op.kind()));
  if (!op.key().empty()) absl::StrAppend(&out, " k=", op.key());
  if (op.has_expected()) absl::StrAppend(&out, " expected=", ValueToString(op.expected()));
  if (op.has_index()) absl::StrAppend(&out, " index=", op.index());
  if (op.has_value()) absl::StrAppend(&out, " value=", ValueToString(op.value()));
  switch (op.outcome()) {
    case OK:
      absl::StrAppend(&out, " -> ok");
      if (op.has_result()) absl::StrAppend(&out, " ", ValueToString(op.result()));
      if (op.has_result_index()) absl::StrAppend(&out, " index=", op.result_index());
      if (op.has_successful()) {
        absl::StrAppend(&out, op.successful() ? " successful" : " unsuccessful");
      }
      break;
    case FAIL:
      absl::StrAppend(&out, " -> fail");
      break;
    case UNKNOWN:
      absl::StrAppend(&out, " -> unknown");
      break;
    default:
      absl::StrAppend(&out, " -> ?");
  }
  if (!op.error().empty()) absl::StrAppend(&out, " (", op.error(), ")");
  return out;
}

// --- HistoryBuilder ---------------------------------------------------------------

int64_t HistoryBuilder::Invoke(int64_t client_id, absl::string_view node,
                               int64_t invoke_time_ns, OpKind kind, absl::string_view key) {
  CHECK_GE(invoke_time_ns, last_time_ns_);
  CHECK_MSG(!open_by_client_.contains(client_id), "client ", client_id,
            " already has an open operation");
  last_time_ns_ = invoke_time_ns;
  const int64_t id = history_.operations_size();
  Operation* op = history_.add_operations();
  op->set_id(id);
  op->set_client_id(client_id);
  op->set_node(std::string(node));
  op->set_invoke_time_ns(invoke_time_ns);
  op->set_kind(kind);
  op->set_key(std::string(key));
  open_by_client_[client_id] = id;
  return id;
}

Operation* HistoryBuilder::MutableOperation(int64_t id) {
  CHECK_GE(id, 0);
  CHECK_LT(id, history_.operations_size());
  return history_.mutable_operations(static_cast<int>(id));
}

void HistoryBuilder::Close(int64_t id) {
  Operation* op = MutableOperation(id);
  CHECK_EQ(op->outcome(), OUTCOME_UNSPECIFIED);
  auto it = open_by_client_.find(op->client_id());
  CHECK(it != open_by_client_.end());
  CHECK_EQ(it->second, id);
  open_by_client_.erase(it);
}

void HistoryBuilder::Ok(int64_t id, int64_t return_time_ns) {
  Close(id);
  Operation* op = MutableOperation(id);
  CHECK_GE(return_time_ns, op->invoke_time_ns());
  last_time_ns_ = std::max(last_time_ns_, return_time_ns);
  op->set_return_time_ns(return_time_ns);
  op->set_outcome(OK);
}

void HistoryBuilder::Fail(int64_t id, int64_t return_time_ns, absl::string_view error) {
  Close(id);
  Operation* op = MutableOperation(id);
  CHECK_GE(return_time_ns, op->invoke_time_ns());
  last_time_ns_ = std::max(last_time_ns_, return_time_ns);
  op->set_return_time_ns(return_time_ns);
  op->set_outcome(FAIL);
  op->set_error(std::string(error));
}

void HistoryBuilder::Unknown(int64_t id, absl::string_view error) {
  Close(id);
  Operation* op = MutableOperation(id);
  op->clear_return_time_ns();
  op->set_outcome(UNKNOWN);
  op->set_error(std::string(error));
}

History HistoryBuilder::Finish(absl::string_view source) && {
  for (Operation& op : *history_.mutable_operations()) {
    if (op.outcome() == OUTCOME_UNSPECIFIED) {
      op.set_outcome(UNKNOWN);
      op.clear_return_time_ns();
      if (op.error().empty()) op.set_error("no reply before the history ended");
    }
  }
  open_by_client_.clear();
  history_.set_source(std::string(source));
  return std::move(history_);
}

// --- Validation ---------------------------------------------------------------------

namespace {

absl::Status FieldError(absl::string_view where, absl::string_view field,
                        absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": field '", field, "': ", message));
}

bool IsCmpxchg(OpKind k) {
  return k == CMPXCHG_PUT || k == CMPXCHG_DELETE || k == CMPXCHG_GET_LOCAL ||
         k == CMPXCHG_GET_LINEARIZABLE;
}

// Checks one operation; `where` prefixes errors.
absl::Status ValidateOperation(const Operation& op, absl::string_view where) {
  if (op.kind() == OP_KIND_UNSPECIFIED || !OpKind_IsValid(op.kind())) {
    return FieldError(where, "kind", "missing or unknown operation kind");
  }
  if (op.outcome() == OUTCOME_UNSPECIFIED || !Outcome_IsValid(op.outcome())) {
    return FieldError(where, "outcome", "missing or unknown outcome");
  }
  if (op.outcome() == UNKNOWN && op.has_return_time_ns()) {
    return FieldError(where, "return_time_ns",
                      "an UNKNOWN operation has no return time");
  }
  if (op.outcome() != UNKNOWN) {
    if (!op.has_return_time_ns()) {
      return FieldError(where, "return_time_ns", "required unless outcome is UNKNOWN");
    }
    if (op.return_time_ns() < op.invoke_time_ns()) {
      return FieldError(where, "return_time_ns", "earlier than invoke_time_ns");
    }
  }
  const OpKind k = op.kind();
  if ((k == REGISTER_WRITE || k == REGISTER_CAS || k == KV_PUT || k == KV_APPEND ||
       k == CMPXCHG_PUT) &&
      !op.has_value()) {
    return FieldError(where, "value", "required by this operation kind");
  }
  if (k == REGISTER_CAS && !op.has_expected()) {
    return FieldError(where, "expected", "required by register_cas");
  }
  if ((k == CMPXCHG_PUT || k == CMPXCHG_DELETE) && !op.has_index()) {
    return FieldError(where, "index", "required by compare-exchange put/delete");
  }
  if (op.outcome() == OK) {
    if (k == REGISTER_CAS && !op.has_successful()) {
      return FieldError(where, "successful", "required by an ok register_cas");
    }
    if ((k == CMPXCHG_PUT || k == CMPXCHG_DELETE) && !op.has_successful()) {
      return FieldError(where, "successful", "required by an ok compare-exchange write");
    }
    if (IsCmpxchg(k) && !op.has_result_index()) {
      return FieldError(where, "result_index", "required by an ok compare-exchange reply");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Validate(const History& history) {
  absl::flat_hash_set<int64_t> ids;
  for (int i = 0; i < history.operations_size(); ++i) {
    const Operation& op = history.operations(i);
    const std::string where = absl::StrCat("operation ", i, " (id ", op.id(), ")");
    if (!ids.insert(op.id()).second) {
      return FieldError(where, "id", "duplicate operation id");
    }
    if (absl::Status s = ValidateOperation(op, where); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// --- JSONL ---------------------------------------------------------------------------

std::string ToJsonl(const History& history) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  for (const Operation& op : history.operations()) {
    std::string line;
    const auto status = google::protobuf::util::MessageToJsonString(op, &line, options);
    CHECK_MSG(status.ok(), "cannot print operation ", op.id(), ": ", status.ToString());
    out += line;
    out += '\n';
  }
  return out;
}

absl::Status WriteJsonlFile(const History& history, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open for writing"));
  out << ToJsonl(history);
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

absl::StatusOr<History> ParseJsonl(absl::string_view text, absl::string_view source) {
  History history;
  history.set_source(std::string(source));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  int line_number = 0;
  absl::flat_hash_set<int64_t> ids;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const std::string where = absl::StrCat(source, ":", line_number);
    Operation op;
    const auto status =
        google::protobuf::util::JsonStringToMessage(std::string(line), &op, options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", std::string(status.message())));
    }
    if (absl::Status s = ValidateOperation(op, where); !s.ok()) return s;
    if (!ids.insert(op.id()).second) return FieldError(where, "id", "duplicate operation id");
    *history.add_operations() = std::move(op);
  }
  return history;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path, absl::string_view what) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    return absl::NotFoundError(absl::StrCat(path, ": cannot open ", what,
                                            error != 0 ? ": " : "",
                                            error != 0 ? std::strerror(error) : ""));
  }
  // A directory opens, then reads as nothing: say what it is instead.
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a directory, not a ", what));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": cannot read ", what));
  return buffer.str();
}

absl::StatusOr<History> ReadJsonlFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path, "history file");
  if (!text.ok()) return text.status();
  return ParseJsonl(*text, path);
}

}  // namespace ravensim::history
