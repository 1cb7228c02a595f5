#pragma once
// The real App in this process, on 127.0.0.1 with an ephemeral port and a throw-away SQLite file,
// configured exactly as `serve --dev` would be plus the caller's overrides.

#include <cstdint>
#include <memory>

#include "app/app.hpp"
#include "app/config.hpp"
#include "support/http_client.hpp"
#include "support/mariadb_server.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

namespace wx::test {

// What a TestApp runs on: WX_TEST_STACK=mariadb-redis (the integration suite's second CTest
// registration, tests/CMakeLists.txt) gives every TestApp a database of its own on the CTest
// fixture's MariaDB and a redis-server of its own; unset or `sqlite`, a SQLite file alone. Any
// other value throws: a misspelt stack must not quietly test SQLite twice.
enum class TestStack { sqlite, mariadb_redis };
[[nodiscard]] TestStack test_stack();

// Process-wide test setup, idempotent: libsodium, and logging at warn so that test output is not
// drowned in access-log lines.
void init_test_process();

// Owns a started App; the destructor shuts it down and removes its temp directory.
// Thread safety: construct, use and destroy from one test thread; clients may run on any thread.
class TestApp {
public:
    // `overrides` are WXLOGIN_* variables applied over the defaults (listen 127.0.0.1:0 and the
    // test stack's database: a SQLite file in the temp dir, or MariaDB + Redis). Throws ConfigError /
    // std::runtime_error like `serve` would fail. `clock` drives tokens, sessions and the embedded simulator: pass a
    // TestClock to move time without sleeping. Without one the TestApp runs on its own SystemClock.
    explicit TestApp(app::Environment const& overrides = {});
    TestApp(app::Environment const& overrides, Clock const& clock);
    TestApp(TestApp const&) = delete;
    TestApp& operator=(TestApp const&) = delete;
    ~TestApp();

    [[nodiscard]] std::uint16_t port() const { return app_->port(); }
    [[nodiscard]] app::Config const& config() const { return config_; }
    [[nodiscard]] app::App& app() { return *app_; }
    [[nodiscard]] TempDir const& dir() const { return dir_; }
    [[nodiscard]] HttpClient client() const { return HttpClient{port()}; }
    // Stops the App now (the destructor then only removes the temp dir).
    void shutdown();
    // Stops the App and starts a new one on the same database (a process restart; the port changes).
    void restart();

    // SQL on the app's database through a connection of its own (the SQLite file, or the MariaDB
    // database), as an operator would run it; the statement must read the same in both dialects.
    // Foreign keys are enforced in both. Failures are test failures.
    void exec_sql(std::string const& sql);
    // The first column of the first row of `sql` as an integer (-1 when there is no row); a
    // statement the database refuses throws.
    [[nodiscard]] std::int64_t query_int(std::string const& sql);

private:
    // Starts the stack's servers; the WXLOGIN_* variables that point the App at them.
    app::Environment start_stack();

    TempDir dir_{"wxlogin-app"};
    std::unique_ptr<MariadbDatabase> mariadb_;  // the mariadb-redis stack: before config_, which names them
    std::unique_ptr<RedisServer> redis_;
    app::Config config_;
    SystemClock const system_clock_;  // the clock of a TestApp given none
    Clock const& clock_;
    std::unique_ptr<app::App> app_;
};

}  // namespace wx::test
