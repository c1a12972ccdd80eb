#include "tools/scenario/timeline.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "sim/trace.h"
#include "tools/scenario/atomic_file.h"

namespace ravensim::tools {
namespace {

const char* ProcessName(int32_t pid) { return pid == 1 ? "cluster" : "clients"; }

void AppendArgs(std::string* out, const Timeline::Args& args) {
  absl::StrAppend(out, ",\"args\":{");
  for (size_t i = 0; i < args.size(); ++i) {
    absl::StrAppend(out, i == 0 ? "" : ",", sim::JsonQuote(args[i].first), ":",
                    sim::JsonQuote(args[i].second));
  }
  absl::StrAppend(out, "}");
}

}  // namespace

std::string FormatMicros(int64_t nanos) {
  const char* sign = nanos < 0 ? "-" : "";
  const uint64_t magnitude = nanos < 0 ? 0 - static_cast<uint64_t>(nanos)
                                       : static_cast<uint64_t>(nanos);
  std::string fraction = absl::StrCat(magnitude % 1000 + 1000).substr(1);
  return absl::StrCat(sign, magnitude / 1000, ".", fraction);
}

void Timeline::NameTrack(Track track, std::string name) {
  track_names_[{static_cast<int32_t>(track.process), track.thread}] = std::move(name);
}

void Timeline::Span(Track track, sim::SimTime start, sim::SimTime end, std::string name,
                    std::string category, Args args) {
  CHECK_LE(start.nanos(), end.nanos());
  events_.push_back(Event{track, start.nanos(), end.nanos() - start.nanos(), std::move(name),
                          std::move(category), std::move(args)});
}

void Timeline::Instant(Track track, sim::SimTime at, std::string name, std::string category,
                       Args args) {
  events_.push_back(
      Event{track, at.nanos(), -1, std::move(name), std::move(category), std::move(args)});
}

std::string Timeline::ToJson() const {
  std::string out = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  bool first = true;
  auto begin_event = [&]() {
    absl::StrAppend(&out, first ? "" : ",\n");
    first = false;
  };
  std::map<int32_t, bool> processes;
  for (const auto& [key, name] : track_names_) processes[key.first] = true;
  for (const Event& e : events_) processes[static_cast<int32_t>(e.track.process)] = true;
  for (const auto& [pid, unused] : processes) {
    begin_event();
    absl::StrAppend(&out, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":", pid,
                    ",\"tid\":0,\"args\":{\"name\":\"", ProcessName(pid), "\"}}");
    begin_event();
    absl::StrAppend(&out, "{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":", pid,
                    ",\"tid\":0,\"args\":{\"sort_index\":", pid, "}}");
  }
  for (const auto& [key, name] : track_names_) {
    begin_event();
    absl::StrAppend(&out, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":", key.first,
                    ",\"tid\":", key.second, ",\"args\":{\"name\":", sim::JsonQuote(name),
                    "}}");
    begin_event();
    absl::StrAppend(&out, "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":", key.first,
                    ",\"tid\":", key.second, ",\"args\":{\"sort_index\":", key.second, "}}");
  }
  for (const Event& e : events_) {
    begin_event();
    absl::StrAppend(&out, "{\"name\":", sim::JsonQuote(e.name),
                    ",\"cat\":", sim::JsonQuote(e.category), ",\"ph\":\"",
                    e.duration_ns < 0 ? "i" : "X", "\",\"ts\":", FormatMicros(e.start_ns));
    if (e.duration_ns >= 0) {
      absl::StrAppend(&out, ",\"dur\":", FormatMicros(e.duration_ns));
    } else {
      absl::StrAppend(&out, ",\"s\":\"t\"");
    }
    absl::StrAppend(&out, ",\"pid\":", static_cast<int32_t>(e.track.process),
                    ",\"tid\":", e.track.thread);
    AppendArgs(&out, e.args);
    absl::StrAppend(&out, "}");
  }
  absl::StrAppend(&out, "\n]}\n");
  return out;
}

absl::Status Timeline::WriteFile(const std::string& path) const {
  return WriteFileAtomically(path, ToJson());
}

}  // namespace ravensim::tools
