#include "checkers/history/importers.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "checkers/history/history.h"

namespace ravensim::history {
namespace {

absl::Status LineError(absl::string_view source, int line, absl::string_view field,
                       absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ":", line, ": field '", field, "': ", message));
}

// Tracks each client's open operation while a file is read.
class OpenOperations {
 public:
  explicit OpenOperations(History* h) : h_(h) {}

  void Invoke(int64_t client, int64_t time, OpKind kind, const std::string& key,
              Operation** out) {
    // A client that invokes again without a return left its previous operation
    // unknown (Jepsen's :info); it stays UNKNOWN.
    Operation* op = h_->add_operations();
    op->set_id(h_->operations_size() - 1);
    op->set_client_id(client);
    op->set_invoke_time_ns(time);
    op->set_kind(kind);
    op->set_key(key);
    op->set_outcome(UNKNOWN);
    open_[client] = h_->operations_size() - 1;
    *out = op;
  }

  // The open operation of `client`, or nullptr.
  Operation* Find(int64_t client) {
    auto it = open_.find(client);
    return it == open_.end() ? nullptr : h_->mutable_operations(it->second);
  }

  void Close(int64_t client, int64_t time, Outcome outcome) {
    Operation* op = Find(client);
    op->set_return_time_ns(time);
    op->set_outcome(outcome);
    open_.erase(client);
  }

  void Abandon(int64_t client) { open_.erase(client); }

 private:
  History* h_;
  absl::flat_hash_map<int64_t, int> open_;
};

// Parses a Jepsen register value: nil, an integer, or "[a b]" (two values).
absl::Status ParseEtcdValue(absl::string_view text, std::vector<Value>* out) {
  out->clear();
  text = absl::StripAsciiWhitespace(text);
  if (!text.empty() && text.front() == '[') {
    if (text.back() != ']') return absl::InvalidArgumentError("unterminated '['");
    text = text.substr(1, text.size() - 2);
  }
  for (absl::string_view part : absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
    int64_t i;
    if (part == "nil") {
      out->push_back(AbsentValue());
    } else if (absl::SimpleAtoi(part, &i)) {
      out->push_back(IntValue(i));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("not nil or an integer: '", part, "'"));
    }
  }
  return absl::OkStatus();
}

