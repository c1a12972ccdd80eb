#include "core/cluster/register_state_machine.h"

#include <iterator>
#include <stdexcept>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/varint.h"

namespace ravensim::cluster {

const std::string& RegisterValues::at(std::string_view key) const {
  const const_iterator it = find(key);
  if (it == end()) throw std::out_of_range("RegisterValues::at");
  return it->second;
}

std::string* RegisterValues::InsertAt(size_t i, std::string_view key) {
  prefixes_.insert(prefixes_.begin() + static_cast<std::ptrdiff_t>(i), Prefix(key));
  return &entries_
              .emplace(entries_.begin() + static_cast<std::ptrdiff_t>(i), std::string(key),
                       std::string())
              ->second;
}

namespace {

// RegisterResult{ok, value, found, index} as RegisterResult::SerializeAsString() writes
// it (fields in number order, proto3 defaults left out), written over `*out` (its room
// reused). `value` must not view `*out`.
[[gnu::always_inline]] inline void EncodeResultInto(bool ok, std::string_view value,
                                                    bool found, uint64_t index,
                                                    std::string* out) {
  const size_t size =
      (ok ? 2 : 0) + BytesFieldSize(value) + (found ? 2 : 0) + UintFieldSize(index);
  out->resize(size);
  char* p = out->data();
  p = PutUintField(0x08, ok ? 1 : 0, p);
  p = PutBytesField(0x12, value, p);
  p = PutUintField(0x18, found ? 1 : 0, p);
  PutUintField(0x20, index, p);
}

// Reads a varint length of at most 32 bits; false if malformed or past `end`.
bool ReadLength(const char*& p, const char* end, size_t* length) {
  uint32_t value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (p == end) return false;
    const uint8_t byte = static_cast<uint8_t>(*p++);
    value |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (shift == 28 && byte > 0x0f) return false;
      *length = value;
      return true;
    }
  }
  return false;
}

// A RegisterCommand's operation with its fields viewed in place.
struct CommandView {
  RegisterCommand::OpCase op = RegisterCommand::OP_NOT_SET;
  std::string_view key;
  std::string_view value;      // write
  std::string_view expected;   // cas
  std::string_view new_value;  // cas
};

// Fills `out` with op `op` (the oneof's field number: 1 write, 2 read, 3 cas) and its
// fields, by field number - 1 (absent = empty).
inline void SetView(int op, const std::string_view (&fields)[3], CommandView* out) {
  out->op = static_cast<RegisterCommand::OpCase>(op);
  out->key = fields[0];
  if (op == 1) out->value = fields[1];
  if (op == 3) {
    out->expected = fields[1];
    out->new_value = fields[2];
  }
}

// Field `tag` of a short command's op at `b[*p]`, if it is there: its bytes in `*field`
// and `*p` moved past it. True also when it is absent (another key, or the end); false
// only if it is there but its length runs past `size`. A length byte of 0x80 or more
// (the start of a longer varint) always does: `size` is below 0x82 and the field starts
// at 2 or later.
[[gnu::always_inline]] inline bool TakeShortField(const char* data, size_t size,
                                                  uint8_t tag, size_t* p,
                                                  std::string_view* field) {
  const uint8_t* const b = reinterpret_cast<const uint8_t*>(data);
  const size_t at = *p;
  if (at == size || b[at] != tag) return true;
  if (at + 1 == size) return false;
  const size_t length = b[at + 1];
  if (length > size - (at + 2)) return false;
  *field = std::string_view(data + at + 2, length);
  *p = at + 2 + length;
  return true;
}

