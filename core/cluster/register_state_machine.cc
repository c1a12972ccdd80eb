#include "core/cluster/register_state_machine.h"

namespace ravensim::cluster {

std::string RegisterStateMachine::Apply(uint64_t index, const std::string& command) {
  ++applied_count_;
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