// Applies one parsed etcd log event (an invocation or a completion) to `open`.
absl::Status ApplyEtcdEvent(absl::string_view source, int line_number, int64_t client,
                            absl::string_view type, OpKind kind, const std::string& raw,
                            const std::vector<Value>& values, OpenOperations* open) {
  const absl::string_view fn = kind == REGISTER_READ ? ":read" : kind == REGISTER_WRITE ? ":write" : ":cas";
  const bool timed_out = raw == ":timed-out";
  if (type == ":invoke") {
    if (kind == REGISTER_CAS && values.size() != 2) {
      return LineError(source, line_number, "value", "cas needs [from to]");
    }
    if (kind == REGISTER_WRITE && values.size() != 1) {
      return LineError(source, line_number, "value", "write needs one value");
    }
    Operation* op;
    open->Invoke(client, line_number, kind, "", &op);
    if (kind == REGISTER_WRITE) *op->mutable_value() = values[0];
    if (kind == REGISTER_CAS) {
      *op->mutable_expected() = values[0];
      *op->mutable_value() = values[1];
    }
    return absl::OkStatus();
  }
  Operation* op = open->Find(client);
  if (op == nullptr || op->kind() != kind) {
    return LineError(source, line_number, "process",
                     absl::StrCat("no open ", fn, " for process ", client));
  }
  if (type == ":info") {
    op->set_error("info: " + raw);
    open->Abandon(client);  // stays UNKNOWN
  } else if (type == ":ok" || (type == ":fail" && kind == REGISTER_CAS && !timed_out)) {
    if (kind == REGISTER_READ) {
      if (values.size() != 1) return LineError(source, line_number, "value", "read returns one value");
      *op->mutable_result() = values[0];
    }
    if (kind == REGISTER_CAS) op->set_successful(type == ":ok");
    open->Close(client, line_number, OK);
  } else if (type == ":fail") {
    op->set_error("fail: " + raw);
    open->Close(client, line_number, FAIL);
  } else {
    return LineError(source, line_number, "type", absl::StrCat("unknown type ", type));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<History> ParseJepsenEtcdLog(absl::string_view text, absl::string_view source) {
  History h;
  h.set_source(std::string(source));
  OpenOperations open(&h);
  int line_number = 0;
  int first_content_line = 0;  // The first non-blank line, when no history line is seen.
  bool history_lines = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const size_t at = line.find("jepsen.util -");
    if (at == absl::string_view::npos) {
      if (first_content_line == 0 && !absl::StripAsciiWhitespace(line).empty()) {
        first_content_line = line_number;
      }
      continue;
    }
    history_lines = true;
    std::vector<absl::string_view> f = absl::StrSplit(
        line.substr(at + 13), absl::ByAnyChar(" \t"), absl::SkipEmpty());
    int64_t client;
    if (f.empty() || !absl::SimpleAtoi(f[0], &client)) continue;  // e.g. :nemesis
    if (f.size() < 4) return LineError(source, line_number, "value", "missing fields");
    const absl::string_view fn = f[2];
    std::string raw;
    for (size_t i = 3; i < f.size(); ++i) absl::StrAppend(&raw, i > 3 ? " " : "", f[i]);
    OpKind kind;
    if (fn == ":read") kind = REGISTER_READ;
    else if (fn == ":write") kind = REGISTER_WRITE;
    else if (fn == ":cas") kind = REGISTER_CAS;
    else return LineError(source, line_number, "f", absl::StrCat("unknown function ", fn));
    std::vector<Value> values;
    if (raw != ":timed-out") {
      if (absl::Status s = ParseEtcdValue(raw, &values); !s.ok()) {
        return LineError(source, line_number, "value", s.message());
      }
    }
    if (absl::Status st =
            ApplyEtcdEvent(source, line_number, client, f[1], kind, raw, values, &open);
        !st.ok()) {
      return st;
    }
  }
  // Text with not one history line is some other file (a JSONL history given the wrong
  // --format, say), not an empty history that is trivially linearizable.
  if (!history_lines && first_content_line != 0) {
    return LineError(source, first_content_line, "jepsen.util",
                     "no Jepsen history line (\"... jepsen.util - <process> :invoke "
                     ":read nil\") in the file; is this a Jepsen etcd log?");
  }
  return h;
}

namespace {

// A tiny reader for the flat EDN maps of the Porcupine kv files.
struct EdnItem {
  enum Kind { kKeyword, kString, kInt, kNil } kind;
  std::string text;
  int64_t number = 0;
};

absl::Status ReadEdnItem(absl::string_view& s, EdnItem* item) {
  s = absl::StripLeadingAsciiWhitespace(s);
  if (s.empty()) return absl::InvalidArgumentError("unexpected end of line");
  if (s.front() == '"') {
    std::string out;
    size_t i = 1;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out.push_back(s[i]);
    }
    if (i >= s.size()) return absl::InvalidArgumentError("unterminated string");
    s.remove_prefix(i + 1);
    *item = EdnItem{EdnItem::kString, std::move(out)};
    return absl::OkStatus();
  }
  size_t end = 0;
  while (end < s.size() && s[end] != ',' && s[end] != '}' &&
         !absl::ascii_isspace(static_cast<unsigned char>(s[end]))) {
    ++end;
  }
  const absl::string_view token = s.substr(0, end);
  s.remove_prefix(end);
  if (token.empty()) return absl::InvalidArgumentError("expected a value");
  if (token == "nil") {
    *item = EdnItem{EdnItem::kNil, ""};
  } else if (token.front() == ':') {
    *item = EdnItem{EdnItem::kKeyword, std::string(token)};
  } else {
    int64_t n;
    if (!absl::SimpleAtoi(token, &n)) {
      return absl::InvalidArgumentError(absl::StrCat("cannot read '", token, "'"));
    }
    *item = EdnItem{EdnItem::kInt, std::string(token), n};
  }
  return absl::OkStatus();
}

// Reads "{:k v, :k v}" into `fields` (keyword -> item).
absl::Status ReadEdnMap(absl::string_view s, absl::flat_hash_map<std::string, EdnItem>* fields,
                        std::string* bad_field) {
  s = absl::StripAsciiWhitespace(s);
  bad_field->assign(1, '{');  // (= "{" trips GCC 12's false -Wrestrict at -O2)
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') {
    return absl::InvalidArgumentError("expected one {...} map per line");
  }
  s = s.substr(1, s.size() - 2);
  while (true) {
    s = absl::StripLeadingAsciiWhitespace(s);
    while (!s.empty() && s.front() == ',') s = absl::StripLeadingAsciiWhitespace(s.substr(1));
    if (s.empty()) return absl::OkStatus();
    EdnItem key, value;
    if (absl::Status st = ReadEdnItem(s, &key); !st.ok()) return st;
    if (key.kind != EdnItem::kKeyword) return absl::InvalidArgumentError("expected a :keyword");
    *bad_field = key.text;
    if (absl::Status st = ReadEdnItem(s, &value); !st.ok()) return st;
    (*fields)[key.text] = std::move(value);
  }
}

}  // namespace

