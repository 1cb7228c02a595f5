#pragma once
// The real wxlogin binary as a child process: spawned with chosen arguments and environment, its
// stdout and stderr captured to files, signalled and reaped with deadlines.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace wx::test {

// A port that was free a moment ago on 127.0.0.1 (bind port 0, read it, close).
[[nodiscard]] std::uint16_t free_port();

// SIGSTOP, and then waits until every thread of the process is stopped: kill() returns before
// the signal takes effect, and a busy machine can let a server answer one more request in
// between. Throws std::runtime_error when it is not stopped within 10 s.
void stop_process(pid_t pid);

// Owns one child process; the destructor kills (SIGKILL) and reaps it if it is still running.
// Thread safety: none.
class Process {
public:
    // Spawns `binary args...` (tests pass WX_BINARY, the path of the built wxlogin). The child inherits this process's
    // environment without any WXLOGIN_* variable, plus `env`. Throws std::system_error when the spawn fails.
    Process(std::string const& binary,
            std::vector<std::string> const& args,
            std::map<std::string, std::string> const& env);
    Process(Process const&) = delete;
    Process& operator=(Process const&) = delete;
    ~Process();

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] bool running();
    void signal(int sig);
    // The exit code (128 + n when killed by signal n), or nullopt when it did not exit in time.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    // Polls GET /healthz on 127.0.0.1:port until it answers 200; false when the process exited or
    // the deadline passed.
    bool wait_listening(std::uint16_t port, std::chrono::milliseconds timeout);

    [[nodiscard]] std::string stdout_text() const;
    [[nodiscard]] std::string stderr_text() const;

private:
    TempDir dir_{"wxlogin-proc"};
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

}  // namespace wx::test
