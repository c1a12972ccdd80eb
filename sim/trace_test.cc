#include "sim/trace.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

TEST(Fnv1aTest, ReferenceValues) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
  // Continuing a hash equals hashing the concatenation.
  EXPECT_EQ(Fnv1a64("bar", Fnv1a64("foo")), Fnv1a64("foobar"));
}

TEST(HashBytesTest, PinnedValuesAndSensitivity) {
  // Pinned: a change here changes every fingerprint.
  EXPECT_EQ(HashBytes(""), 0xf8bb92ce26585846ULL);
  EXPECT_EQ(HashBytes("a"), 0xc24efef11c5ac9dbULL);
  EXPECT_EQ(HashBytes("0123456789abcdefXYZ"), 0x9374522fe7b8dc2aULL);
  // Trailing zero bytes, every position of a long input and the seed all count.
  EXPECT_NE(HashBytes("a"), HashBytes(std::string("a\0", 2)));
  EXPECT_NE(HashBytes("abcdefgh"), HashBytes(std::string("abcdefgh\0", 9)));
  const std::string text = "the quick brown fox jumps over the lazy dog";
  for (size_t i = 0; i < text.size(); ++i) {
    std::string changed = text;
    changed[i] ^= 1;
    EXPECT_NE(HashBytes(changed), HashBytes(text)) << i;
  }
  EXPECT_NE(HashBytes("x", 1), HashBytes("x", 2));
}

// HashBytesConstexpr is HashBytes' definition written byte by byte: each 8-byte
// little-endian word (the last one zero-padded), then the length.
TEST(HashBytesTest, MatchesTheWordByWordDefinitionAtEveryLength) {
  std::string text;
  for (int i = 0; i < 100; ++i) text.push_back(static_cast<char>(i * 37 + 11));
  for (size_t length = 0; length <= text.size(); ++length) {
    for (size_t offset = 0; offset < 3; ++offset) {
      if (offset + length > text.size()) continue;
      const std::string_view piece(text.data() + offset, length);
      EXPECT_EQ(HashBytes(piece, 12345), HashBytesConstexpr(piece, 12345))
          << "length " << length << " offset " << offset;
    }
  }
}

TEST(HashBytesTest, ConstexprVersionAndTracePrefixAgree) {
  static_assert(TracePrefix("obs.").hash == HashBytesConstexpr("obs.", kFnv1a64Offset));
  EXPECT_EQ(TracePrefix("obs.").hash, HashBytes("obs."));
  const std::string text = "a prefix longer than one word, of 41 bytes";
  EXPECT_EQ(HashBytesConstexpr(text, 7), HashBytes(text, 7));
  EXPECT_EQ(HashBytesConstexpr("", kFnv1a64Offset), HashBytes(""));
}

TEST(FormatFingerprintTest, SixteenHexDigits) {
  EXPECT_EQ(FormatFingerprint(0xabcULL), "0000000000000abc");
  EXPECT_EQ(FormatFingerprint(0xcbf29ce484222325ULL), "cbf29ce484222325");
}

void AppendSample(Trace& trace, int variant) {
  trace.Append({.time = SimTime::FromNanos(10), .kind = "net.send", .node = 0, .peer = 1,
                .value = 64});
  trace.Append({.time = SimTime::FromNanos(20), .kind = "net.deliver", .node = 1,
                .peer = 0, .value = 64});
  trace.Append({.time = SimTime::FromNanos(30 + variant), .kind = "fault.crash",
                .node = 2, .detail = "crash"});
}

TEST(TraceTest, SameEventsSameFingerprint) {
  Trace a, b;
  AppendSample(a, 0);
  AppendSample(b, 0);
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(a.event_count(), 3u);
  EXPECT_NE(a.fingerprint(), kFnv1a64Offset);
}

TEST(TraceTest, AnyFieldChangesTheFingerprint) {
  Trace base;
  base.Append({.time = SimTime::FromNanos(1), .kind = "k", .node = 1, .peer = 2,
               .value = 3, .detail = "d"});
  const TraceEvent variants[] = {
      {.time = SimTime::FromNanos(2), .kind = "k", .node = 1, .peer = 2, .value = 3, .detail = "d"},
      {.time = SimTime::FromNanos(1), .kind = "x", .node = 1, .peer = 2, .value = 3, .detail = "d"},
      {.time = SimTime::FromNanos(1), .kind = "k", .node = 9, .peer = 2, .value = 3, .detail = "d"},
      {.time = SimTime::FromNanos(1), .kind = "k", .node = 1, .peer = 9, .value = 3, .detail = "d"},
      {.time = SimTime::FromNanos(1), .kind = "k", .node = 1, .peer = 2, .value = 9, .detail = "d"},
      {.time = SimTime::FromNanos(1), .kind = "k", .node = 1, .peer = 2, .value = 3, .detail = "e"},
      // Moving a character between kind and detail must not collide.
      {.time = SimTime::FromNanos(1), .kind = "kd", .node = 1, .peer = 2, .value = 3, .detail = ""},
  };
  for (const TraceEvent& v : variants) {
    Trace t;
    t.Append(v);
    EXPECT_NE(t.fingerprint(), base.fingerprint()) << v.kind << " " << v.detail;
  }
}

