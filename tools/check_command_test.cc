#include "tools/check_command.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "checkers/history/history.h"
#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  std::ofstream(path) << text;
  return path;
}

int RunCapture(CheckArgs args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  const int code = RunCheck(args, o, e);
  *out = o.str();
  *err = e.str();
  return code;
}

const char* kEtcdBad =
    "INFO  jepsen.util - 1\t:invoke\t:write\t1\n"
    "INFO  jepsen.util - 1\t:ok\t:write\t1\n"
    "INFO  jepsen.util - 2\t:invoke\t:read\tnil\n"
    "INFO  jepsen.util - 2\t:ok\t:read\t2\n";

TEST(CheckCommandTest, ExitCodesFollowTheVerdict) {
  std::string out, err;
  CheckArgs bad{.file = WriteFile("bad.log", kEtcdBad), .format = "jepsen-etcd"};
  bad.html = TempPath("bad.html");
  EXPECT_EQ(RunCapture(bad, &out, &err), 1) << err;
  EXPECT_EQ(out.rfind("not linearizable", 0), 0u) << out;
  EXPECT_NE(out.find("counterexample"), std::string::npos);
  std::ifstream html(bad.html);
  std::stringstream page;
  page << html.rdbuf();
  EXPECT_NE(page.str().find("<svg"), std::string::npos);

  history::HistoryBuilder b;
  const int64_t id = b.Invoke(1, "A", 0, history::KV_PUT, "k");
  *b.MutableOperation(id)->mutable_value() = history::StrValue("v");
  b.Ok(id, 5);
  const std::string jsonl = WriteFile("ok.jsonl", history::ToJsonl(std::move(b).Finish("t")));
  EXPECT_EQ(RunCapture(CheckArgs{.file = jsonl}, &out, &err), 0) << err;
  EXPECT_EQ(out.rfind("linearizable", 0), 0u) << out;

  CheckArgs tiny{.file = WriteFile("hard.log",
                                   std::string("INFO  jepsen.util - 3\t:invoke\t:write\t3\n") + kEtcdBad),
                 .format = "jepsen-etcd"};
  tiny.max_steps = 1;
  EXPECT_EQ(RunCapture(tiny, &out, &err), 3) << out;
  EXPECT_EQ(out.rfind("unknown", 0), 0u) << out;
}

TEST(CheckCommandTest, BadInputExitsTwoWithLineAndField) {
  std::string out, err;
  const std::string path = WriteFile("broken.jsonl", "{\"id\":\"0\",\"kind\":\"KV_GET\",\"outcome\":\"OK\"}\n");
  EXPECT_EQ(RunCapture(CheckArgs{.file = path}, &out, &err), 2);
  EXPECT_NE(err.find(path + ":1: field 'return_time_ns'"), std::string::npos) << err;
  EXPECT_EQ(RunCapture(CheckArgs{.file = TempPath("missing")}, &out, &err), 2);
  EXPECT_NE(err.find("cannot open"), std::string::npos) << err;
  CheckArgs wrong_model{.file = WriteFile("e.log", kEtcdBad), .format = "jepsen-etcd", .model = "kv"};
  EXPECT_EQ(RunCapture(wrong_model, &out, &err), 2);
  EXPECT_NE(err.find("field 'kind'"), std::string::npos) << err;
}

}  // namespace
}  // namespace ravensim::tools