// The exact bytes the Encode* helpers write for a command under 128 bytes: the op's key
// and one-byte length, then its fields in number order, each with a one-byte length,
// empty ones left out (or present and empty). False if the bytes are anything else
// (ParseFastCommand then decides); what it accepts, ParseFastCommand reads the same way.
// Each op's fields are taken one after the other, without a loop over field numbers:
// this runs for every command every node applies.
inline bool ParseShortCommandInOrder(const std::string& bytes, CommandView* out) {
  const size_t size = bytes.size();
  if (size < 2 || size >= 0x82) return false;
  const char* const data = bytes.data();
  const uint8_t key = static_cast<uint8_t>(data[0]);
  if ((key != 0x0a && key != 0x12 && key != 0x1a) ||
      static_cast<uint8_t>(data[1]) != size - 2) {
    return false;
  }
  const int op = key >> 3;  // the oneof's field number: 1 write, 2 read, 3 cas
  std::string_view fields[3];  // by field number - 1; absent = empty (proto3)
  size_t p = 2;
  if (!TakeShortField(data, size, 0x0a, &p, &fields[0])) return false;
  if (op != 2 && !TakeShortField(data, size, 0x12, &p, &fields[1])) return false;
  if (op == 3 && !TakeShortField(data, size, 0x1a, &p, &fields[2])) return false;
  if (p != size) return false;
  SetView(op, fields, out);
  return true;
}

// A RegisterCommand in the shape the Encode* helpers write: one op, whose fields are
// all length-delimited, known to the op and each present at most once. Anything else
// (empty, unknown or repeated fields, other wire types) is left to the protobuf parser.
bool ParseFastCommand(const std::string& bytes, CommandView* out) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (p == end) return false;
  const uint8_t key = static_cast<uint8_t>(*p++);
  if (key != 0x0a && key != 0x12 && key != 0x1a) return false;
  const int op = key >> 3;  // the oneof's field number: 1 write, 2 read, 3 cas
  size_t length = 0;
  if (!ReadLength(p, end, &length) || length != static_cast<size_t>(end - p)) return false;
  const int known_fields = op == 1 ? 2 : op == 2 ? 1 : 3;
  std::string_view fields[3];  // by field number - 1; absent = empty (proto3)
  bool seen[3] = {false, false, false};
  while (p != end) {
    const uint8_t field_key = static_cast<uint8_t>(*p++);
    if ((field_key & 7) != 2) return false;
    const int field = field_key >> 3;
    if (field < 1 || field > known_fields || seen[field - 1]) return false;
    seen[field - 1] = true;
    size_t field_length = 0;
    if (!ReadLength(p, end, &field_length) ||
        field_length > static_cast<size_t>(end - p)) {
      return false;
    }
    fields[field - 1] = std::string_view(p, field_length);
    p += field_length;
  }
  SetView(op, fields, out);
  return true;
}

// The view of a command the protobuf parser read (op OP_NOT_SET if it did not parse).
CommandView ViewOf(const RegisterCommand& command) {
  CommandView view;
  view.op = command.op_case();
  switch (view.op) {
    case RegisterCommand::kWrite:
      view.key = command.write().key();
      view.value = command.write().value();
      break;
    case RegisterCommand::kRead:
      view.key = command.read().key();
      break;
    case RegisterCommand::kCas:
      view.key = command.cas().key();
      view.expected = command.cas().expected();
      view.new_value = command.cas().new_value();
      break;
    case RegisterCommand::OP_NOT_SET:
      break;
  }
  return view;
}

// Applies `command` to the register `values`; writes the serialized RegisterResult over
// `*result`. The command must not view `*result`. (Inlined into ApplyInto with the
// result's encoding, written once at the end.)
[[gnu::always_inline]] inline void ApplyTo(RegisterValues* values, uint64_t index,
                                           const CommandView& command, std::string* result) {
  const std::string_view key = command.key;
  // Malformed or empty: ok=false, nothing changed.
  bool ok = false;
  bool found = false;
  std::string_view value;  // the result's; never views `*result`
  switch (command.op) {
    case RegisterCommand::kWrite: {
      auto [held, was_found] = values->FindOrInsert(key);
      AssignBytes(held, command.value);
      ok = true;
      found = was_found;
      value = command.value;
      break;
    }
    case RegisterCommand::kRead: {
      const std::string* held = values->FindValue(key);
      ok = true;
      if (held != nullptr) {
        found = true;
        value = *held;
      }
      break;
    }
    case RegisterCommand::kCas: {
      std::string* held = values->FindValue(key);
      found = held != nullptr;
      const std::string_view current = found ? std::string_view(*held) : "";
      if (current != command.expected) {
        value = current;
        break;
      }
      AssignBytes(found ? held : values->FindOrInsert(key).first, command.new_value);
      ok = true;
      value = command.new_value;
      break;
    }
    case RegisterCommand::OP_NOT_SET:
      break;
  }
  EncodeResultInto(ok, value, found, index, result);
}

