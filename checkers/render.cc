#include "checkers/render.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "checkers/history/history.h"

namespace ravensim::checkers {

using history::Operation;

namespace {

std::string Interval(const Operation& op) {
  return absl::StrCat("[", op.invoke_time_ns(), ", ",
                      op.has_return_time_ns() ? absl::StrCat(op.return_time_ns()) : "never",
                      "]");
}

std::string Escape(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

void AppendCounterexample(const history::History& h, const Counterexample& c, std::string* out) {
  absl::StrAppend(out, "counterexample for key '", c.key, "' (", c.operations.size(),
                  " operations", c.shrunk ? ", shrunk" : ", not fully shrunk", "):\n");
  for (int32_t i : c.operations) {
    absl::StrAppend(out, "  ", history::DescribeOperation(h.operations(i)), "  ",
                    Interval(h.operations(i)), "\n");
  }
  absl::StrAppend(out, "longest linearizable prefix (", c.longest_prefix.size(),
                  " operations):\n");
  for (size_t k = 0; k < c.longest_prefix.size(); ++k) {
    absl::StrAppend(out, "  ", k + 1, ". ", history::DescribeOperation(h.operations(c.longest_prefix[k])),
                    "  => ", c.prefix_states[k], "\n");
  }
  if (c.stuck_operation >= 0) {
    absl::StrAppend(out, "  then no order can place ",
                    history::DescribeOperation(h.operations(c.stuck_operation)), "  ",
                    Interval(h.operations(c.stuck_operation)), "\n");
  }
}

// The SVG timeline of `shown` (history positions).
std::string Timeline(const history::History& h, const std::vector<int32_t>& shown,
                     const Counterexample* c) {
  const std::set<int32_t> failing = c ? std::set<int32_t>(c->operations.begin(), c->operations.end())
                                      : std::set<int32_t>();
  std::map<int32_t, int> prefix_rank;
  if (c) for (size_t k = 0; k < c->longest_prefix.size(); ++k) prefix_rank[c->longest_prefix[k]] = k + 1;
  int64_t t_min = INT64_MAX, t_max = INT64_MIN;
  std::map<int64_t, int> row_of_client;
  for (int32_t i : shown) {
    const Operation& op = h.operations(i);
    t_min = std::min(t_min, op.invoke_time_ns());
    t_max = std::max(t_max, op.has_return_time_ns() ? op.return_time_ns() : op.invoke_time_ns());
    row_of_client.emplace(op.client_id(), 0);
  }
  int row = 0;
  for (auto& [client, r_index] : row_of_client) r_index = row++;
  if (shown.empty()) t_min = 0, t_max = 1;
  const int64_t span = std::max<int64_t>(1, t_max - t_min);
  const int width = 1200, left = 90, row_h = 26;
  const int height = row * row_h + 40;
  auto x = [&](int64_t t) { return left + static_cast<int>((t - t_min) * (width - left - 20) / span); };
  std::string svg = absl::StrCat("<svg xmlns='http://www.w3.org/2000/svg' width='", width,
                                 "' height='", height, "' font-family='monospace' font-size='11'>\n");
  for (const auto& [client, rr] : row_of_client) {
    absl::StrAppend(&svg, "<text x='4' y='", 24 + rr * row_h, "'>client ", client, "</text>\n");
  }
  for (int32_t i : shown) {
    const Operation& op = h.operations(i);
    const int y = 10 + row_of_client[op.client_id()] * row_h;
    const int x0 = x(op.invoke_time_ns());
    const bool unknown = !op.has_return_time_ns();
    const int x1 = unknown ? width - 20 : std::max(x0 + 3, x(op.return_time_ns()));
    std::string fill = "#9ecae1";
    if (prefix_rank.contains(i)) fill = "#a1d99b";
    if (failing.contains(i)) fill = "#fc9272";
    const bool stuck = c && c->stuck_operation == i;
    absl::StrAppend(&svg, "<g><title>", Escape(history::DescribeOperation(op)), " ",
                    Interval(op), prefix_rank.contains(i) ? absl::StrCat(" (prefix #", prefix_rank[i], ")") : "",
                    "</title><rect x='", x0, "' y='", y, "' width='", x1 - x0, "' height='18' fill='", fill,
                    "' stroke='", stuck ? "#a50f15" : "#555", "' stroke-width='", stuck ? 3 : 1, "'",
                    unknown ? " stroke-dasharray='4,3' fill-opacity='0.4'" : "", "/>");
    absl::StrAppend(&svg, "<text x='", x0 + 2, "' y='", y + 13, "'>#", op.id(), "</text></g>\n");
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace

std::string RenderText(const history::History& h, const LinearizabilityResult& r) {
  std::string out = VerdictName(r.verdict);
  if (!r.why.empty()) absl::StrAppend(&out, ": ", r.why);
  absl::StrAppend(&out, "\n");
  if (r.counterexample.has_value()) AppendCounterexample(h, *r.counterexample, &out);
  int fast = 0;
  for (const PartitionReport& p : r.partitions) fast += p.fast_path;
  absl::StrAppend(&out, r.partitions.size(), " keys checked", fast ? absl::StrCat(" (", fast, " by the compare-exchange fast path)") : "", "\n");
  if (!r.local_read_violations.empty()) {
    absl::StrAppend(&out, r.local_read_violations.size(), " local GET violations:\n");
    for (const LocalReadViolation& v : r.local_read_violations) {
      absl::StrAppend(&out, "  ", history::DescribeOperation(h.operations(v.operation)), ": ",
                      v.why, "\n");
    }
  }
  return out;
}

std::string RenderHtml(const history::History& h, const LinearizabilityResult& r,
                       absl::string_view title, int max_operations) {
  const Counterexample* c = r.counterexample.has_value() ? &*r.counterexample : nullptr;
  std::vector<int32_t> shown;
  for (int i = 0; i < h.operations_size() && static_cast<int>(shown.size()) < max_operations; ++i) {
    if (c == nullptr || h.operations(i).key() == c->key) shown.push_back(i);
  }
  const std::string svg = Timeline(h, shown, c);
  std::string page = absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>", Escape(title),
      "</title>\n<style>body{font-family:sans-serif;margin:16px}pre{background:#f4f4f4;padding:8px}"
      ".k span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;border:1px solid #555}"
      "</style></head><body>\n<h1>", Escape(title), "</h1>\n<p><b>", VerdictName(r.verdict), "</b> ",
      Escape(r.why), "</p>\n<p class='k'>",
      "<span style='background:#fc9272'></span>counterexample",
      "<span style='background:#a1d99b'></span>longest linearizable prefix",
      "<span style='background:#9ecae1'></span>other",
      "<span style='border:3px solid #a50f15'></span>could not be placed",
      "<span style='border-style:dashed'></span>unknown outcome</p>\n",
      c ? absl::StrCat("<p>Operations on key '", Escape(c->key), "' only.</p>\n") : "",
      svg, "<pre>", Escape(RenderText(h, r)), "</pre>\n</body></html>\n");
  return page;
}

}  // namespace ravensim::checkers
