#include "tools/scenario/isolated_run.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

// In a freshly forked child: closes every descriptor above stderr except `keep`, so the
// child holds no copy of another worker's pipes (which would keep them from seeing end
// of input).
void CloseInheritedFds(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned int next = 3;
  for (int fd : keep) {
    if (fd < 3) continue;
    if (static_cast<unsigned int>(fd) > next) close_range(next, fd - 1, 0);
    next = static_cast<unsigned int>(fd) + 1;
  }
  close_range(next, ~0U, 0);
}

bool ReadExactly(int fd, char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = read(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string Frame(const std::string& payload) {
  std::string frame(8, '\0');
  uint64_t size = payload.size();
  for (int i = 0; i < 8; ++i) frame[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  return frame + payload;
}

uint64_t FrameSize(const std::string& header) {
  uint64_t size = 0;
  for (int i = 7; i >= 0; --i) size = (size << 8) | static_cast<uint8_t>(header[i]);
  return size;
}

SeedResult CrashResult(uint64_t seed, const std::string& reproduce, int status,
                       const std::string& err) {
  SeedResult failed;
  failed.set_seed(seed);
  failed.set_passed(false);
  failed.set_reproduce(reproduce);
  const int signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  failed.set_signature(CrashSignature(err, signal_number));
  failed.set_error(absl::StrCat(
      WIFSIGNALED(status) ? absl::StrCat("the run died with signal ", signal_number, " (",
                                         strsignal(signal_number), ")")
                          : absl::StrCat("the run exited with status ", WEXITSTATUS(status)),
      err.empty() ? "" : ": ", LastLines(err, 3)));
  return failed;
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
    CloseInheritedFds({result_pipe[1]});
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
  return CrashResult(seed, reproduce, status, err);
}

IsolatedWorker::IsolatedWorker(std::function<SeedResult(uint64_t)> run)
    : run_(std::move(run)) {}

IsolatedWorker::~IsolatedWorker() {
  if (pid_ < 0) return;
  int status = 0;
  Reap(&status);
}

void IsolatedWorker::Reap(int* status) {
  close(to_child_);  // The child sees end of input and exits.
  close(from_child_);
  close(err_from_child_);
  while (waitpid(pid_, status, 0) < 0 && errno == EINTR) {
  }
  pid_ = to_child_ = from_child_ = err_from_child_ = -1;
}

bool IsolatedWorker::Spawn() {
  signal(SIGPIPE, SIG_IGN);  // A dead child must not kill the sweep through a write.
  int in[2], out[2], err[2];
  if (pipe(in) != 0) return false;
  if (pipe(out) != 0) {
    close(in[0]);
    close(in[1]);
    return false;
  }
  if (pipe(err) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
    return false;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(err[1], STDERR_FILENO);
    CloseInheritedFds({in[0], out[1]});
    for (uint64_t seed = 0;;) {
      char header[8];
      if (!ReadExactly(in[0], header, 8)) _exit(0);
      seed = FrameSize(std::string(header, 8));
      WriteAll(out[1], Frame(run_(seed).SerializeAsString()));
    }
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (pid < 0) {
    for (int fd : {in[1], out[0], err[0]}) close(fd);
    return false;
  }
  pid_ = pid;
  to_child_ = in[1];
  from_child_ = out[0];
  err_from_child_ = err[0];
  ++children_started_;
  return true;
}

bool IsolatedWorker::Start() { return pid_ >= 0 || Spawn(); }

SeedResult IsolatedWorker::Run(uint64_t seed, const std::string& reproduce) {
  if (pid_ < 0 && !Spawn()) {
    SeedResult failed;
    failed.set_seed(seed);
    failed.set_reproduce(reproduce);
    failed.set_signature("error:fork");
    return failed;
  }
  std::string request(8, '\0');
  for (int i = 0; i < 8; ++i) request[i] = static_cast<char>((seed >> (8 * i)) & 0xff);
  WriteAll(to_child_, request);
  // Read one framed result, keeping the child's stderr drained meanwhile.
  std::string bytes;
  std::string err;
  pollfd fds[2] = {{from_child_, POLLIN, 0}, {err_from_child_, POLLIN, 0}};
  char buffer[8192];
  bool dead = false;
  while (!(bytes.size() >= 8 && bytes.size() >= 8 + FrameSize(bytes.substr(0, 8)))) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      dead = true;
      break;
    }
    if (fds[1].fd >= 0 && fds[1].revents != 0) {
      const ssize_t n = read(fds[1].fd, buffer, sizeof(buffer));
      if (n > 0) {
        err.append(buffer, static_cast<size_t>(n));
        if (err.size() > kMaxStderrBytes) err.erase(0, err.size() - kMaxStderrBytes);
      } else if (n == 0) {
        fds[1].fd = -1;
      }
    }
    if (fds[0].revents != 0) {
      const ssize_t n = read(fds[0].fd, buffer, sizeof(buffer));
      if (n > 0) {
        bytes.append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        dead = true;
        break;
      }
    }
  }
  if (dead) {
    // Collect what the dying child wrote to stderr, then reap it.
    for (ssize_t n; fds[1].fd >= 0 && (n = read(fds[1].fd, buffer, sizeof(buffer))) > 0;) {
      err.append(buffer, static_cast<size_t>(n));
    }
    int status = 0;
    Reap(&status);
    return CrashResult(seed, reproduce, status, err);
  }
  SeedResult result;
  if (!result.ParseFromString(bytes.substr(8))) {
    int status = 0;
    Reap(&status);
    return CrashResult(seed, reproduce, status, "unreadable result from the child");
  }
  return result;
}

}  // namespace ravensim::tools