// ApplyTo of a command the in-place parsers declined, read by the protobuf parser.
[[gnu::noinline]] void ApplyParsedByProtobuf(RegisterValues* values, uint64_t index,
                                             const std::string& command, std::string* result) {
  RegisterCommand parsed;  // owns what the view points into
  CommandView view;
  if (parsed.ParseFromString(command)) view = ViewOf(parsed);
  ApplyTo(values, index, view, result);
}

}  // namespace

std::string RegisterStateMachine::Apply(uint64_t index, const std::string& command) {
  std::string result;
  ApplyInto(index, command, &result);
  return result;
}

void RegisterStateMachine::ApplyInto(uint64_t index, const std::string& command,
                                     std::string* result) {
  ++applied_count_;
  // The encodings the Encode* helpers write are read in place; any other goes through
  // the protobuf parser. Both give the same view, applied by one piece of code.
  CommandView view;
  if (ParseShortCommandInOrder(command, &view) || ParseFastCommand(command, &view)) {
    return ApplyTo(&values_, index, view, result);
  }
  ApplyParsedByProtobuf(&values_, index, command, result);
}

std::string RegisterStateMachine::Serialize() const {
  RegisterSnapshot snapshot;
  for (const auto& [key, value] : values_) {
    RegisterSnapshot::Entry* entry = snapshot.add_entries();
    entry->set_key(key);
    entry->set_value(value);
  }
  return snapshot.SerializeAsString();
}

absl::Status RegisterStateMachine::Restore(const std::string& data) {
  RegisterSnapshot snapshot;
  if (!snapshot.ParseFromString(data)) {
    return absl::DataLossError("register snapshot does not parse");
  }
  values_.clear();
  for (const RegisterSnapshot::Entry& entry : snapshot.entries()) {
    // Snapshots are sorted; any other order (or a repeated key: the last wins) is
    // inserted where it belongs.
    if (values_.empty() || std::prev(values_.end())->first < entry.key()) {
      values_.AppendSorted(entry.key(), entry.value());
    } else {
      *values_.FindOrInsert(entry.key()).first = entry.value();
    }
  }
  return absl::OkStatus();
}

namespace {

// RegisterCommand{op = {fields...}} as RegisterCommand::SerializeAsString() writes it:
// the oneof's message (always present, even if empty), its bytes fields in number
// order, empty ones left out. Written into one string of the exact size.
std::string EncodeOp(char op_key, std::string_view f1, std::string_view f2,
                     std::string_view f3) {
  const size_t inner = BytesFieldSize(f1) + BytesFieldSize(f2) + BytesFieldSize(f3);
  std::string out(DelimitedFieldSize(inner), '\0');
  char* p = out.data();
  *p++ = op_key;
  p = PutVarint(inner, p);
  p = PutBytesField(0x0a, f1, p);
  p = PutBytesField(0x12, f2, p);
  PutBytesField(0x1a, f3, p);
  return out;
}

}  // namespace

std::string RegisterStateMachine::EncodeWrite(std::string_view key, std::string_view value) {
  return EncodeOp(0x0a, key, value, {});
}

std::string RegisterStateMachine::EncodeRead(std::string_view key) {
  return EncodeOp(0x12, key, {}, {});
}

std::string RegisterStateMachine::EncodeCas(std::string_view key, std::string_view expected,
                                            std::string_view new_value) {
  return EncodeOp(0x1a, key, expected, new_value);
}

absl::StatusOr<RegisterResult> RegisterStateMachine::DecodeResult(const std::string& bytes) {
  RegisterResult result;
  if (!result.ParseFromString(bytes)) {
    return absl::DataLossError("register result does not parse");
  }
  return result;
}

}  // namespace ravensim::cluster
