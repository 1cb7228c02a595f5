#include "support/mariadb_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "support/process.hpp"

#ifndef WX_MARIADB_STATE_FILE
#define WX_MARIADB_STATE_FILE "mariadb-test-server.state"
#endif

namespace wx::test {
namespace fs = std::filesystem;
namespace {

constexpr std::chrono::seconds kStartTimeout{60};
constexpr std::chrono::seconds kStopTimeout{60};
constexpr std::chrono::milliseconds kPoll{20};
constexpr char const* kTestUser = "wxtest";

std::string read_file(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string tail_of(fs::path const& p, std::size_t n = 1500) {
    std::string s = read_file(p);
    return s.size() > n ? s.substr(s.size() - n) : s;
}

std::string random_hex(std::size_t bytes) {
    std::random_device rd;
    std::string out;
    constexpr char kDigits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < bytes; ++i) {
        auto b = static_cast<unsigned>(rd()) & 0xFF;
        out += kDigits[b >> 4];
        out += kDigits[b & 0xF];
    }
    return out;
}

// mariadbd lives in /usr/sbin, which is not on every user's PATH.
std::string find_program(std::string const& name) {
    std::vector<std::string> dirs;
    if (char const* path = std::getenv("PATH")) {
        std::stringstream in{path};
        for (std::string d; std::getline(in, d, ':');)
            if (!d.empty()) dirs.push_back(d);
    }
    for (char const* d : {"/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"}) dirs.emplace_back(d);
    for (auto const& d : dirs) {
        auto p = fs::path(d) / name;
        if (::access(p.c_str(), X_OK) == 0) return p.string();
    }
    throw std::runtime_error(name +
                             " not found (PATH, /usr/sbin, /usr/local/sbin): the MariaDB tests need a real server — "
                             "install mariadb-server (scripts/test does)");
}

// A fresh directory for one server: on tmpfs when there is one (installing a data directory on a
// disk spends seconds in fsync), else under the temp dir.
fs::path make_server_dir() {
    std::error_code ec;
    fs::path base = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0 ? fs::path{"/dev/shm"}
                                                                                        : fs::temp_directory_path();
    std::string pattern = (base / "wxlogin-mariadb-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    return pattern;
}

// fork + exec with stdin from /dev/null and stdout/stderr into `output`, and no other descriptor
// inherited: a server holding CTest's output pipe would make CTest wait for it to exit.
// `detached`: a session of its own, outliving this process; otherwise it dies with this thread.
pid_t spawn_process(std::vector<std::string> const& argv, fs::path const& output, bool detached) {
    std::vector<char*> args;
    for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::string const out = output.string();
    pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        // Only async-signal-safe calls from here to exec: the test process has threads.
        if (detached)
            ::setsid();
        else
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        int in = ::open("/dev/null", O_RDONLY);
        int log = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (in < 0 || log < 0) ::_exit(126);
        ::dup2(in, 0);
        ::dup2(log, 1);
        ::dup2(log, 2);
        ::syscall(SYS_close_range, 3u, ~0u, 0u);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

// The exit status, or nullopt while it runs.
std::optional<int> reaped(pid_t pid) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == 0) return std::nullopt;
    if (r < 0) return -1;  // not our child (any more)
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Running, and not a zombie waiting for a parent that does not reap (PID 1 of a container may not).
bool alive(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

std::map<std::string, std::string> read_state(fs::path const& file) {
    std::map<std::string, std::string> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

MYSQL* connect_or_null(store::MysqlConfig const& c, std::string* why, char const* socket = nullptr) {
    MYSQL* db = mysql_init(nullptr);
    unsigned const timeout = 5;
    unsigned const protocol = socket ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
    mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    mysql_options(db, MYSQL_OPT_PROTOCOL, &protocol);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    char const* database = c.database.empty() ? nullptr : c.database.c_str();
    if (!mysql_real_connect(db, c.host.c_str(), c.user.c_str(), c.password.c_str(), database, c.port, socket, 0)) {
        if (why) *why = mysql_error(db);
        mysql_close(db);
        return nullptr;
    }
    return db;
}

}  // namespace

// --- MariadbAdmin ---

MariadbAdmin::MariadbAdmin(store::MysqlConfig const& server) {
    std::string why;
    db_ = connect_or_null(server, &why);
    if (!db_)
        throw std::runtime_error("cannot connect to the test MariaDB at " + server.host + ":" +
                                 std::to_string(server.port) + ": " + why);
}

MariadbAdmin::~MariadbAdmin() { mysql_close(db_); }

void MariadbAdmin::exec(std::string const& sql) {
    if (mysql_real_query(db_, sql.data(), static_cast<unsigned long>(sql.size())))
        throw std::runtime_error("MariaDB refused `" + sql + "`: " + mysql_error(db_));
    if (MYSQL_RES* r = mysql_store_result(db_)) mysql_free_result(r);
}

std::vector<std::vector<std::optional<std::string>>> MariadbAdmin::query(std::string const& sql) {
    if (mysql_real_query(db_, sql.data(), static_cast<unsigned long>(sql.size())))
        throw std::runtime_error("MariaDB refused `" + sql + "`: " + mysql_error(db_));
    std::vector<std::vector<std::optional<std::string>>> rows;
    MYSQL_RES* r = mysql_store_result(db_);
    if (!r) return rows;
    unsigned const n = mysql_num_fields(r);
    while (MYSQL_ROW row = mysql_fetch_row(r)) {
        unsigned long* lengths = mysql_fetch_lengths(r);
        auto& out = rows.emplace_back();
        for (unsigned i = 0; i < n; ++i)
            out.push_back(row[i] ? std::optional<std::string>{std::string(row[i], lengths[i])} : std::nullopt);
    }
    mysql_free_result(r);
    return rows;
}

std::vector<std::int64_t> MariadbAdmin::connection_ids(std::string const& database) {
    std::vector<std::int64_t> ids;
    for (auto const& row :
         query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '" + database + "' AND ID <> CONNECTION_ID()"))
        ids.push_back(std::stoll(row.at(0).value()));
    return ids;
}

// --- MariadbServer ---

MariadbServer::MariadbServer() : dir_(make_server_dir()), port_(free_port()), password_(random_hex(12)) {
    try {
        std::vector<std::string> install{find_program("mariadb-install-db"),
                                         "--no-defaults",
                                         "--datadir=" + (dir_ / "data").string(),
                                         "--auth-root-authentication-method=normal",
                                         "--skip-test-db",
                                         "--skip-name-resolve",
                                         "--innodb-log-file-size=8M"};
        if (::geteuid() == 0) install.push_back("--user=root");  // mariadbd refuses root otherwise
        pid_t pid = spawn_process(install, dir_ / "install.log", false);
        auto const deadline = std::chrono::steady_clock::now() + kStartTimeout;
        std::optional<int> status;
        while (!(status = reaped(pid))) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid, SIGKILL);
                throw std::runtime_error("mariadb-install-db did not finish within 60 s");
            }
            std::this_thread::sleep_for(kPoll);
        }
        if (*status != 0)
            throw std::runtime_error("mariadb-install-db failed (status " + std::to_string(*status) +
                                     "): " + tail_of(dir_ / "install.log"));
        start();
        create_test_user();
    } catch (...) {
        if (pid_ > 0) ::kill(pid_, SIGKILL);
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
        throw;
    }
}

MariadbServer::~MariadbServer() {
    if (detached_) return;
    try {
        if (frozen_) thaw();
        stop();
    } catch (...) {
        if (pid_ > 0) ::kill(pid_, SIGKILL);
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

void MariadbServer::spawn(bool detached) {
    std::vector<std::string> argv{
        find_program("mariadbd"), "--no-defaults", "--datadir=" + (dir_ / "data").string(),
        "--socket=" + (dir_ / "sock").string(), "--pid-file=" + (dir_ / "mariadbd.pid").string(),
        "--log-error=" + (dir_ / "error.log").string(), "--tmpdir=" + dir_.string(), "--bind-address=127.0.0.1",
        "--port=" + std::to_string(port_), "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
        "--innodb-log-file-size=8M",
        // Durable across a crash of mariadbd (what the tests inflict), not
        // of the machine: no fsync per commit.
        "--innodb-flush-log-at-trx-commit=2", "--innodb-doublewrite=0", "--max-connections=500"};
    if (::geteuid() == 0) argv.push_back("--user=root");
    pid_ = spawn_process(argv, dir_ / "mariadbd.out", detached);
}

void MariadbServer::start() {
    if (pid_ > 0) return;
    spawn(false);
    wait_ready();
}

void MariadbServer::wait_ready() {
    auto const deadline = std::chrono::steady_clock::now() + kStartTimeout;
    std::string const socket = (dir_ / "sock").string();
    store::MysqlConfig root{"root", "", "localhost", 0, ""};
    for (;;) {
        if (auto status = reaped(pid_)) {
            pid_ = -1;
            throw std::runtime_error("mariadbd exited (status " + std::to_string(*status) +
                                     ") before accepting connections: " + tail_of(dir_ / "error.log"));
        }
        if (MYSQL* db = connect_or_null(root, nullptr, socket.c_str())) {
            mysql_close(db);
            return;
        }
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("mariadbd did not accept connections within 60 s: " + tail_of(dir_ / "error.log"));
        std::this_thread::sleep_for(kPoll);
    }
}

void MariadbServer::create_test_user() {
    std::string const socket = (dir_ / "sock").string();
    std::string why;
    MYSQL* db = connect_or_null(store::MysqlConfig{"root", "", "localhost", 0, ""}, &why, socket.c_str());
    if (!db) throw std::runtime_error("cannot connect to the new MariaDB as root: " + why);
    for (std::string const& sql :
         {"CREATE USER IF NOT EXISTS '" + std::string{kTestUser} + "'@'%' IDENTIFIED BY '" + password_ + "'",
          "GRANT ALL PRIVILEGES ON *.* TO '" + std::string{kTestUser} + "'@'%' WITH GRANT OPTION"}) {
        if (mysql_real_query(db, sql.data(), static_cast<unsigned long>(sql.size()))) {
            std::string error = mysql_error(db);
            mysql_close(db);
            throw std::runtime_error("creating the test user failed: " + error);
        }
    }
    mysql_close(db);
}

void MariadbServer::stop() {
    if (pid_ <= 0) return;
    if (frozen_) thaw();
    ::kill(pid_, SIGTERM);
    auto const deadline = std::chrono::steady_clock::now() + kStopTimeout;
    while (!reaped(pid_)) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            break;
        }
        std::this_thread::sleep_for(kPoll);
    }
    pid_ = -1;
}

void MariadbServer::crash() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    frozen_ = false;
}

void MariadbServer::freeze() {
    if (pid_ <= 0) return;
    stop_process(pid_);
    frozen_ = true;
}

void MariadbServer::thaw() {
    if (pid_ > 0 && ::kill(pid_, SIGCONT) == 0) frozen_ = false;
}

store::MysqlConfig MariadbServer::config(std::string database) const {
    return store::MysqlConfig{kTestUser, password_, "127.0.0.1", port_, std::move(database)};
}

std::string MariadbServer::url(std::string const& database) const {
    return "mysql://" + std::string{kTestUser} + ":" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" +
           database;
}

void MariadbServer::detach(fs::path const& state_file) {
    // The server was started as this process's child; restart it in a session of its own so
    // that it outlives this process.
    stop();
    spawn(true);
    wait_ready();
    std::ofstream out(state_file, std::ios::trunc);
    out << "url=" << url("mysql") << "\npid=" << pid_ << "\ndir=" << dir_.string() << "\n";
    if (!out) throw std::runtime_error("cannot write " + state_file.string());
    detached_ = true;
}

void MariadbServer::stop_detached(fs::path const& state_file) {
    std::error_code ignored;
    if (!fs::exists(state_file)) return;
    auto state = read_state(state_file);
    fs::remove(state_file, ignored);
    fs::path const dir = state["dir"];
    pid_t const pid = state.count("pid") ? static_cast<pid_t>(std::stol(state["pid"])) : -1;
    // Only a mariadbd serving that directory: the pid may have been reused since.
    bool const ours = pid > 0 && !dir.empty() &&
                      read_file("/proc/" + std::to_string(pid) + "/cmdline").find(dir.string()) != std::string::npos;
    if (ours) {
        ::kill(pid, SIGCONT);
        ::kill(pid, SIGTERM);
        auto const deadline = std::chrono::steady_clock::now() + kStopTimeout;
        while (alive(pid) && std::chrono::steady_clock::now() < deadline) {
            (void)reaped(pid);
            std::this_thread::sleep_for(kPoll);
        }
        if (alive(pid)) ::kill(pid, SIGKILL);
    }
    if (!dir.empty() && dir.filename().string().rfind("wxlogin-mariadb-", 0) == 0) fs::remove_all(dir, ignored);
}

// --- the fixture's server ---

fs::path mariadb_state_file() {
    if (char const* f = std::getenv("WX_MARIADB_STATE_FILE"); f && *f) return f;
    return WX_MARIADB_STATE_FILE;
}

MariadbDatabase::MariadbDatabase() {
    auto const file = mariadb_state_file();
    auto state = read_state(file);
    if (state["url"].empty())
        throw std::runtime_error("no MariaDB test server: " + file.string() +
                                 " is missing. The CTest fixture starts one (run the tests with ctest, or run "
                                 "`tests/wx_mariadb_test_server start " +
                                 file.string() + "` first)");
    auto parsed = store::parse_mysql_url(state["url"]);
    if (!parsed) throw std::runtime_error(file.string() + ": " + parsed.error());
    config_ = std::move(*parsed);
    admin_ = std::make_unique<MariadbAdmin>(config_);
    config_.database = "wxt_" + random_hex(8);
    admin_->exec("CREATE DATABASE `" + config_.database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
}

MariadbDatabase::~MariadbDatabase() {
    try {
        admin_->exec("DROP DATABASE IF EXISTS `" + config_.database + "`");
    } catch (std::exception const&) {
        // a server stopped by the test itself; the fixture's cleanup removes everything anyway
    }
}

std::string MariadbDatabase::url() const {
    // The test user's password is hex (random_hex): nothing in it needs percent-encoding.
    return "mysql://" + config_.user + ":" + config_.password + "@" + config_.host + ":" +
           std::to_string(config_.port) + "/" + config_.database;
}

void MariadbDatabase::exec(std::string const& sql) {
    admin_->exec("USE `" + config_.database + "`");
    admin_->exec(sql);
}

std::vector<std::vector<std::optional<std::string>>> MariadbDatabase::query(std::string const& sql) {
    admin_->exec("USE `" + config_.database + "`");
    return admin_->query(sql);
}

}  // namespace wx::test
