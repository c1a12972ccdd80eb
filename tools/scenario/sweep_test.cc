#include "tools/scenario/sweep.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

// A synthetic scenario: seeds divisible by 7 fail with one signature, by 11 with another.
SeedResult FakeRun(uint64_t seed) {
  SeedResult r;
  r.set_seed(seed);
  r.set_passed(seed % 7 != 0 && seed % 11 != 0);
  if (seed % 7 == 0) r.set_signature("linearizability:violated");
  if (seed % 11 == 0) r.set_signature("leader_after_heal:violated");
  r.set_fingerprint(absl::StrCat("fp", seed * 31));
  r.set_reproduce(absl::StrCat("ravensim run x.textproto --seed ", seed));
  return r;
}

std::string TempDir(const std::string& name) {
  const char* base = getenv("TEST_TMPDIR");
  return absl::StrCat(base == nullptr ? "/tmp" : base, "/", name, "_", getpid());
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(SweepTest, ParsesSeedRangesAndShards) {
  auto range = ParseSeedRange("5..9");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->first, 5u);
  EXPECT_EQ(range->last, 9u);
  EXPECT_EQ(ParseSeedRange("42")->last, 42u);
  EXPECT_FALSE(ParseSeedRange("9..5").ok());
  EXPECT_FALSE(ParseSeedRange("a..b").ok());
  EXPECT_FALSE(ParseSeedRange("1..").ok());
  auto shard = ParseShard("2/4");
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(shard->index, 2);
  EXPECT_EQ(shard->count, 4);
  EXPECT_FALSE(ParseShard("4/4").ok());
  EXPECT_FALSE(ParseShard("-1/4").ok());
  EXPECT_FALSE(ParseShard("1/0").ok());
  EXPECT_FALSE(ParseShard("1").ok());
}

TEST(SweepTest, ShardsAreDisjointAndCoverTheRange) {
  const SeedRange range{100, 1099};
  for (int32_t count : {1, 2, 3, 7, 1000, 1500}) {
    std::set<uint64_t> seen;
    size_t total = 0;
    for (int32_t i = 0; i < count; ++i) {
      for (uint64_t seed : SeedsForShard(range, Shard{i, count})) {
        EXPECT_TRUE(seen.insert(seed).second) << "seed " << seed << " in two shards";
        EXPECT_GE(seed, range.first);
        EXPECT_LE(seed, range.last);
        ++total;
      }
    }
    EXPECT_EQ(total, 1000u) << count << " shards";
    EXPECT_EQ(seen.size(), 1000u);
  }
}

TEST(SweepTest, RunsEverySeedInParallelAndSortsResults) {
  SweepOptions options;
  for (uint64_t s = 1; s <= 100; ++s) options.seeds.push_back(s);
  options.jobs = 4;
  std::mutex mu;
  std::multiset<uint64_t> calls;
  auto summary = RunSweep(options, [&](uint64_t seed) {
    std::lock_guard<std::mutex> lock(mu);
    calls.insert(seed);
    return FakeRun(seed);
  });
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(calls.size(), 100u);
  EXPECT_EQ(std::set<uint64_t>(calls.begin(), calls.end()).size(), 100u);
  ASSERT_EQ(summary->results.size(), 100u);
  for (size_t i = 0; i < 100; ++i) EXPECT_EQ(summary->results[i].seed(), i + 1);
  EXPECT_FALSE(summary->interrupted);
}

TEST(SweepTest, ResumeFinishesAnInterruptedSweepWithoutRerunning) {
  const std::string dir = TempDir("resume");
  SweepOptions options;
  for (uint64_t s = 1; s <= 60; ++s) options.seeds.push_back(s);
  options.jobs = 2;
  options.out_dir = dir;
  std::atomic<bool> stop{false};
  options.stop = &stop;
  std::atomic<int> first_calls{0};
  auto first = RunSweep(options, [&](uint64_t seed) {
    if (++first_calls >= 20) stop = true;  // "Ctrl-C" after about 20 seeds.
    return FakeRun(seed);
  });
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->interrupted);
  const size_t done_first = first->results.size();
  EXPECT_GE(done_first, 20u);
  EXPECT_LT(done_first, 60u);
  // A writer killed mid-write leaves only a temporary file behind.
  { std::ofstream(absl::StrCat(dir, "/seed-59.txtpb.tmp.1.0")) << "garbage"; }

  options.resume = true;
  options.stop = nullptr;
  std::set<uint64_t> second_calls;
  std::mutex mu;
  auto second = RunSweep(options, [&](uint64_t seed) {
    std::lock_guard<std::mutex> lock(mu);
    second_calls.insert(seed);
    return FakeRun(seed);
  });
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->interrupted);
  EXPECT_EQ(second->resumed, static_cast<int64_t>(done_first));
  EXPECT_EQ(second_calls.size() + done_first, 60u);
  for (const SeedResult& r : first->results) {
    EXPECT_EQ(second_calls.count(r.seed()), 0u) << "seed " << r.seed() << " ran twice";
  }
  ASSERT_EQ(second->results.size(), 60u);
  for (const SeedResult& r : second->results) {
    EXPECT_EQ(r.DebugString(), FakeRun(r.seed()).DebugString());
  }
  // One result file per seed (plus the stray temporary file).
  int results = 0;
  for (const std::string& name : ListDir(dir)) results += name.find(".tmp.") == std::string::npos;
  EXPECT_EQ(results, 60);
}

