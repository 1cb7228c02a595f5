#include "support/test_app.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

#include "obs/log.hpp"

namespace wx::test {

void init_test_process() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
        obs::init_logging(obs::LogFormat::text, obs::LogLevel::warn);
    });
}

namespace {

app::Config make_config(TempDir const& dir, app::Environment const& overrides) {
    init_test_process();
    app::Environment env{
        {"WXLOGIN_LISTEN", "127.0.0.1:0"},     {"WXLOGIN_DATABASE_URL", "sqlite://" + (dir.path() / "wx.db").string()},
        {"WXLOGIN_IO_THREADS", "2"},           {"WXLOGIN_LOG_LEVEL", "warn"},
        {"WXLOGIN_SHUTDOWN_GRACE_MS", "2000"},
    };
    for (auto const& [k, v] : overrides) env[k] = v;
    return app::load_config(std::nullopt, env, /*dev=*/true);
}

}  // namespace

// system_clock_ is constructed before clock_ and app_ (declaration order), so binding it here is safe.
TestApp::TestApp(app::Environment const& overrides) : TestApp(overrides, system_clock_) {}

TestApp::TestApp(app::Environment const& overrides, Clock const& clock)
    : config_(make_config(dir_, overrides)), clock_(clock), app_(std::make_unique<app::App>(config_, clock_)) {
    app_->start();
}

void TestApp::restart() {
    shutdown();
    app_ = std::make_unique<app::App>(config_, clock_);
    app_->start();
}

TestApp::~TestApp() { shutdown(); }

void TestApp::shutdown() {
    if (!app_) return;
    app_->shutdown();
    app_.reset();
}

}  // namespace wx::test
