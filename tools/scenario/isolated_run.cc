#include "tools/scenario/isolated_run.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ravensim::tools {
namespace {

constexpr size_t kMaxStderrBytes = 64 * 1024;

void WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// Reads both pipes to EOF without letting either fill up.
void Drain(int result_fd, int err_fd, std::string* result, std::string* err) {
  pollfd fds[2] = {{result_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open = 2;
  char buffer[8192];
  while (open > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open;
        continue;
      }
      std::string* out = i == 0 ? result : err;
      out->append(buffer, static_cast<size_t>(n));
      if (out == err && err->size() > kMaxStderrBytes) {
        err->erase(0, err->size() - kMaxStderrBytes);  // Keep the tail.
      }
    }
  }
}

// The last `count` non-empty lines of `text`, joined with " | ".
std::string LastLines(const std::string& text, size_t count) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.emplace_back(line);
  }
  if (lines.size() > count) lines.erase(lines.begin(), lines.end() - count);
  return absl::StrJoin(lines, " | ");
}

}  // namespace

std::string CrashSignature(const std::string& stderr_text, int signal_number) {
  const size_t at = stderr_text.find("CHECK failed");
  if (at != std::string::npos) {
    const size_t line_start = stderr_text.rfind('\n', at);
    const size_t begin = line_start == std::string::npos ? 0 : line_start + 1;
    size_t end = stderr_text.find('\n', at);
    if (end == std::string::npos) end = stderr_text.size();
    std::string line = stderr_text.substr(begin, end - begin);
    // Values differ from seed to seed; the location and condition group the crash.
    const size_t values = line.find(" (");
    if (values != std::string::npos) line.resize(values);
    return absl::StrCat("crash:", line);
  }
  return absl::StrCat("crash:signal ", signal_number);
}

SeedResult RunSeedIsolated(uint64_t seed, const std::function<SeedResult(uint64_t)>& run,
                           const std::string& reproduce) {
  int result_pipe[2];
  int err_pipe[2];
  SeedResult failed;
  failed.set_seed(seed);
  failed.set_passed(false);
  failed.set_reproduce(reproduce);
  if (pipe(result_pipe) != 0) {
    failed.set_signature("error:pipe");
    return failed;
  }
  if (pipe(err_pipe) != 0) {
    close(result_pipe[0]);
    close(result_pipe[1]);
    failed.set_signature("error:pipe");
    return failed;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    close(result_pipe[0]);
    close(err_pipe[0]);
    dup2(err_pipe[1], STDERR_FILENO);
    const SeedResult result = run(seed);
    WriteAll(result_pipe[1], result.SerializeAsString());
    _exit(0);
  }
  close(result_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(result_pipe[0]);
    close(err_pipe[0]);
    failed.set_signature("error:fork");
    return failed;
  }
  std::string bytes;
  std::string err;
  Drain(result_pipe[0], err_pipe[0], &bytes, &err);
  close(result_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  SeedResult result;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && result.ParseFromString(bytes)) {
    return result;
  }
  const int signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  failed.set_signature(CrashSignature(err, signal_number));
  failed.set_error(absl::StrCat(
      WIFSIGNALED(status) ? absl::StrCat("the run died with signal ", signal_number,
                                         " (", strsignal(signal_number), ")")
                          : absl::StrCat("the run exited with status ", WEXITSTATUS(status)),
      err.empty() ? "" : ": ", LastLines(err, 3)));
  return failed;
}

}  // namespace ravensim::tools
