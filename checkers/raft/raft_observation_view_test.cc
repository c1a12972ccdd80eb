#include "checkers/raft/raft_observation_view.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::checkers::raft {
namespace {

void ExpectSame(const RaftObservationView& a, const RaftObservationView& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.time_ns, b.time_ns);
  EXPECT_EQ(a.node, b.node);
  EXPECT_EQ(a.tag, b.tag);
  EXPECT_EQ(a.incarnation, b.incarnation);
  EXPECT_EQ(a.role, b.role);
  EXPECT_EQ(a.term, b.term);
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.entry_term, b.entry_term);
  EXPECT_EQ(a.prev_term, b.prev_term);
  EXPECT_EQ(a.command_hash, b.command_hash);
  EXPECT_EQ(a.by_quorum, b.by_quorum);
  EXPECT_EQ(a.supporters, b.supporters);
  EXPECT_EQ(a.voters, b.voters);
  EXPECT_EQ(a.non_voters, b.non_voters);
  EXPECT_EQ(a.committed_term, b.committed_term);
  EXPECT_EQ(a.commit_index, b.commit_index);
  ASSERT_EQ(a.applied.size(), b.applied.size());
  for (size_t i = 0; i < a.applied.size(); ++i) {
    EXPECT_EQ(a.applied[i].index, b.applied[i].index);
    EXPECT_EQ(a.applied[i].entry_term, b.applied[i].entry_term);
    EXPECT_EQ(a.applied[i].command_hash, b.applied[i].command_hash);
    EXPECT_EQ(a.applied[i].skipped, b.applied[i].skipped);
    EXPECT_EQ(a.applied[i].not_request, b.applied[i].not_request);
  }
}

// The view parser agrees with the message parser on `bytes`: both fail, or both succeed
// with the same fields.
void ExpectParsesLikeTheMessage(const std::string& bytes) {
  RaftObservation message;
  const bool message_ok = message.ParseFromString(bytes);
  RaftObservationView parsed;
  const bool view_ok = ParseRaftObservationView(bytes, &parsed);
  ASSERT_EQ(view_ok, message_ok);
  if (!message_ok) return;
  RaftObservationView expected;
  ViewOf(message, &expected);
  ExpectSame(parsed, expected);
}

std::vector<RaftObservation> Samples() {
  std::vector<RaftObservation> samples;
  RaftObservation full;
  full.set_kind(RaftObservation::COMMIT_ADVANCED);
  full.set_time_ns(-5);  // Negative: a ten-byte varint.
  full.set_node(-1);
  full.set_tag("ZB");
  full.set_incarnation(3000);
  full.set_role("Leader");
  full.set_term(9);
  full.set_index(uint64_t{1} << 40);
  full.set_entry_term(8);
  full.set_prev_term(7);
  full.set_command_hash(0xfedcba9876543210ULL);
  full.set_by_quorum(true);
  full.add_supporters("A");
  full.add_supporters("");  // An empty element is still an element.
  full.add_voters("A");
  full.add_voters("B");
  full.add_voters("C");
  full.add_non_voters("W");
  full.set_committed_term(6);
  full.set_skipped(true);
  full.set_not_request(true);
  samples.push_back(full);
  samples.emplace_back();  // Every field default: no bytes at all.
  RaftObservation appended;
  appended.set_kind(RaftObservation::ENTRY_APPENDED);
  appended.set_tag("A");
  appended.set_incarnation(1);
  appended.set_index(300);
  appended.set_command_hash(UINT64_MAX);
  samples.push_back(appended);
  return samples;
}

TEST(RaftObservationViewTest, ParsesWhatTheMessageSerializes) {
  for (const RaftObservation& sample : Samples()) {
    ExpectParsesLikeTheMessage(sample.SerializeAsString());
    RaftObservationView parsed;
    const std::string bytes = sample.SerializeAsString();
    ASSERT_TRUE(ParseRaftObservationView(bytes, &parsed));
    EXPECT_EQ(parsed.kind, sample.kind());
    EXPECT_EQ(parsed.time_ns, sample.time_ns());
    EXPECT_EQ(parsed.node, sample.node());
    EXPECT_EQ(parsed.tag, sample.tag());
    EXPECT_EQ(parsed.command_hash, sample.command_hash());
    EXPECT_EQ(parsed.supporters.size(), static_cast<size_t>(sample.supporters_size()));
  }
}

