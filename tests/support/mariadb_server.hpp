#pragma once
// Real MariaDB servers for the tests, with no system service and no fixed port: mariadbd
// --no-defaults in a temp dir of its own (data, socket, pid file, error log), listening on
// 127.0.0.1 on a free port, removed afterwards. A missing server binary is an error with a clear
// message, never a skip.
//
// Two ways to get one:
//   - MariadbServer: a private server a test owns, stops, freezes and restarts (fault tests);
//   - MariadbDatabase: a database of its own on the one server the CTest fixture `mariadb`
//     started for the whole run (tests/CMakeLists.txt), dropped at the end of the test.

#include <mysql.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/store_config.hpp"

namespace wx::test {

// SQL as the server's operator, through libmariadb directly (not through the store under test).
// Every failure throws std::runtime_error with the server's message.
// Thread safety: none.
class MariadbAdmin {
public:
    explicit MariadbAdmin(store::MysqlConfig const& server);
    MariadbAdmin(MariadbAdmin const&) = delete;
    MariadbAdmin& operator=(MariadbAdmin const&) = delete;
    ~MariadbAdmin();

    void exec(std::string const& sql);
    // Every row of the result, each column as text (nullopt for NULL).
    std::vector<std::vector<std::optional<std::string>>> query(std::string const& sql);
    // The ids of the server's connections to `database` (SHOW PROCESSLIST), for KILL.
    std::vector<std::int64_t> connection_ids(std::string const& database);

private:
    MYSQL* db_;
};

// A private mariadbd: installed into a fresh temp dir and started on a free loopback port, with
// a user `wxtest` (random password) that may do everything. The destructor stops it and removes
// the directory.
// Thread safety: none; one test thread drives it.
class MariadbServer {
public:
    // Throws std::runtime_error saying what failed (a missing mariadbd, the tail of its error log).
    MariadbServer();
    MariadbServer(MariadbServer const&) = delete;
    MariadbServer& operator=(MariadbServer const&) = delete;
    ~MariadbServer();

    // A clean shutdown (SIGTERM), waited for.
    void stop();
    // SIGKILL, waited for: a crash (committed transactions survive it, open ones are rolled back
    // at the next start).
    void crash();
    // Starts it again on the same port with the same data; waits until it accepts connections.
    void start();
    // SIGSTOP / SIGCONT: a server that still accepts TCP connections (the kernel does) but never
    // answers — what a hung or partitioned database looks like to a client.
    void freeze();
    void thaw();
    [[nodiscard]] bool running() const { return pid_ > 0; }
    [[nodiscard]] std::uint16_t port() const { return port_; }

    // The test user's address for `database` (which need not exist yet).
    [[nodiscard]] store::MysqlConfig config(std::string database) const;
    // The same as a WXLOGIN_DATABASE_URL.
    [[nodiscard]] std::string url(std::string const& database) const;

    // For the CTest fixture: leaves the server running after this object and this process are
    // gone, and writes what stop_detached() needs (and the URL) to `state_file`.
    void detach(std::filesystem::path const& state_file);
    // Stops a server left running by detach() and removes its directory; nothing when the state
    // file is missing.
    static void stop_detached(std::filesystem::path const& state_file);

private:
    void spawn(bool detached);
    void wait_ready();
    void create_test_user();

    std::filesystem::path dir_;  // data, socket, pid file, logs; on tmpfs when there is one
    std::uint16_t port_ = 0;
    std::string password_;
    pid_t pid_ = -1;
    bool frozen_ = false;
    bool detached_ = false;
};

// The state file of the CTest fixture's server: $WX_MARIADB_STATE_FILE, or the build tree's
// default (tests/CMakeLists.txt).
[[nodiscard]] std::filesystem::path mariadb_state_file();

// A database of its own on the fixture's server, created now and dropped by the destructor, so
// that tests stay independent while sharing one server. Throws std::runtime_error with
// instructions when the fixture's server is not running.
// Thread safety: none.
class MariadbDatabase {
public:
    MariadbDatabase();
    MariadbDatabase(MariadbDatabase const&) = delete;
    MariadbDatabase& operator=(MariadbDatabase const&) = delete;
    ~MariadbDatabase();

    [[nodiscard]] store::MysqlConfig const& config() const { return config_; }
    [[nodiscard]] std::string const& name() const { return config_.database; }
    // The same as a WXLOGIN_DATABASE_URL.
    [[nodiscard]] std::string url() const;
    // SQL on this database, as an operator would run it.
    void exec(std::string const& sql);
    // Every row of `sql` on this database (MariadbAdmin::query).
    std::vector<std::vector<std::optional<std::string>>> query(std::string const& sql);
    // The operator's connection (KILL, SHOW PROCESSLIST, ...).
    [[nodiscard]] MariadbAdmin& admin() { return *admin_; }

private:
    store::MysqlConfig config_;
    std::unique_ptr<MariadbAdmin> admin_;
};

}  // namespace wx::test
