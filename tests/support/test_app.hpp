#pragma once
// The real App in this process, on 127.0.0.1 with an ephemeral port and a throw-away SQLite file,
// configured exactly as `serve --dev` would be plus the caller's overrides.

#include <cstdint>
#include <memory>

#include "app/app.hpp"
#include "app/config.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

namespace wx::test {

// Process-wide test setup, idempotent: libsodium, and logging at warn so that test output is not
// drowned in access-log lines.
void init_test_process();

// Owns a started App; the destructor shuts it down and removes its temp directory.
// Thread safety: construct, use and destroy from one test thread; clients may run on any thread.
class TestApp {
public:
    // `overrides` are WXLOGIN_* variables applied over the defaults (listen 127.0.0.1:0 and a
    // SQLite file in the temp dir). Throws ConfigError / std::runtime_error like `serve` would fail.
    // `clock` drives tokens, sessions and the embedded simulator: pass a TestClock to move time
    // without sleeping. Without one the TestApp runs on its own SystemClock.
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

private:
    TempDir dir_{"wxlogin-app"};
    app::Config config_;
    SystemClock const system_clock_;  // the clock of a TestApp given none
    Clock const& clock_;
    std::unique_ptr<app::App> app_;
};

}  // namespace wx::test