TEST(RaftObservationViewTest, LaterFieldsWinAndRepeatedFieldsAccumulate) {
  const std::vector<RaftObservation> samples = Samples();
  ExpectParsesLikeTheMessage(samples[0].SerializeAsString() + samples[2].SerializeAsString());
  ExpectParsesLikeTheMessage(samples[2].SerializeAsString() + samples[0].SerializeAsString());
  ExpectParsesLikeTheMessage(samples[0].SerializeAsString() + samples[0].SerializeAsString());
}

TEST(RaftObservationViewTest, SkipsUnknownFieldsAndKnownFieldsOfAnotherWireType) {
  const std::string base = Samples()[0].SerializeAsString();
  ExpectParsesLikeTheMessage(base + std::string("\x98\x06\x05", 3));        // 99: varint
  ExpectParsesLikeTheMessage(base + std::string("\x99\x06", 2) + std::string(8, 'x'));
  ExpectParsesLikeTheMessage(base + std::string("\x9d\x06", 2) + std::string(4, 'x'));
  ExpectParsesLikeTheMessage(base + std::string("\x9a\x06\x02hi", 5));      // 99: bytes
  ExpectParsesLikeTheMessage(base + std::string("\x9b\x06\x08\x01\x9c\x06", 6));  // group
  ExpectParsesLikeTheMessage(std::string("\x20\x07", 2) + base);  // 4 (tag) as a varint
  ExpectParsesLikeTheMessage(std::string("\x3a\x01x", 3) + base);  // 7 (term) as bytes
}

TEST(RaftObservationViewTest, RejectsWhatTheMessageRejects) {
  const std::string base = Samples()[0].SerializeAsString();
  for (const std::string& bad : {
           std::string("\xff\xff\xff", 3),                 // a key that never ends
           base.substr(0, base.size() - 1),                // a cut bytes field
           std::string("\x22\x05" "ab", 4),                // bytes longer than the message
           std::string("\x02\x00", 2),                     // field number 0
           std::string("\x0e", 1),                         // wire type 6
           std::string("\x0f", 1),                         // wire type 7
           std::string("\x0c", 1),                         // an end group at the top
           std::string("\x9b\x06\x08\x01", 4),             // a group that never ends
           std::string("\x38") + std::string(10, '\xff'),  // a varint past ten bytes
       }) {
    RaftObservation message;
    EXPECT_FALSE(message.ParseFromString(bad));
    RaftObservationView view;
    EXPECT_FALSE(ParseRaftObservationView(bad, &view));
  }
}

TEST(RaftObservationViewTest, ParsesFoldedCommitAndAppliedEntries) {
  RaftObservation commit;
  commit.set_kind(RaftObservation::ENTRY_APPENDED);
  commit.set_tag("B");
  commit.set_index(302);
  commit.set_commit_index(301);
  for (uint64_t index : {300, 301}) {
    RaftObservation::Applied* entry = commit.add_applied();
    entry->set_index(index);
    entry->set_entry_term(4);
    entry->set_command_hash(0xfedcba9876543210ULL + index);
  }
  commit.add_applied();  // Every field default: an empty entry, still an entry.
  const std::string bytes = commit.SerializeAsString();
  ExpectParsesLikeTheMessage(bytes);
  RaftObservationView view;
  ASSERT_TRUE(ParseRaftObservationView(bytes, &view));
  ASSERT_EQ(view.applied.size(), 3u);
  EXPECT_EQ(view.applied[1].index, 301u);
  EXPECT_EQ(view.applied[1].entry_term, 4u);
  EXPECT_EQ(view.applied[1].command_hash, 0xfedcba9876543210ULL + 301);
  EXPECT_EQ(view.applied[2].index, 0u);
  EXPECT_EQ(view.commit_index, 301u);
  // Within an entry, later fields win and unknown ones are skipped; a cut entry fails.
  const std::string entry("\x08\x05\x08\x06\x20\x07\x10\x02", 8);
  ExpectParsesLikeTheMessage(std::string("\x8a\x01\x08", 3) + entry);
  ExpectParsesLikeTheMessage(std::string("\x8a\x01\x09", 3) + entry);
  ExpectParsesLikeTheMessage(bytes + std::string("\x8a\x01\x03\x19\x01\x02", 6));
  // Parsing again starts over.
  ASSERT_TRUE(ParseRaftObservationView(std::string("\x08\x06", 2), &view));
  EXPECT_TRUE(view.applied.empty());
  EXPECT_EQ(view.commit_index, 0u);
}

