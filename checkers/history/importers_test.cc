#include "checkers/history/importers.h"

#include "checkers/history/history.h"
#include "gtest/gtest.h"

namespace ravensim::history {
namespace {

TEST(JepsenEtcdTest, ParsesEveryLineKind) {
  const char* log =
      "2015-01-01 INFO  jepsen.core - nemesis started\n"
      "INFO  jepsen.util - 4\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 1\t:invoke\t:write\t1\n"
      "INFO  jepsen.util - 2\t:invoke\t:cas\t[2 4]\n"
      "INFO  jepsen.util - 4\t:ok\t:read\t3\n"
      "INFO  jepsen.util - 2\t:fail\t:cas\t[2 4]\n"
      "INFO  jepsen.util - 1\t:info\t:write\t:timed-out\n"
      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 0\t:fail\t:read\t:timed-out\n"
      "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n";
  absl::StatusOr<History> h = ParseJepsenEtcdLog(log, "etcd.log");
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->operations_size(), 4);
  const Operation& read = h->operations(0);
  EXPECT_EQ(read.kind(), REGISTER_READ);
  EXPECT_EQ(read.outcome(), OK);
  EXPECT_EQ(read.result().int_(), 3);
  EXPECT_EQ(read.invoke_time_ns(), 2);
  EXPECT_EQ(read.return_time_ns(), 5);
  const Operation& write = h->operations(1);
  EXPECT_EQ(write.outcome(), UNKNOWN);
  EXPECT_FALSE(write.has_return_time_ns());
  const Operation& cas = h->operations(2);
  EXPECT_EQ(cas.outcome(), OK);
  EXPECT_FALSE(cas.successful());
  EXPECT_EQ(cas.expected().int_(), 2);
  EXPECT_EQ(cas.value().int_(), 4);
  EXPECT_EQ(h->operations(3).outcome(), FAIL);
  EXPECT_TRUE(Validate(*h).ok()) << Validate(*h);
}

TEST(JepsenEtcdTest, BadLinesNameLineAndField) {
  auto s = ParseJepsenEtcdLog("x\nINFO  jepsen.util - 1\t:invoke\t:write\tabc\n", "f").status();
  EXPECT_EQ(s.message(), "f:2: field 'value': not nil or an integer: 'abc'");
  s = ParseJepsenEtcdLog("INFO  jepsen.util - 1\t:ok\t:write\t1\n", "f").status();
  EXPECT_EQ(s.message(), "f:1: field 'process': no open :write for process 1");
  s = ParseJepsenEtcdLog("INFO  jepsen.util - 1\t:invoke\t:cas\t[1\n", "f").status();
  EXPECT_FALSE(s.ok());
  s = ParseJepsenEtcdLog("INFO  jepsen.util - 1\t:invoke\t:frob\t1\n", "f").status();
  EXPECT_EQ(s.message(), "f:1: field 'f': unknown function :frob");
}

// A file without a single history line is the wrong file (here a JSONL history), not an
// empty history; blank text and a log of nemesis lines only are empty histories.
TEST(JepsenEtcdTest, FileWithoutHistoryLinesIsAnError) {
  auto s = ParseJepsenEtcdLog("\n{\"id\":\"1\",\"kind\":\"REGISTER_READ\"}\n", "f").status();
  EXPECT_EQ(s.message(),
            "f:2: field 'jepsen.util': no Jepsen history line (\"... jepsen.util - <process> "
            ":invoke :read nil\") in the file; is this a Jepsen etcd log?");
  auto empty = ParseJepsenEtcdLog("\n  \n", "f");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->operations_size(), 0);
  auto nemesis = ParseJepsenEtcdLog("boot\nINFO  jepsen.util - :nemesis\t:info\t:start\tnil\n", "f");
  ASSERT_TRUE(nemesis.ok()) << nemesis.status();
  EXPECT_EQ(nemesis->operations_size(), 0);
}

TEST(PorcupineKvTest, ParsesMaps) {
  const char* text =
      "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
      "{:process 1, :type :invoke, :f :get, :key \"4\", :value nil}\n"
      "{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
      "{:process 1, :type :ok, :f :get, :key \"4\", :value \"x 0 1 y\"}\n"
      "{:process 2, :type :invoke, :f :put, :key \"4\", :value \"z\"}\n";
  absl::StatusOr<History> h = ParsePorcupineKv(text, "kv.txt");
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->operations_size(), 3);
  EXPECT_EQ(h->operations(0).kind(), KV_APPEND);
  EXPECT_EQ(h->operations(0).value().str(), "x 0 0 y");
  EXPECT_EQ(h->operations(1).result().str(), "x 0 1 y");
  EXPECT_EQ(h->operations(1).key(), "4");
  EXPECT_EQ(h->operations(2).outcome(), UNKNOWN);
  EXPECT_TRUE(Validate(*h).ok());
}

TEST(PorcupineKvTest, BadLinesNameLineAndField) {
  auto s = ParsePorcupineKv("{:process x, :type :invoke, :f :get}", "kv").status();
  EXPECT_EQ(s.message(), "kv:1: field ':process': cannot read 'x'");
  s = ParsePorcupineKv("\n{:type :invoke, :f :get}", "kv").status();
  EXPECT_EQ(s.message(), "kv:2: field ':process': missing");
  s = ParsePorcupineKv("{:process 1, :type :invoke, :f :get, :key \"a}", "kv").status();
  EXPECT_EQ(s.message(), "kv:1: field ':key': unterminated string");
  s = ParsePorcupineKv("not edn", "kv").status();
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace ravensim::history
