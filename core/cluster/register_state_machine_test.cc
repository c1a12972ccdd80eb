#include "core/cluster/register_state_machine.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::cluster {
namespace {

RegisterResult ApplyCommand(RegisterStateMachine& sm, uint64_t index, const std::string& command) {
  absl::StatusOr<RegisterResult> result =
      RegisterStateMachine::DecodeResult(sm.Apply(index, command));
  EXPECT_TRUE(result.ok());
  return *result;
}

TEST(RegisterStateMachineTest, WriteReadCas) {
  RegisterStateMachine sm;
  RegisterResult read = ApplyCommand(sm, 1, RegisterStateMachine::EncodeRead("x"));
  EXPECT_TRUE(read.ok());
  EXPECT_FALSE(read.found());
  EXPECT_EQ(read.index(), 1u);
  EXPECT_TRUE(ApplyCommand(sm, 2, RegisterStateMachine::EncodeWrite("x", "1")).ok());
  EXPECT_EQ(ApplyCommand(sm, 3, RegisterStateMachine::EncodeRead("x")).value(), "1");
  RegisterResult failed = ApplyCommand(sm, 4, RegisterStateMachine::EncodeCas("x", "0", "2"));
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.value(), "1");
  RegisterResult cas = ApplyCommand(sm, 5, RegisterStateMachine::EncodeCas("x", "1", "2"));
  EXPECT_TRUE(cas.ok());
  EXPECT_EQ(sm.values().at("x"), "2");
  EXPECT_TRUE(ApplyCommand(sm, 6, RegisterStateMachine::EncodeCas("y", "", "new")).ok());
}

TEST(RegisterStateMachineTest, GarbageCommandChangesNothing) {
  RegisterStateMachine sm;
  RegisterResult result = ApplyCommand(sm, 1, std::string("\xff\xff\xff", 3));
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(sm.values().empty());
}

TEST(RegisterStateMachineTest, SnapshotRoundTrip) {
  RegisterStateMachine sm;
  ApplyCommand(sm, 1, RegisterStateMachine::EncodeWrite("b", "2"));
  ApplyCommand(sm, 2, RegisterStateMachine::EncodeWrite("a", "1"));
  RegisterStateMachine copy;
  ASSERT_TRUE(copy.Restore(sm.Serialize()).ok());
  EXPECT_EQ(copy.values(), sm.values());
  EXPECT_EQ(copy.Serialize(), sm.Serialize());
  EXPECT_FALSE(copy.Restore(std::string("\xff\xff", 2)).ok());
}

// Apply() reads the common encodings directly and leaves every other one to the protobuf
// parser: both must give byte-identical results and states.
TEST(RegisterStateMachineTest, UnusualEncodingsAgreeWithTheUsualOnes) {
  struct Case {
    std::string usual;
    std::string unusual;
  };
  std::vector<Case> cases;
  // Fields of the op in reverse order.
  cases.push_back({RegisterStateMachine::EncodeWrite("k", "v1"),
                   std::string("\x0a\x07\x12\x02v1\x0a\x01k", 9)});
  // A repeated field: the last one wins.
  cases.push_back({RegisterStateMachine::EncodeWrite("k", "v2"),
                   std::string("\x0a\x0b\x0a\x01k\x12\x02xx\x12\x02v2", 13)});
  // An unknown field inside the op and at the top level.
  cases.push_back({RegisterStateMachine::EncodeRead("k"),
                   std::string("\x12\x05\x0a\x01k\x20\x07\x28\x01", 9)});
  // Two ops: the last one wins.
  cases.push_back({RegisterStateMachine::EncodeCas("k", "v2", "v3"),
                   RegisterStateMachine::EncodeRead("k") +
                       RegisterStateMachine::EncodeCas("k", "v2", "v3")});
  // A failing CAS, and a CAS creating a key.
  cases.push_back({RegisterStateMachine::EncodeCas("k", "zz", "v4"),
                   std::string("\x1a\x0b\x1a\x02v4\x12\x02zz\x0a\x01k", 13)});
  cases.push_back({RegisterStateMachine::EncodeCas("n", "", "new"),
                   std::string("\x1a\x08\x1a\x03new\x0a\x01n", 10)});
  // An empty command and an empty write.
  cases.push_back({std::string(), std::string("\x28\x01", 2)});
  cases.push_back({RegisterStateMachine::EncodeWrite("", ""), std::string("\x0a\x02\x0a\x00", 4)});
  RegisterStateMachine usual;
  RegisterStateMachine unusual;
  uint64_t index = 1;
  for (const Case& c : cases) {
    const std::string a = usual.Apply(index, c.usual);
    const std::string b = unusual.Apply(index, c.unusual);
    EXPECT_EQ(a, b) << "case at index " << index;
    // And the result is exactly what RegisterResult serializes.
    absl::StatusOr<RegisterResult> decoded = RegisterStateMachine::DecodeResult(a);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->SerializeAsString(), a);
    EXPECT_EQ(decoded->index(), index);
    ++index;
  }
  EXPECT_EQ(usual.values(), unusual.values());
  EXPECT_EQ(usual.values().at("k"), "v3");
  EXPECT_EQ(usual.values().at("n"), "new");
}