TEST(TraceTest, FirstDivergenceNamesTheEvent) {
  Trace a({.keep_event_hashes = true}), b({.keep_event_hashes = true});
  AppendSample(a, 0);
  AppendSample(b, 1);
  ASSERT_EQ(a.event_hashes().size(), 3u);
  EXPECT_EQ(FirstDivergence(a.event_hashes(), b.event_hashes()), 2u);
  EXPECT_EQ(FirstDivergence(a.event_hashes(), a.event_hashes()), std::nullopt);
  std::vector<uint64_t> prefix(a.event_hashes().begin(), a.event_hashes().begin() + 2);
  EXPECT_EQ(FirstDivergence(a.event_hashes(), prefix), 2u);
  EXPECT_EQ(a.event_hashes().back(), a.fingerprint());
}

TEST(TraceTest, JsonlSinkWritesOneLinePerEvent) {
  std::ostringstream out;
  Trace t({.jsonl = &out});
  t.Append({.time = SimTime::FromNanos(5), .kind = "net.drop", .node = 0, .peer = 3,
            .value = 1024, .detail = "loss \"ratio\"\n"});
  t.Append({.time = SimTime::FromNanos(6), .kind = "tick"});
  EXPECT_EQ(out.str(),
            "{\"i\":0,\"t\":5,\"kind\":\"net.drop\",\"node\":0,\"peer\":3,\"value\":1024,"
            "\"detail\":\"loss \\\"ratio\\\"\\n\"}\n"
            "{\"i\":1,\"t\":6,\"kind\":\"tick\"}\n");
}

TEST(TraceTest, AppendPrefixedHashesEveryFieldAndNamesTheWholeKind) {
  auto fingerprint = [](std::string_view kind, int64_t value, std::string_view detail) {
    Trace t;
    t.AppendPrefixed(SimTime::FromNanos(7), "obs.", kind, 1, -1, value, detail);
    return t.fingerprint();
  };
  const uint64_t base = fingerprint("rachis.applied", 3, "bytes");
  EXPECT_EQ(fingerprint("rachis.applied", 3, "bytes"), base);
  EXPECT_NE(fingerprint("rachis.appended", 3, "bytes"), base);
  EXPECT_NE(fingerprint("rachis.applied", 4, "bytes"), base);
  EXPECT_NE(fingerprint("rachis.applied", 3, "byte5"), base);
  EXPECT_NE(fingerprint("rachis.applied", 3, ""), base);

  std::ostringstream out;
  Trace t({.keep_event_hashes = true, .jsonl = &out});
  t.AppendPrefixed(SimTime::FromNanos(7), "obs.", "client.invoke", 2, -1, 5, "w x");
  EXPECT_EQ(out.str(),
            "{\"i\":0,\"t\":7,\"kind\":\"obs.client.invoke\",\"node\":2,\"value\":5,"
            "\"detail\":\"w x\"}\n");
  // A compile-time prefix hashes the same.
  Trace constant_prefix;
  constexpr TracePrefix kObs("obs.");
  constant_prefix.AppendPrefixed(SimTime::FromNanos(7), kObs, "client.invoke", 2, -1, 5, "w x");
  EXPECT_EQ(constant_prefix.fingerprint(), t.fingerprint());
  // The sink does not change the hash.
  Trace quiet;
  quiet.AppendPrefixed(SimTime::FromNanos(7), "obs.", "client.invoke", 2, -1, 5, "w x");
  EXPECT_EQ(quiet.fingerprint(), t.fingerprint());
  EXPECT_EQ(t.event_count(), 1u);
}

TEST(JsonQuoteTest, KeepsValidUtf8AndEscapesInvalidBytes) {
  EXPECT_EQ(JsonQuote("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
  // Binary bytes (a lone continuation byte, a truncated sequence, an overlong form).
  EXPECT_EQ(JsonQuote(std::string("\x80\x08\xc3", 3)), "\"\\u0080\\u0008\\u00c3\"");
  EXPECT_EQ(JsonQuote("\xc0\xaf"), "\"\\u00c0\\u00af\"");
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");  // Surrogate.
}

TEST(JsonQuoteTest, EscapesControlCharacters) {
  EXPECT_EQ(JsonQuote(std::string("a\x01" "b", 3)), "\"a\\u0001b\"");
  EXPECT_EQ(JsonQuote("tab\there"), "\"tab\\there\"");
}

}  // namespace
}  // namespace ravensim::sim