// A damaged result file is no result: read back as DataLoss with the parser's first
// error and position, and a resumed sweep runs that seed again.
TEST(SweepTest, DamagedResultFileIsRunAgain) {
  const std::string dir = TempDir("damaged");
  SweepOptions options;
  options.seeds = {1, 2};
  options.jobs = 1;
  options.out_dir = dir;
  ASSERT_TRUE(RunSweep(options, FakeRun).ok());
  const std::string damaged = SeedResultPath(dir, 2);
  { std::ofstream(damaged) << "seed: 2\npassed: {"; }
  const absl::StatusOr<SeedResult> read = ReadSeedResult(damaged);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(read.status().message().rfind(absl::StrCat(damaged, ":2:"), 0), 0u)
      << read.status();

  options.resume = true;
  std::vector<uint64_t> ran;
  auto resumed = RunSweep(options, [&](uint64_t seed) {
    ran.push_back(seed);
    return FakeRun(seed);
  });
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(ran, std::vector<uint64_t>{2});
  EXPECT_EQ(resumed->resumed, 1);
  ASSERT_TRUE(ReadSeedResult(damaged).ok());
  EXPECT_EQ(ReadSeedResult(damaged)->DebugString(), FakeRun(2).DebugString());
}

TEST(SweepTest, ShardedSweepsUnionToTheFullSweep) {
  const std::string dir = TempDir("shards");
  const SeedRange range{1, 50};
  std::set<uint64_t> all;
  for (int32_t i = 0; i < 3; ++i) {
    SweepOptions options;
    options.seeds = SeedsForShard(range, Shard{i, 3});
    options.out_dir = dir;
    auto summary = RunSweep(options, FakeRun);
    ASSERT_TRUE(summary.ok());
    for (const SeedResult& r : summary->results) all.insert(r.seed());
  }
  EXPECT_EQ(all.size(), 50u);
  // The union in the shared directory reads back as one complete sweep.
  SweepOptions whole;
  whole.seeds = SeedsForShard(range, Shard{0, 1});
  whole.out_dir = dir;
  whole.resume = true;
  int reruns = 0;
  auto summary = RunSweep(whole, [&](uint64_t seed) {
    ++reruns;
    return FakeRun(seed);
  });
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(reruns, 0);
  EXPECT_EQ(summary->resumed, 50);
}

TEST(SweepTest, SummaryGroupsFailuresBySignature) {
  SweepOptions options;
  for (uint64_t s = 1; s <= 30; ++s) options.seeds.push_back(s);
  auto summary = RunSweep(options, FakeRun);
  ASSERT_TRUE(summary.ok());
  std::ostringstream out;
  PrintSweepSummary(*summary, 30, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("30/30 seeds, 24 passed, 6 failed"), std::string::npos) << text;
  EXPECT_NE(text.find("linearizability:violated: 4 seeds (7, 14, 21, 28)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("leader_after_heal:violated: 2 seeds (11, 22)"), std::string::npos) << text;
  EXPECT_NE(text.find("reproduce: ravensim run x.textproto --seed 21"), std::string::npos)
      << text;
}

TEST(SweepTest, ProgressBarShowsRateAndEta) {
  SweepOptions options;
  for (uint64_t s = 1; s <= 10; ++s) options.seeds.push_back(s);
  std::ostringstream progress;
  options.progress = &progress;
  ASSERT_TRUE(RunSweep(options, FakeRun).ok());
  EXPECT_NE(progress.str().find("10/10"), std::string::npos) << progress.str();
  EXPECT_NE(progress.str().find("seeds/s"), std::string::npos);
  EXPECT_NE(progress.str().find("ETA"), std::string::npos);
}

TEST(SweepTest, RejectsBadJobs) {
  SweepOptions options;
  options.jobs = 0;
  EXPECT_FALSE(RunSweep(options, FakeRun).ok());
}

}  // namespace
}  // namespace ravensim::tools