TEST(RegisterStateMachineTest, ResultsMatchTheProtobufEncoding) {
  RegisterStateMachine sm;
  const std::string long_value(300, 'x');  // a two-byte length
  const uint64_t big_index = (uint64_t{1} << 40) + 5;
  RegisterResult expected;
  expected.set_ok(true);
  expected.set_value(long_value);
  expected.set_index(big_index);
  EXPECT_EQ(sm.Apply(big_index, RegisterStateMachine::EncodeWrite("k", long_value)),
            expected.SerializeAsString());
  expected.set_found(true);
  expected.set_index(0);
  EXPECT_EQ(sm.Apply(0, RegisterStateMachine::EncodeRead("k")), expected.SerializeAsString());
  RegisterResult missing;
  missing.set_ok(true);
  missing.set_index(3);
  EXPECT_EQ(sm.Apply(3, RegisterStateMachine::EncodeRead("absent")),
            missing.SerializeAsString());
  // A truncated command does not parse: ok=false, nothing changes.
  std::string truncated = RegisterStateMachine::EncodeWrite("t", "v");
  truncated.pop_back();
  RegisterResult bad;
  bad.set_index(4);
  EXPECT_EQ(sm.Apply(4, truncated), bad.SerializeAsString());
  EXPECT_EQ(sm.values().count("t"), 0u);
}

// ApplyInto() writes exactly what Apply() returns, over whatever the buffer held before
// (longer, shorter or empty), for every kind of command and outcome.
TEST(RegisterStateMachineTest, ApplyIntoGivesWhatApplyReturns) {
  const std::vector<std::string> commands = {
      RegisterStateMachine::EncodeWrite("k", "v1"),
      RegisterStateMachine::EncodeRead("k"),
      RegisterStateMachine::EncodeRead("absent"),
      RegisterStateMachine::EncodeCas("k", "v1", std::string(300, 'w')),
      RegisterStateMachine::EncodeCas("k", "wrong", "x"),
      RegisterStateMachine::EncodeCas("new", "", "n"),
      RegisterStateMachine::EncodeWrite("k", ""),
      std::string("\x0a\x05garbage", 7),
      "",
  };
  RegisterStateMachine by_value;
  RegisterStateMachine into;
  std::string buffer(100, '#');
  uint64_t index = 1;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& command : commands) {
      const std::string expected = by_value.Apply(index, command);
      into.ApplyInto(index, command, &buffer);
      EXPECT_EQ(buffer, expected) << index;
      index = index * 131 + 7;  // multi-byte varints too
    }
  }
  EXPECT_EQ(into.values(), by_value.values());
  EXPECT_EQ(into.Serialize(), by_value.Serialize());
}

TEST(RegisterStateMachineTest, CommandsMatchTheProtobufEncoding) {
  // Empty, short and long (two- and three-byte lengths) fields.
  const std::vector<std::string> fields = {"", "k", "v12345", "v1234567",
                                           "abcdefghijklmnop", std::string(200, 'a'),
                                           std::string(20000, 'b')};
  for (const std::string& a : fields) {
    RegisterCommand read;
    read.mutable_read()->set_key(a);
    EXPECT_EQ(RegisterStateMachine::EncodeRead(a), read.SerializeAsString());
    for (const std::string& b : fields) {
      RegisterCommand write;
      write.mutable_write()->set_key(a);
      write.mutable_write()->set_value(b);
      EXPECT_EQ(RegisterStateMachine::EncodeWrite(a, b), write.SerializeAsString());
      for (const std::string& c : fields) {
        RegisterCommand cas;
        cas.mutable_cas()->set_key(a);
        cas.mutable_cas()->set_expected(b);
        cas.mutable_cas()->set_new_value(c);
        EXPECT_EQ(RegisterStateMachine::EncodeCas(a, b, c), cas.SerializeAsString())
            << a.size() << " " << b.size() << " " << c.size();
      }
    }
  }
}

