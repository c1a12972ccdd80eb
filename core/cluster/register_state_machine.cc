#include "core/cluster/register_state_machine.h"

#include <cstring>
#include <string_view>

namespace ravensim::cluster {

namespace {

// RegisterResult{ok, value, found, index} as RegisterResult::SerializeAsString() writes
// it: fields in number order, proto3 defaults left out.
std::string EncodeResult(bool ok, std::string_view value, bool found, uint64_t index) {
  // Everything but the value fits in 2 + 6 + 2 + 11 bytes.
  char head[32];
  char* p = head;
  auto put_varint = [&p](uint64_t v) {
    while (v >= 0x80) {
      *p++ = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
  };
  if (ok) {
    *p++ = 0x08;
    *p++ = 0x01;
  }
  if (!value.empty()) {
    *p++ = 0x12;
    put_varint(value.size());
  }
  const size_t head_size = static_cast<size_t>(p - head);
  char tail[16];
  p = tail;
  if (found) {
    *p++ = 0x18;
    *p++ = 0x01;
  }
  if (index != 0) {
    *p++ = 0x20;
    put_varint(index);
  }
  const size_t tail_size = static_cast<size_t>(p - tail);
  std::string out;
  out.reserve(head_size + value.size() + tail_size);
  out.append(head, head_size);
  out.append(value);
  out.append(tail, tail_size);
  return out;
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

// A RegisterCommand in the shape the Encode* helpers write: one op, whose fields are
// all length-delimited, known to the op and each present at most once. Anything else
// (empty, unknown or repeated fields, other wire types) is left to the protobuf parser.
struct FastCommand {
  int op = 0;                     // 1 write, 2 read, 3 cas
  std::string_view fields[3];     // by field number - 1; absent = empty (proto3)
};

bool ParseFastCommand(const std::string& bytes, FastCommand* out) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (p == end) return false;
  const uint8_t key = static_cast<uint8_t>(*p++);
  if (key != 0x0a && key != 0x12 && key != 0x1a) return false;
  out->op = key >> 3;
  size_t length = 0;
  if (!ReadLength(p, end, &length) || length != static_cast<size_t>(end - p)) return false;
  const int known_fields = out->op == 1 ? 2 : out->op == 2 ? 1 : 3;
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
    out->fields[field - 1] = std::string_view(p, field_length);
    p += field_length;
  }
  return true;
}

}  // namespace

std::string RegisterStateMachine::Apply(uint64_t index, const std::string& command) {
  ++applied_count_;
  FastCommand fast;
  if (!ParseFastCommand(command, &fast)) return ApplyParsed(index, command);
  const std::string key(fast.fields[0]);
  switch (fast.op) {
    case 1: {  // write
      const std::string_view value = fast.fields[1];
      auto [it, inserted] = values_.try_emplace(key);
      it->second.assign(value);
      return EncodeResult(/*ok=*/true, value, /*found=*/!inserted, index);
    }
    case 2: {  // read
      auto it = values_.find(key);
      if (it == values_.end()) return EncodeResult(true, "", false, index);
      return EncodeResult(true, it->second, true, index);
    }
    default: {  // cas
      const std::string_view expected = fast.fields[1];
      const std::string_view new_value = fast.fields[2];
      auto it = values_.find(key);
      const bool found = it != values_.end();
      const std::string_view current = found ? std::string_view(it->second) : "";
      if (current != expected) return EncodeResult(false, current, found, index);
      if (found) {
        it->second.assign(new_value);
      } else {
        values_.emplace(key, new_value);
      }
      return EncodeResult(true, new_value, found, index);
    }
  }
}

std::string RegisterStateMachine::ApplyParsed(uint64_t index, const std::string& command) {
  RegisterCommand parsed;
  RegisterResult result;
  result.set_index(index);
  if (!parsed.ParseFromString(command)) return result.SerializeAsString();
  switch (parsed.op_case()) {
    case RegisterCommand::kWrite: {
      result.set_found(values_.count(parsed.write().key()) > 0);
      values_[parsed.write().key()] = parsed.write().value();
      result.set_ok(true);
      result.set_value(parsed.write().value());
      break;
    }
    case RegisterCommand::kRead: {
      auto it = values_.find(parsed.read().key());
      result.set_ok(true);
      result.set_found(it != values_.end());
      if (it != values_.end()) result.set_value(it->second);
      break;
    }
    case RegisterCommand::kCas: {
      auto it = values_.find(parsed.cas().key());
      const std::string current = it == values_.end() ? "" : it->second;
      result.set_found(it != values_.end());
      if (current == parsed.cas().expected()) {
        values_[parsed.cas().key()] = parsed.cas().new_value();
        result.set_ok(true);
        result.set_value(parsed.cas().new_value());
      } else {
        result.set_value(current);
      }
      break;
    }
    case RegisterCommand::OP_NOT_SET:
      break;
  }
  return result.SerializeAsString();
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
    values_[entry.key()] = entry.value();
  }
  return absl::OkStatus();
}

std::string RegisterStateMachine::EncodeWrite(const std::string& key,
                                              const std::string& value) {
  RegisterCommand command;
  command.mutable_write()->set_key(key);
  command.mutable_write()->set_value(value);
  return command.SerializeAsString();
}

std::string RegisterStateMachine::EncodeRead(const std::string& key) {
  RegisterCommand command;
  command.mutable_read()->set_key(key);
  return command.SerializeAsString();
}

std::string RegisterStateMachine::EncodeCas(const std::string& key,
                                            const std::string& expected,
                                            const std::string& new_value) {
  RegisterCommand command;
  command.mutable_cas()->set_key(key);
  command.mutable_cas()->set_expected(expected);
  command.mutable_cas()->set_new_value(new_value);
  return command.SerializeAsString();
}

absl::StatusOr<RegisterResult> RegisterStateMachine::DecodeResult(const std::string& bytes) {
  RegisterResult result;
  if (!result.ParseFromString(bytes)) {
    return absl::DataLossError("register result does not parse");
  }
  return result;
}

}  // namespace ravensim::cluster
