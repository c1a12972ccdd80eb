#include "tools/check_command.h"

#include <fstream>
#include <iostream>
#include <memory>

#include "checkers/history/history.h"
#include "checkers/history/importers.h"
#include "checkers/linearizability.h"
#include "checkers/render.h"

namespace ravensim::tools {
namespace {

constexpr int kExitLinearizable = 0;
constexpr int kExitViolation = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitUnknown = 3;

absl::StatusOr<history::History> Load(const CheckArgs& args) {
  if (args.format == "ravensim") return history::ReadJsonlFile(args.file);
  absl::StatusOr<std::string> text = history::ReadFileToString(args.file, "history file");
  if (!text.ok()) return text.status();
  if (args.format == "jepsen-etcd") return history::ParseJepsenEtcdLog(*text, args.file);
  if (args.format == "porcupine-kv") return history::ParsePorcupineKv(*text, args.file);
  return absl::InvalidArgumentError("--format: expected ravensim, jepsen-etcd or porcupine-kv, got '" +
                                    args.format + "'");
}

}  // namespace

int RunCheck(const CheckArgs& args, std::ostream& out, std::ostream& err) {
  absl::StatusOr<history::History> h = Load(args);
  if (!h.ok()) {
    err << "ravensim check: " << h.status().message() << "\n";
    return kExitBadInput;
  }
  checkers::LinearizabilityOptions options;
  absl::StatusOr<checkers::ModelKind> model =
      args.model.empty() ? checkers::InferModelKind(*h) : checkers::ParseModelKind(args.model);
  if (!model.ok()) {
    err << "ravensim check: " << (args.model.empty() ? args.file + ": " : "--model: ")
        << model.status().message() << "\n";
    return kExitBadInput;
  }
  options.model = *model;
  options.threads = args.threads;
  options.budget.max_steps = args.max_steps;
  absl::StatusOr<checkers::LinearizabilityResult> r = checkers::CheckLinearizability(*h, options);
  if (!r.ok()) {
    err << "ravensim check: " << args.file << ": " << r.status().message() << "\n";
    return kExitBadInput;
  }
  out << checkers::RenderText(*h, *r);
  if (!args.html.empty()) {
    std::ofstream html(args.html, std::ios::binary | std::ios::trunc);
    html << checkers::RenderHtml(*h, *r, "ravensim check " + args.file);
    html.close();
    if (!html) {
      err << "ravensim check: --html: cannot write " << args.html << "\n";
      return kExitBadInput;
    }
  }
  switch (r->verdict) {
    case checkers::Verdict::kNotLinearizable:
      return kExitViolation;
    case checkers::Verdict::kUnknown:
      return kExitUnknown;
    case checkers::Verdict::kLinearizable:
      return r->local_read_violations.empty() ? kExitLinearizable : kExitViolation;
  }
  return kExitUnknown;
}

void AddCheckCommand(CLI::App& app, Action* action) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Check a history for linearizability (exit 0 linearizable, 1 not, 3 unknown, "
               "2 bad input)");
  cmd->add_option("file", args->file, "History file")->required();
  cmd->add_option("--format", args->format, "ravensim (JSONL), jepsen-etcd or porcupine-kv")
      ->check(CLI::IsMember({"ravensim", "jepsen-etcd", "porcupine-kv"}));
  cmd->add_option("--model", args->model,
                  "cmpxchg, register or kv (default: from the operation kinds)")
      ->check(CLI::IsMember({"cmpxchg", "register", "kv"}));
  cmd->add_option("--html", args->html, "Write an HTML timeline of the result here");
  cmd->add_option("--threads", args->threads, "Threads checking keys in parallel")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--max-steps", args->max_steps,
                  "Search step budget per key; beyond it the verdict is unknown")
      ->check(CLI::PositiveNumber);
  cmd->callback([args, action]() {
    *action = [args]() { return RunCheck(*args, std::cout, std::cerr); };
  });
}

}  // namespace ravensim::tools
