#include "checkers/history/history.h"

#include <fstream>

#include "gtest/gtest.h"

namespace ravensim::history {
namespace {

History SmallHistory() {
  HistoryBuilder b;
  const int64_t put = b.Invoke(1, "A", 100, CMPXCHG_PUT, "users/1");
  b.MutableOperation(put)->set_index(0);
  *b.MutableOperation(put)->mutable_value() = StrValue("alice");
  const int64_t get = b.Invoke(2, "B", 150, CMPXCHG_GET_LOCAL, "users/1");
  b.MutableOperation(put)->set_result_index(7);
  b.MutableOperation(put)->set_successful(true);
  b.Ok(put, 300);
  b.MutableOperation(get)->set_result_index(7);
  *b.MutableOperation(get)->mutable_result() = StrValue("alice");
  b.Ok(get, 400);
  const int64_t del = b.Invoke(1, "A", 500, CMPXCHG_DELETE, "users/1");
  b.MutableOperation(del)->set_index(7);
  b.Invoke(2, "C", 600, CMPXCHG_GET_LINEARIZABLE, "users/1");  // never completes
  b.Unknown(del, "timeout");
  return std::move(b).Finish("test");
}

TEST(HistoryBuilderTest, AssignsIdsAndOutcomes) {
  const History h = SmallHistory();
  ASSERT_EQ(h.operations_size(), 4);
  EXPECT_EQ(h.operations(0).outcome(), OK);
  EXPECT_EQ(h.operations(0).return_time_ns(), 300);
  EXPECT_EQ(h.operations(2).outcome(), UNKNOWN);
  EXPECT_FALSE(h.operations(2).has_return_time_ns());
  EXPECT_EQ(h.operations(3).outcome(), UNKNOWN);  // closed by Finish
  EXPECT_EQ(h.operations(3).id(), 3);
  EXPECT_TRUE(Validate(h).ok()) << Validate(h);
}

TEST(HistoryJsonlTest, RoundTrips) {
  const History h = SmallHistory();
  const std::string text = ToJsonl(h);
  absl::StatusOr<History> back = ParseJsonl(text, "mem");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->operations_size(), h.operations_size());
  for (int i = 0; i < h.operations_size(); ++i) {
    EXPECT_EQ(back->operations(i).SerializeAsString(), h.operations(i).SerializeAsString());
  }
  EXPECT_EQ(ToJsonl(*back), text);
}

TEST(HistoryJsonlTest, ReportsLineAndFieldOfBadInput) {
  const std::string good =
      R"({"id":"0","client_id":"1","invoke_time_ns":"5","return_time_ns":"6",)"
      R"("kind":"KV_GET","key":"k","outcome":"OK"})";
  ASSERT_TRUE(ParseJsonl(good, "f").ok());

  // Unknown field.
  auto s = ParseJsonl(good + "\n\n" + R"({"id":"1","bogus":3})", "f.jsonl").status();
  EXPECT_FALSE(s.ok());

  EXPECT_NE(s.message().find("f.jsonl:3"), std::string::npos) << s;
  EXPECT_NE(s.message().find("bogus"), std::string::npos) << s;

  // Wrong type.
  s = ParseJsonl(R"({"id":"x"})", "f").status();
  EXPECT_NE(s.message().find("f:1"), std::string::npos) << s;
  EXPECT_NE(s.message().find("id"), std::string::npos) << s;

  // Not JSON at all.
  s = ParseJsonl("{{{", "f").status();
  EXPECT_FALSE(s.ok());

  // Return before invoke.
  s = ParseJsonl(R"({"id":"0","invoke_time_ns":"9","return_time_ns":"6",)"
                 R"("kind":"KV_GET","outcome":"OK"})",
                 "f")
          .status();
  EXPECT_NE(s.message().find("'return_time_ns'"), std::string::npos) << s;

  // Missing required argument.
  s = ParseJsonl(R"({"id":"0","invoke_time_ns":"1","kind":"KV_PUT","outcome":"UNKNOWN"})",
                 "f")
          .status();
  EXPECT_NE(s.message().find("'value'"), std::string::npos) << s;

  // Duplicate id.
  s = ParseJsonl(good + "\n" + good, "f").status();
  EXPECT_NE(s.message().find("f:2: field 'id'"), std::string::npos) << s;
}

// Every truncation and every single-byte corruption of a valid file is either parsed or
// rejected with a message; never a crash.
TEST(HistoryJsonlTest, DamagedInputNeverCrashes) {
  const std::string text = ToJsonl(SmallHistory());
  for (size_t n = 0; n < text.size(); ++n) {
    absl::StatusOr<History> h = ParseJsonl(text.substr(0, n), "cut");
    if (!h.ok()) {
      EXPECT_EQ(h.status().message().rfind("cut:", 0), 0u) << h.status();
    }
  }
  for (size_t i = 0; i < text.size(); i += 3) {
    for (char c : {'"', '{', '9', '-', 'x', '\n'}) {
      std::string bad = text;
      bad[i] = c;
      absl::StatusOr<History> h = ParseJsonl(bad, "bad");
      if (!h.ok()) {
        EXPECT_FALSE(h.status().message().empty());
      }
    }
  }
}

TEST(HistoryFileTest, ReadsAFileAndNamesWhatCannotBeRead) {
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/history_file_test.jsonl";
  const std::string bytes("line 1\n\0x", 9);  // A NUL byte read back too.
  {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }
  absl::StatusOr<std::string> text = ReadFileToString(path, "history file");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, bytes);

  absl::StatusOr<std::string> missing = ReadFileToString(dir + "/absent.jsonl", "history file");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            dir + "/absent.jsonl: cannot open history file: No such file or directory");

  // A directory opens and would read as an empty (so trivially linearizable) history.
  absl::StatusOr<History> from_dir = ReadJsonlFile(dir);
  EXPECT_EQ(from_dir.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(from_dir.status().message(), dir + ": is a directory, not a history file");
}

TEST(HistoryTest, DescribesOperations) {
  const History h = SmallHistory();
  EXPECT_EQ(DescribeOperation(h.operations(0)),
            "#0 c1@A cmpxchg_put k=users/1 index=0 value=\"alice\" -> ok index=7 successful");
  EXPECT_EQ(DescribeOperation(h.operations(2)),
            "#2 c1@A cmpxchg_delete k=users/1 index=7 -> unknown (timeout)");
}

}  // namespace
}  // namespace ravensim::history