// The register as it was first written: every command through the protobuf parser, the
// state in a std::map, the result serialized by protobuf. The state machine's in-place
// parsers, its sorted vector and its direct result encoding must agree with it.
class ReferenceRegister {
 public:
  std::string Apply(uint64_t index, const std::string& bytes) {
    RegisterCommand command;
    RegisterResult result;
    result.set_index(index);
    if (!command.ParseFromString(bytes)) return result.SerializeAsString();
    switch (command.op_case()) {
      case RegisterCommand::kWrite: {
        auto it = values_.find(command.write().key());
        result.set_found(it != values_.end());
        values_[command.write().key()] = command.write().value();
        result.set_ok(true);
        result.set_value(command.write().value());
        break;
      }
      case RegisterCommand::kRead: {
        auto it = values_.find(command.read().key());
        result.set_ok(true);
        if (it != values_.end()) {
          result.set_found(true);
          result.set_value(it->second);
        }
        break;
      }
      case RegisterCommand::kCas: {
        auto it = values_.find(command.cas().key());
        const bool found = it != values_.end();
        const std::string current = found ? it->second : "";
        result.set_found(found);
        if (current != command.cas().expected()) {
          result.set_value(current);
          break;
        }
        values_[command.cas().key()] = command.cas().new_value();
        result.set_ok(true);
        result.set_value(command.cas().new_value());
        break;
      }
      case RegisterCommand::OP_NOT_SET:
        break;
    }
    return result.SerializeAsString();
  }
  std::string Serialize() const {
    RegisterSnapshot snapshot;
    for (const auto& [key, value] : values_) {
      RegisterSnapshot::Entry* entry = snapshot.add_entries();
      entry->set_key(key);
      entry->set_value(value);
    }
    return snapshot.SerializeAsString();
  }
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// A small deterministic generator (the test needs no distribution quality).
struct TestRandom {
  uint64_t state;
  uint64_t Next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

std::string Field(char key, const std::string& value) {
  std::string out(1, key);
  size_t n = value.size();
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  return out + value;
}

TEST(RegisterStateMachineTest, AgreesWithTheProtobufAndMapReference) {
  // Keys sharing prefixes, of 0 to 41 bytes (shorter and longer than the eight bytes
  // compared as integers), with bytes above 0x7f (compared unsigned).
  const std::vector<std::string> keys = {
      "", "k", "k0", "k1", "k10", "k2", "K", "\x80", "k\xff", "\xffk",
      "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopr",
      std::string(40, 'z'), std::string(40, 'z') + "a", "zzzzzzzz",
      // Zero bytes: equal to "k" in the first eight bytes' zero-padded prefix.
      std::string("k\0", 2), std::string("k\0\0\0\0\0\0\0", 8),
      std::string("k\0\0\0\0\0\0\0a", 9), std::string("k\0\0\0\0\0\0\0\0", 9)};
  auto value_of = [](TestRandom& r) {
    switch (r.Below(6)) {
      case 0: return std::string();
      case 1: return std::string(1, static_cast<char>('a' + r.Below(3)));
      case 2: return "v" + std::to_string(r.Below(12));
      case 3: return std::string(5 + r.Below(12), 'x');  // 5..16: the two-load copies
      case 4: return std::string(17 + r.Below(30), 'y');
      default: return std::string(100 + r.Below(200), 'w');  // one- and two-byte lengths
    }
  };
  // Odd seeds draw from a few keys (the register stays at most kLinearSearchMax entries,
  // scanned in order), even ones from all (bisected once the register grows).
  const std::vector<std::string> few_keys = {
      "k", "k0", "K", "abcdefghijklmnopq", std::string("k\0", 2),
      std::string("k\0\0\0\0\0\0\0", 8), std::string("k\0\0\0\0\0\0\0a", 9)};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    TestRandom r{seed};
    const std::vector<std::string>& pool = seed % 2 == 1 ? few_keys : keys;
    RegisterStateMachine sm;
    ReferenceRegister reference;
    std::string into = "#";
    for (uint64_t index = 1; index <= 400; ++index) {
      const std::string key = pool[r.Below(pool.size())];
      const std::string a = value_of(r);
      const std::string b = value_of(r);
      std::string command;
      const uint64_t op = r.Below(3);
      if (op == 0) command = RegisterStateMachine::EncodeWrite(key, a);
      if (op == 1) command = RegisterStateMachine::EncodeRead(key);
      if (op == 2) {
        // Expect the current value half of the time, so that CAS succeeds too.
        auto it = reference.values().find(key);
        const std::string expected =
            r.Below(2) == 0 && it != reference.values().end() ? it->second : a;
        command = RegisterStateMachine::EncodeCas(key, expected, b);
      }
      switch (r.Below(8)) {
        case 0: {  // Fields reversed, or present and empty, inside the op.
          const std::string inner =
              Field(0x1a, "") + Field(0x12, op == 1 ? "" : a) + Field(0x0a, key);
          command = Field(static_cast<char>(0x0a + 8 * op), inner);
          break;
        }
        case 1:  // Truncated.
          command.resize(r.Below(command.size() + 1));
          break;
        case 2:  // A byte changed.
          if (!command.empty()) {
            command[r.Below(command.size())] = static_cast<char>(r.Below(256));
          }
          break;
        case 3:  // A byte appended.
          command.push_back(static_cast<char>(r.Below(256)));
          break;
        default:
          break;
      }
      // Result indexes of one to ten varint bytes (the result writes the short ones
      // straight).
      const uint64_t at = index << (7 * r.Below(9));
      const std::string expected = reference.Apply(at, command);
      if (index % 2 == 0) {
        EXPECT_EQ(sm.Apply(at, command), expected) << "seed " << seed << " index " << at;
      } else {
        sm.ApplyInto(at, command, &into);
        EXPECT_EQ(into, expected) << "seed " << seed << " index " << at;
      }
    }
    ASSERT_EQ(sm.values().size(), reference.values().size());
    auto it = reference.values().begin();
    for (const auto& [key, value] : sm.values()) {
      EXPECT_EQ(key, it->first);
      EXPECT_EQ(value, it->second);
      EXPECT_EQ(sm.values().at(key), value);
      ++it;
    }
    EXPECT_EQ(sm.Serialize(), reference.Serialize()) << "seed " << seed;
  }
}

TEST(RegisterStateMachineTest, RestoresUnsortedAndRepeatedKeys) {
  RegisterSnapshot snapshot;
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"b", "1"}, {"a", "2"}, {"c", "3"}, {"a", "4"}, {"\xff", "5"}, {"", "6"}}) {
    RegisterSnapshot::Entry* entry = snapshot.add_entries();
    entry->set_key(key);
    entry->set_value(value);
  }
  RegisterStateMachine sm;
  ASSERT_TRUE(sm.Restore(snapshot.SerializeAsString()).ok());
  std::vector<std::pair<std::string, std::string>> held(sm.values().begin(),
                                                        sm.values().end());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"", "6"}, {"a", "4"}, {"b", "1"}, {"c", "3"}, {"\xff", "5"}};
  EXPECT_EQ(held, expected);
  EXPECT_EQ(sm.values().count("a"), 1u);
  EXPECT_EQ(sm.values().count("d"), 0u);
}