TEST(RaftObservationViewTest, ReusedViewStartsOver) {
  const std::vector<RaftObservation> samples = Samples();
  const std::string full = samples[0].SerializeAsString();
  const std::string appended = samples[2].SerializeAsString();
  RaftObservationView view;
  ASSERT_TRUE(ParseRaftObservationView(full, &view));
  ASSERT_TRUE(ParseRaftObservationView(appended, &view));
  RaftObservationView fresh;
  ASSERT_TRUE(ParseRaftObservationView(appended, &fresh));
  ExpectSame(view, fresh);
  EXPECT_TRUE(view.supporters.empty());
  EXPECT_TRUE(view.role.empty());
}

// A small deterministic generator for the randomized tests (splitmix64).
class TestRng {
 public:
  explicit TestRng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  bool OneIn(uint64_t n) { return Below(n) == 0; }
  // Small values mostly (one- and two-byte varints), sometimes any 64 bits.
  uint64_t Value() {
    switch (Below(4)) {
      case 0: return 0;
      case 1: return Below(128);
      case 2: return Below(20000);
      default: return Next();
    }
  }
  std::string Text() { return std::string(Below(4), static_cast<char>('A' + Below(26))); }

 private:
  uint64_t state_;
};

// Each field of a random observation as its own serialized chunk (a message holding only
// that field, or one element of a repeated field), in field-number order: their
// concatenation is what the message serializer writes.
std::vector<std::string> RandomFieldChunks(TestRng& rng) {
  std::vector<std::string> chunks;
  auto add = [&](auto set) {
    RaftObservation m;
    set(m);
    std::string bytes = m.SerializeAsString();
    if (!bytes.empty()) chunks.push_back(std::move(bytes));
  };
  auto maybe = [&](auto set) {
    if (!rng.OneIn(3)) add(set);
  };
  maybe([&](RaftObservation& m) {
    m.set_kind(static_cast<RaftObservation::Kind>(rng.Below(11)));
  });
  maybe([&](RaftObservation& m) { m.set_time_ns(static_cast<int64_t>(rng.Value())); });
  maybe([&](RaftObservation& m) { m.set_node(static_cast<int32_t>(rng.Value())); });
  maybe([&](RaftObservation& m) { m.set_tag(rng.Text()); });
  maybe([&](RaftObservation& m) { m.set_incarnation(rng.Value()); });
  maybe([&](RaftObservation& m) { m.set_role(rng.Text()); });
  maybe([&](RaftObservation& m) { m.set_term(rng.Value()); });
  maybe([&](RaftObservation& m) { m.set_index(rng.Value()); });
  maybe([&](RaftObservation& m) { m.set_entry_term(rng.Value()); });
  maybe([&](RaftObservation& m) { m.set_prev_term(rng.Value()); });
  maybe([&](RaftObservation& m) { m.set_command_hash(rng.Value()); });
  maybe([&](RaftObservation& m) { m.set_by_quorum(rng.OneIn(2)); });
  for (uint64_t n = rng.Below(4); n > 0; --n) add([&](RaftObservation& m) { m.add_supporters(rng.Text()); });
  for (uint64_t n = rng.Below(4); n > 0; --n) add([&](RaftObservation& m) { m.add_voters(rng.Text()); });
  for (uint64_t n = rng.Below(3); n > 0; --n) add([&](RaftObservation& m) { m.add_non_voters(rng.Text()); });
  maybe([&](RaftObservation& m) { m.set_committed_term(rng.Value()); });
  for (uint64_t n = rng.Below(4); n > 0; --n) {
    add([&](RaftObservation& m) {
      RaftObservation::Applied* a = m.add_applied();
      if (!rng.OneIn(4)) a->set_index(rng.Value());
      if (!rng.OneIn(4)) a->set_entry_term(rng.Value());
      if (!rng.OneIn(4)) a->set_command_hash(rng.Value());
      if (rng.OneIn(3)) a->set_skipped(true);
      if (rng.OneIn(3)) a->set_not_request(true);
    });
  }
  maybe([&](RaftObservation& m) { m.set_commit_index(rng.Value()); });
  maybe([&](RaftObservation& m) { m.set_skipped(rng.OneIn(2)); });
  maybe([&](RaftObservation& m) { m.set_not_request(rng.OneIn(2)); });
  return chunks;
}

