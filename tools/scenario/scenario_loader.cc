#include "tools/scenario/scenario_loader.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "checkers/history/history.h"
#include "core/base/check.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "tools/scenario/scenario_validate.h"

namespace ravensim::tools {
namespace {

using google::protobuf::TextFormat;
using scenarios::Scenario;

// Collects text-format syntax errors with their positions.
class CollectingErrors : public google::protobuf::io::ErrorCollector {
 public:
  CollectingErrors(std::string file, std::string_view text) : file_(std::move(file)) {
    lines_ = absl::StrSplit(std::string(text), '\n');
  }

  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    ScenarioError error;
    error.file = file_;
    error.line = line + 1;
    error.column = column + 1;
    error.field = FieldOf(message, line, column);
    error.message = message;
    errors_.push_back(std::move(error));
  }

  const std::vector<ScenarioError>& errors() const { return errors_; }

 private:
  // The field an error is about. Protobuf quotes unknown field names ("... has no
  // field named \"nodez\"."); for other errors (a bad value) it is the last
  // `name:` or `name {` before the error on its line.
  std::string FieldOf(const std::string& message, int line, int column) const {
    const std::string marker = "has no field named \"";
    const size_t at = message.find(marker);
    if (at != std::string::npos) {
      const size_t start = at + marker.size();
      const size_t end = message.find('"', start);
      if (end != std::string::npos) return message.substr(start, end - start);
    }
    if (line < 0 || line >= static_cast<int>(lines_.size())) return "";
    const std::string& text = lines_[line];
    std::string field;
    size_t i = 0;
    const size_t limit = std::min(text.size(), static_cast<size_t>(std::max(column, 0)));
    while (i < limit) {
      if (std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_') {
        size_t j = i;
        while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) ||
                                   text[j] == '_')) {
          ++j;
        }
        size_t k = j;
        while (k < text.size() && text[k] == ' ') ++k;
        if (k < text.size() && (text[k] == ':' || text[k] == '{') && k < limit) {
          field = text.substr(i, j - i);
        }
        i = j;
      } else if (text[i] == '"') {
        const size_t close = text.find('"', i + 1);
        i = close == std::string::npos ? text.size() : close + 1;
      } else {
        ++i;
      }
    }
    return field;
  }

  std::string file_;
  std::vector<std::string> lines_;
  std::vector<ScenarioError> errors_;
};

std::string BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find('.');
  if (dot != std::string_view::npos) base = base.substr(0, dot);
  return std::string(base);
}

absl::Status ErrorsToStatus(const std::vector<ScenarioError>& errors) {
  std::vector<std::string> lines;
  for (const ScenarioError& e : errors) lines.push_back(e.ToString());
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

}  // namespace

std::string ScenarioError::ToString() const {
  std::string out = file.empty() ? "<scenario>" : file;
  if (line > 0) absl::StrAppend(&out, ":", line, ":", column);
  absl::StrAppend(&out, ": ");
  if (!field.empty()) absl::StrAppend(&out, "field '", field, "': ");
  absl::StrAppend(&out, message);
  return out;
}

absl::StatusOr<Scenario> ParseScenario(std::string_view text, std::string_view file_name) {
  CollectingErrors collector(std::string(file_name), text);
  TextFormat::ParseInfoTree tree;
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&tree);
  Scenario scenario;
  if (!parser.ParseFromString(std::string(text), &scenario)) {
    if (collector.errors().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(file_name), ": not a valid scenario text proto"));
    }
    return ErrorsToStatus(collector.errors());
  }
  if (scenario.name().empty()) scenario.set_name(BaseName(file_name));
  std::vector<ScenarioError> errors =
      ValidateScenarioWithLocations(scenario, std::string(file_name), &tree);
  if (!errors.empty()) return ErrorsToStatus(errors);
  return scenario;
}

absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path) {
  absl::StatusOr<std::string> text = history::ReadFileToString(path, "scenario file");
  if (!text.ok()) return text.status();
  return ParseScenario(*text, path);
}

std::vector<ScenarioError> ValidateScenario(const Scenario& scenario) {
  return ValidateScenarioWithLocations(scenario, "", nullptr);
}

std::string NodeTag(int32_t index) {
  CHECK_GE(index, 0);
  CHECK_LT(index, kMaxClusterNodes);
  return std::string(1, static_cast<char>('A' + index));
}

std::optional<int32_t> NodeIndex(std::string_view tag, int32_t node_count) {
  if (tag.size() != 1 || tag[0] < 'A' || tag[0] > 'Z') return std::nullopt;
  const int32_t index = tag[0] - 'A';
  if (index >= node_count) return std::nullopt;
  return index;
}

std::vector<std::string> EnabledCheckNames(const Scenario& scenario) {
  std::vector<std::string> names;
  if (scenario.checks().raft_invariants()) names.push_back("raft_invariants");
  if (scenario.checks().linearizability()) names.push_back("linearizability");
  if (scenario.checks().watchers_never_vote()) names.push_back("watchers_never_vote");
  for (const auto& liveness : scenario.checks().liveness()) names.push_back(liveness.name());
  return names;
}

std::string ScenarioToText(const Scenario& scenario, std::string_view comment) {
  std::string body;
  TextFormat::Printer printer;
  printer.SetUseUtf8StringEscaping(true);  // Keep "§" readable in source lines.
  CHECK(printer.PrintToString(scenario, &body));
  std::string out;
  std::istringstream lines{std::string(comment)};
  for (std::string line; std::getline(lines, line);) {
    absl::StrAppend(&out, line.empty() ? "#" : "# ", line, "\n");
  }
  absl::StrAppend(&out, body);
  return out;
}

}  // namespace ravensim::tools