// Prefix() (overlapping loads) is PrefixByBytes() (byte by byte) for keys of every length
// up to 20 bytes, with random bytes (above 0x7f and zero among them).
TEST(RegisterStateMachineTest, PrefixIsThePrefixByBytes) {
  TestRandom r{7};
  for (size_t n = 0; n <= 20; ++n) {
    for (int round = 0; round < 200; ++round) {
      std::string key(n, '\0');
      for (char& c : key) {
        c = static_cast<char>(r.Below(4) == 0 ? 0 : r.Below(256));
      }
      ASSERT_EQ(RegisterValues::Prefix(key), RegisterValues::PrefixByBytes(key))
          << "length " << n << " round " << round;
    }
  }
}

// Prefixes: big-endian, zero-padded, the empty key's 0; keys differing only in trailing
// zero bytes share one, and the register still orders and finds them apart.
TEST(RegisterStateMachineTest, KeyPrefixesOrderAsTheKeys) {
  EXPECT_EQ(RegisterValues::Prefix(""), 0u);
  EXPECT_EQ(RegisterValues::Prefix(std::string(1, '\0')), 0u);
  EXPECT_EQ(RegisterValues::Prefix("a"), uint64_t{0x61} << 56);
  EXPECT_EQ(RegisterValues::Prefix("abcdefghij"), RegisterValues::Prefix("abcdefgh"));
  EXPECT_LT(RegisterValues::Prefix("ab"), RegisterValues::Prefix("b"));
  RegisterStateMachine sm;
  const std::vector<std::string> keys = {"b", std::string(2, '\0'), "", "a",
                                         std::string(1, '\0')};
  uint64_t index = 0;
  for (const std::string& key : keys) {
    sm.Apply(++index, RegisterStateMachine::EncodeWrite(key, "v" + key));
  }
  std::vector<std::string> in_order;
  for (const auto& [key, value] : sm.values()) {
    EXPECT_EQ(value, "v" + key);
    in_order.push_back(key);
  }
  EXPECT_EQ(in_order, (std::vector<std::string>{"", std::string(1, '\0'),
                                                std::string(2, '\0'), "a", "b"}));
  for (const std::string& key : keys) EXPECT_EQ(sm.values().at(key), "v" + key);
}

}  // namespace
}  // namespace ravensim::cluster