std::string Join(const std::vector<std::string>& chunks) {
  std::string bytes;
  for (const std::string& c : chunks) bytes += c;
  return bytes;
}

// Whatever the fast path accepts, it reads as the general parser does; and the parser
// as a whole reads as the message does.
void ExpectPathsAgree(const std::string& bytes) {
  ExpectParsesLikeTheMessage(bytes);
  RaftObservationView fast;
  RaftObservationView general;
  const bool general_ok = internal::ParseRaftObservationViewAnyOrder(bytes, &general);
  if (internal::ParseRaftObservationViewInFieldOrder(bytes, &fast)) {
    ASSERT_TRUE(general_ok);
    ExpectSame(fast, general);
  }
}

TEST(RaftObservationViewTest, FastPathTakesWhatTheSerializerWritesAndReadsItTheSame) {
  TestRng rng(1);
  for (int i = 0; i < 3000; ++i) {
    const std::string bytes = Join(RandomFieldChunks(rng));
    RaftObservation message;
    ASSERT_TRUE(message.ParseFromString(bytes));
    ASSERT_EQ(message.SerializeAsString(), bytes);  // Field-number order.
    RaftObservationView fast;
    ASSERT_TRUE(internal::ParseRaftObservationViewInFieldOrder(bytes, &fast)) << i;
    RaftObservationView general;
    ASSERT_TRUE(internal::ParseRaftObservationViewAnyOrder(bytes, &general));
    ExpectSame(fast, general);
    RaftObservationView expected;
    ViewOf(message, &expected);
    ExpectSame(fast, expected);
    if (HasFatalFailure()) return;
  }
}

