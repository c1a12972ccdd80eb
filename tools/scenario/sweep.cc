#include "tools/scenario/sweep.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "checkers/history/history.h"
#include "core/base/check.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "tools/scenario/atomic_file.h"

namespace ravensim::tools {
namespace {

constexpr uint64_t kMaxSeedsPerSweep = 100'000'000;
constexpr int32_t kMaxJobs = kMaxSweepJobs;

int64_t WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string FormatSeconds(int64_t nanos) {
  return absl::StrFormat("%d.%02ds", nanos / 1'000'000'000, (nanos / 10'000'000) % 100);
}

std::string FormatEta(int64_t seconds) {
  if (seconds >= 3600) {
    return absl::StrFormat("%dh%02dm", seconds / 3600, (seconds / 60) % 60);
  }
  return absl::StrFormat("%dm%02ds", seconds / 60, seconds % 60);
}

// Draws the progress bar; rate-limited to ten redraws a second. Thread-safe.
class Progress {
 public:
  Progress(std::ostream* out, int64_t total, int64_t already_done, int64_t already_failed)
      : out_(out), total_(total), done_(already_done), failed_(already_failed),
        start_done_(already_done), start_ns_(WallNanos()) {}

  void Record(bool passed) {
    std::lock_guard<std::mutex> lock(mu_);
    ++done_;
    if (!passed) ++failed_;
    const int64_t now = WallNanos();
    if (out_ != nullptr && (now - last_draw_ns_ >= 100'000'000 || done_ == total_)) {
      last_draw_ns_ = now;
      Draw(now);
    }
  }

  void Finish() {
    std::lock_guard<std::mutex> lock(mu_);
    if (out_ != nullptr) {
      Draw(WallNanos());
      *out_ << "\n" << std::flush;
    }
  }

 private:
  void Draw(int64_t now) {
    constexpr int kWidth = 30;
    const int64_t filled = total_ == 0 ? kWidth : done_ * kWidth / total_;
    const int64_t elapsed = std::max<int64_t>(now - start_ns_, 1);
    const int64_t ran = done_ - start_done_;
    // Rate in hundredths of a seed per second, integer arithmetic only.
    const int64_t rate_centi = ran * 100'000'000'000 / elapsed;
    std::string eta = "--";
    if (ran > 0) eta = FormatEta((total_ - done_) * elapsed / ran / 1'000'000'000);
    *out_ << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] "
          << done_ << "/" << total_ << "  "
          << absl::StrFormat("%d.%02d seeds/s", rate_centi / 100, rate_centi % 100)
          << "  ETA " << eta << "  failed " << failed_ << "   " << std::flush;
  }

  std::mutex mu_;
  std::ostream* out_;
  int64_t total_;
  int64_t done_;
  int64_t failed_;
  int64_t start_done_;
  int64_t start_ns_;
  int64_t last_draw_ns_ = 0;
};

}  // namespace

absl::StatusOr<SeedRange> ParseSeedRange(std::string_view text) {
  const std::string s(text);
  const size_t dots = s.find("..");
  SeedRange range;
  if (dots == std::string::npos) {
    if (!absl::SimpleAtoi(s, &range.first)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--seeds: expected A..B (e.g. 1..1000), got '", s, "'"));
    }
    range.last = range.first;
    return range;
  }
  if (!absl::SimpleAtoi(s.substr(0, dots), &range.first) ||
      !absl::SimpleAtoi(s.substr(dots + 2), &range.last)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--seeds: expected A..B (e.g. 1..1000), got '", s, "'"));
  }
  if (range.first > range.last) {
    return absl::InvalidArgumentError(absl::StrCat("--seeds: ", s, " is an empty range"));
  }
  if (range.last - range.first >= kMaxSeedsPerSweep) {
    return absl::InvalidArgumentError(
        absl::StrCat("--seeds: at most ", kMaxSeedsPerSweep, " seeds per sweep"));
  }
  return range;
}

absl::StatusOr<Shard> ParseShard(std::string_view text) {
  const std::string s(text);
  const size_t slash = s.find('/');
  Shard shard;
  if (slash == std::string::npos || !absl::SimpleAtoi(s.substr(0, slash), &shard.index) ||
      !absl::SimpleAtoi(s.substr(slash + 1), &shard.count) || shard.count < 1 ||
      shard.index < 0 || shard.index >= shard.count) {
    return absl::InvalidArgumentError(
        absl::StrCat("--shard: expected i/N with 0 <= i < N (e.g. 0/4), got '", s, "'"));
  }
  return shard;
}

std::vector<uint64_t> SeedsForShard(const SeedRange& range, const Shard& shard) {
  CHECK_LE(range.first, range.last);
  CHECK_LT(range.last - range.first, kMaxSeedsPerSweep);
  CHECK_GE(shard.index, 0);
  CHECK_LT(shard.index, shard.count);
  std::vector<uint64_t> seeds;
  for (uint64_t offset = static_cast<uint64_t>(shard.index);
       offset <= range.last - range.first; offset += static_cast<uint64_t>(shard.count)) {
    seeds.push_back(range.first + offset);
  }
  return seeds;
}

std::string SeedResultPath(const std::string& dir, uint64_t seed) {
  return absl::StrCat(dir, "/seed-", seed, ".txtpb");
}

namespace {

// Keeps the first error of a result file's parse for the caller to report (or not: a
// resumed sweep runs such a seed again), where protobuf would log every one to stderr.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty()) first_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

}  // namespace

absl::StatusOr<SeedResult> ReadSeedResult(const std::string& path) {
  absl::StatusOr<std::string> text = history::ReadFileToString(path, "result file");
  if (!text.ok()) return text.status();
  SeedResult result;
  FirstError error;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&error);
  if (!parser.ParseFromString(*text, &result)) {
    return absl::DataLossError(absl::StrCat(path, ":", error.first()));
  }
  return result;
}

absl::StatusOr<SweepSummary> RunSweep(const SweepOptions& options,
                                      const SeedRunner& run_seed) {
  if (options.jobs < 1 || options.jobs > kMaxJobs) {
    return absl::InvalidArgumentError(absl::StrCat("--jobs must be in 1..", kMaxJobs));
  }
  const int64_t start_ns = WallNanos();
  if (!options.out_dir.empty()) {
    absl::Status made = MakeDirectories(options.out_dir);
    if (!made.ok()) return made;
  }
  SweepSummary summary;
  std::vector<uint64_t> todo;
  int64_t failed_before = 0;
  for (uint64_t seed : options.seeds) {
    if (options.resume && !options.out_dir.empty()) {
      auto existing = ReadSeedResult(SeedResultPath(options.out_dir, seed));
      if (existing.ok() && existing->seed() == seed) {
        if (!existing->passed()) ++failed_before;
        summary.results.push_back(*std::move(existing));
        ++summary.resumed;
        continue;
      }
    }
    todo.push_back(seed);
  }
  Progress progress(options.progress, static_cast<int64_t>(options.seeds.size()),
                    summary.resumed, failed_before);
  std::mutex mu;
  std::atomic<size_t> next{0};
  absl::Status first_error;
  auto worker = [&]() {
    while (options.stop == nullptr || !options.stop->load()) {
      const size_t i = next.fetch_add(1);
      if (i >= todo.size()) return;
      SeedResult result = run_seed(todo[i]);
      result.set_seed(todo[i]);
      absl::Status written;
      if (!options.out_dir.empty()) {
        std::string text;
        google::protobuf::TextFormat::PrintToString(result, &text);
        written = WriteFileAtomically(SeedResultPath(options.out_dir, todo[i]), text);
      }
      progress.Record(result.passed());
      std::lock_guard<std::mutex> lock(mu);
      if (!written.ok() && first_error.ok()) first_error = written;
      summary.results.push_back(std::move(result));
      ++summary.ran;
    }
  };
  const int32_t threads = std::min<int32_t>(options.jobs, std::max<size_t>(todo.size(), 1));
  std::vector<std::thread> pool;
  for (int32_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  progress.Finish();
  if (!first_error.ok()) return first_error;
  std::sort(summary.results.begin(), summary.results.end(),
            [](const SeedResult& a, const SeedResult& b) { return a.seed() < b.seed(); });
  summary.interrupted = summary.results.size() < options.seeds.size();
  summary.wall_time_ns = WallNanos() - start_ns;
  return summary;
}

void PrintSweepSummary(const SweepSummary& summary, int64_t seeds_requested,
                       std::ostream& out) {
  int64_t failed = 0;
  std::map<std::string, std::vector<const SeedResult*>> by_signature;
  for (const SeedResult& r : summary.results) {
    if (r.passed()) continue;
    ++failed;
    by_signature[r.signature()].push_back(&r);
  }
  const int64_t done = static_cast<int64_t>(summary.results.size());
  out << "sweep: " << done << "/" << seeds_requested << " seeds, " << (done - failed)
      << " passed, " << failed << " failed";
  if (summary.resumed > 0) out << " (" << summary.resumed << " from earlier results)";
  const int64_t rate_centi =
      summary.ran * 100'000'000'000 / std::max<int64_t>(summary.wall_time_ns, 1);
  out << "; " << summary.ran << " run in " << FormatSeconds(summary.wall_time_ns) << " ("
      << absl::StrFormat("%d.%02d seeds/s", rate_centi / 100, rate_centi % 100) << ")\n";
  if (summary.interrupted) {
    out << "sweep interrupted: " << (seeds_requested - done)
        << " seeds not run; run again with --resume to finish\n";
  }
  if (failed == 0) return;
  out << "failures by violation:\n";
  for (const auto& [signature, results] : by_signature) {
    out << "  " << signature << ": " << results.size() << " seed"
        << (results.size() == 1 ? "" : "s") << " (";
    for (size_t i = 0; i < results.size() && i < 10; ++i) {
      out << (i == 0 ? "" : ", ") << results[i]->seed();
    }
    out << (results.size() > 10 ? ", ...)\n" : ")\n");
  }
  out << "failing seeds:\n";
  for (const auto& [signature, results] : by_signature) {
    for (const SeedResult* r : results) {
      out << "  seed " << r->seed() << ": ";
      std::string detail = r->error();
      for (const CheckOutcome& c : r->checks()) {
        if (!c.as_expected() && detail.empty()) {
          detail = absl::StrCat(c.name(), " ", c.verdict(),
                                c.detail().empty() ? "" : ": ", c.detail());
        }
      }
      out << (detail.empty() ? signature : detail) << "\n";
      out << "    reproduce: " << r->reproduce() << "\n";
    }
  }
}

}  // namespace ravensim::tools
