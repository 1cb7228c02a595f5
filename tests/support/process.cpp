#include "support/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include "support/http_client.hpp"

extern char** environ;

namespace wx::test {
namespace {

constexpr std::chrono::milliseconds kPollInterval{20};

std::string read_file(std::filesystem::path const& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// posix_spawn file actions and attributes, released on every path.
struct SpawnSetup {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attr{};
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
};

// Whether every thread of `pid` is in state T (stopped) or t (traced), per /proc/PID/task/*/stat.
bool all_threads_stopped(pid_t pid) {
    std::error_code ec;
    std::filesystem::path const tasks = "/proc/" + std::to_string(pid) + "/task";
    bool any = false;
    for (std::filesystem::directory_iterator it{tasks, ec}, end; !ec && it != end; it.increment(ec)) {
        std::string const stat = read_file(it->path() / "stat");
        auto const close = stat.rfind(')');
        if (close == std::string::npos || close + 2 >= stat.size()) return false;
        char const state = stat[close + 2];
        if (state != 'T' && state != 't') return false;
        any = true;
    }
    return !ec && any;
}

}  // namespace

void stop_process(pid_t pid) {
    if (::kill(pid, SIGSTOP) != 0) throw std::system_error(errno, std::generic_category(), "kill(SIGSTOP)");
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!all_threads_stopped(pid)) {
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("process " + std::to_string(pid) + " did not stop within 10 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        int err = errno;
        ::close(fd);
        throw std::system_error(err, std::generic_category(), "bind 127.0.0.1:0");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

Process::Process(std::string const& binary,
                 std::vector<std::string> const& args,
                 std::map<std::string, std::string> const& env) {
    std::vector<std::string> argv_store{binary};
    argv_store.insert(argv_store.end(), args.begin(), args.end());
    std::vector<std::string> env_store;
    for (char** e = environ; e && *e; ++e) {
        std::string_view kv{*e};
        if (kv.substr(0, 8) == "WXLOGIN_") continue;
        env_store.emplace_back(kv);
    }
    for (auto const& [k, v] : env) env_store.push_back(k + "=" + v);
    std::vector<char*> argv;
    for (auto& a : argv_store) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);

    std::string out_path = (dir_.path() / "stdout").string();
    std::string err_path = (dir_.path() / "stderr").string();
    SpawnSetup s;
    posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&s.actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&s.actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // The child must not inherit this test process's sockets (a TestApp's listener, say).
    posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
#endif
    // A clean signal state: nothing blocked, default dispositions for what the test sends.
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGTERM, SIGINT, SIGPIPE, SIGHUP}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&s.attr, &none);
    posix_spawnattr_setsigdefault(&s.attr, &defaults);
    posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    int rc = ::posix_spawn(&pid_, binary.c_str(), &s.actions, &s.attr, argv.data(), envp.data());
    if (rc != 0) {
        pid_ = -1;
        throw std::system_error(rc, std::generic_category(), "posix_spawn " + binary);
    }
}

Process::~Process() {
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

bool Process::running() {
    if (pid_ <= 0 || exit_code_) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exit_code_ = decode_status(status);
        return false;
    }
    return r == 0;
}

void Process::signal(int sig) {
    if (running()) ::kill(pid_, sig);
}

std::optional<int> Process::wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return exit_code_;
}

bool Process::wait_listening(std::uint16_t port, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running()) return false;
        HttpClient client{port, std::chrono::milliseconds(500)};
        if (client.get("/healthz").status == 200) return true;
        std::this_thread::sleep_for(kPollInterval);
    }
    return false;
}

std::string Process::stdout_text() const { return read_file(dir_.path() / "stdout"); }
std::string Process::stderr_text() const { return read_file(dir_.path() / "stderr"); }

}  // namespace wx::test