TEST(RaftObservationViewTest, FastPathDefersOtherBytesToTheGeneralParser) {
  TestRng rng(2);
  const std::vector<std::string> extras = {
      std::string("\x98\x06\x05", 3),                     // unknown field 99, varint
      std::string("\x9a\x06\x02hi", 5),                   // unknown field 99, bytes
      std::string("\x9b\x06\x08\x01\x9c\x06", 6),         // unknown group 99
      std::string("\x20\x07", 2),                         // 4 (tag) as a varint
      std::string("\x88\x00\x05", 3),                     // 1 (kind), key of two bytes
      std::string("\x80\x01\x07", 3),                     // 16, the last-but-two field
      std::string("\x8a\x01\x03\x10\x01\x08", 6),         // applied, out of order inside
      std::string("\x8a\x01\x03\x10\x01\x08\x02", 7),     // and with its value
      std::string("\x8a\x01\x02\x20\x01", 5),             // applied with an unknown field
      std::string("\x90\x01\x03", 3),                     // 18 (commit index)
      std::string("\x6a\x01Z", 3),                        // a supporter
      std::string("\x38") + std::string(10, '\xff'),      // a varint past ten bytes
  };
  int fast_declined = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string> chunks = RandomFieldChunks(rng);
    switch (rng.Below(5)) {
      case 0:  // Fields in any order.
        for (size_t j = chunks.size(); j > 1; --j) std::swap(chunks[j - 1], chunks[rng.Below(j)]);
        break;
      case 1:  // A field twice (a scalar's later value wins).
        if (!chunks.empty()) {
          const size_t j = rng.Below(chunks.size());
          chunks.insert(chunks.begin() + static_cast<std::ptrdiff_t>(rng.Below(chunks.size() + 1)),
                        chunks[j]);
        }
        break;
      case 2:  // Something else, anywhere.
        chunks.insert(chunks.begin() + static_cast<std::ptrdiff_t>(rng.Below(chunks.size() + 1)),
                      extras[rng.Below(extras.size())]);
        break;
      case 3: {  // Cut short.
        std::string bytes = Join(chunks);
        if (!bytes.empty()) bytes.resize(rng.Below(bytes.size()));
        chunks = {bytes};
        break;
      }
      default:  // Two observations back to back.
        for (const std::string& c : RandomFieldChunks(rng)) chunks.push_back(c);
        break;
    }
    const std::string bytes = Join(chunks);
    RaftObservationView fast;
    if (!internal::ParseRaftObservationViewInFieldOrder(bytes, &fast)) ++fast_declined;
    ExpectPathsAgree(bytes);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(fast_declined, 1000);  // The general parser was exercised.
}

TEST(RaftObservationViewTest, LongObservationsTakeTheGeneralParser) {
  for (size_t size : {400, 470, 480, 490, 600, 5000}) {
    RaftObservation o = Samples()[0];
    o.set_tag(std::string(size, 'T'));
    const std::string bytes = o.SerializeAsString();
    ExpectPathsAgree(bytes);
    RaftObservationView view;
    ASSERT_TRUE(ParseRaftObservationView(bytes, &view));
    EXPECT_EQ(view.tag, o.tag());
    EXPECT_EQ(view.tag.data(), bytes.data() + (bytes.find('T')));  // Into `bytes`.
    EXPECT_EQ(view.committed_term, 6u);
    // Cut anywhere near the end, they still parse as the message does.
    for (size_t cut = 1; cut <= 12; ++cut) ExpectPathsAgree(bytes.substr(0, bytes.size() - cut));
  }
}

TEST(RaftObservationViewTest, TextFieldsPointIntoTheParsedBytes) {
  const std::string bytes = Samples()[0].SerializeAsString();
  RaftObservationView view;
  ASSERT_TRUE(internal::ParseRaftObservationViewInFieldOrder(bytes, &view));
  const auto inside = [&](std::string_view text) {
    return text.data() >= bytes.data() && text.data() + text.size() <= bytes.data() + bytes.size();
  };
  EXPECT_TRUE(inside(view.tag));
  EXPECT_TRUE(inside(view.role));
  ASSERT_EQ(view.supporters.size(), 2u);
  EXPECT_TRUE(inside(view.supporters[0]));
  EXPECT_EQ(view.supporters[0], "A");
  EXPECT_EQ(view.voters[2], "C");
  EXPECT_TRUE(inside(view.voters[2]));
  EXPECT_EQ(view.non_voters[0], "W");
}

TEST(RaftObservationViewTest, FastPathDeclinesFieldsOutOfOrderOrRepeated) {
  RaftObservation a;
  a.set_kind(RaftObservation::ENTRY_APPENDED);
  RaftObservation b;
  b.set_term(3);
  const std::string in_order = a.SerializeAsString() + b.SerializeAsString();
  RaftObservationView view;
  EXPECT_TRUE(internal::ParseRaftObservationViewInFieldOrder(in_order, &view));
  for (const std::string& declined : {b.SerializeAsString() + a.SerializeAsString(),
                                      in_order + b.SerializeAsString(),
                                      in_order + std::string("\x98\x06\x05", 3)}) {
    EXPECT_FALSE(internal::ParseRaftObservationViewInFieldOrder(declined, &view));
    ExpectPathsAgree(declined);
  }
}

}  // namespace
}  // namespace ravensim::checkers::raft