absl::StatusOr<History> ParsePorcupineKv(absl::string_view text, absl::string_view source) {
  History h;
  h.set_source(std::string(source));
  OpenOperations open(&h);
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    absl::flat_hash_map<std::string, EdnItem> m;
    std::string bad_field;
    if (absl::Status s = ReadEdnMap(line, &m, &bad_field); !s.ok()) {
      return LineError(source, line_number, bad_field, s.message());
    }
    for (const char* required : {":process", ":type", ":f"}) {
      if (!m.contains(required)) return LineError(source, line_number, required, "missing");
    }
    if (m[":process"].kind != EdnItem::kInt) {
      return LineError(source, line_number, ":process", "expected an integer");
    }
    const int64_t client = m[":process"].number;
    const std::string type = m[":type"].text, fn = m[":f"].text;
    OpKind kind;
    if (fn == ":get") kind = KV_GET;
    else if (fn == ":put") kind = KV_PUT;
    else if (fn == ":append") kind = KV_APPEND;
    else return LineError(source, line_number, ":f", absl::StrCat("unknown function ", fn));
    Value value;
    if (auto it = m.find(":value"); it != m.end()) {
      if (it->second.kind == EdnItem::kString) value = StrValue(it->second.text);
      else if (it->second.kind == EdnItem::kInt) value = IntValue(it->second.number);
      else if (it->second.kind != EdnItem::kNil) {
        return LineError(source, line_number, ":value", "expected a string, integer or nil");
      }
    }
    const std::string key = m.contains(":key") ? m[":key"].text : "";
    if (type == ":invoke") {
      Operation* op;
      open.Invoke(client, line_number, kind, key, &op);
      if (kind != KV_GET) *op->mutable_value() = value;
      continue;
    }
    Operation* op = open.Find(client);
    if (op == nullptr || op->kind() != kind || op->key() != key) {
      return LineError(source, line_number, ":process",
                       absl::StrCat("no matching open ", fn, " for process ", client));
    }
    if (type == ":ok") {
      if (kind == KV_GET) *op->mutable_result() = value;
      open.Close(client, line_number, OK);
    } else if (type == ":fail") {
      open.Close(client, line_number, FAIL);
    } else if (type == ":info") {
      open.Abandon(client);
    } else {
      return LineError(source, line_number, ":type", absl::StrCat("unknown type ", type));
    }
  }
  return h;
}

}  // namespace ravensim::history
