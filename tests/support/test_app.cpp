#include "support/test_app.hpp"

#include <sodium.h>
#include <sqlite3.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "obs/log.hpp"

namespace wx::test {

TestStack test_stack() {
    char const* v = std::getenv("WX_TEST_STACK");
    std::string const stack = v ? v : "";
    if (stack.empty() || stack == "sqlite") return TestStack::sqlite;
    if (stack == "mariadb-redis") return TestStack::mariadb_redis;
    throw std::runtime_error("WX_TEST_STACK must be sqlite or mariadb-redis, not " + stack);
}

void init_test_process() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
        obs::init_logging(obs::LogFormat::text, obs::LogLevel::warn);
    });
}

namespace {

app::Config make_config(app::Environment env, app::Environment const& overrides) {
    init_test_process();
    env.insert({{"WXLOGIN_LISTEN", "127.0.0.1:0"},
                {"WXLOGIN_IO_THREADS", "2"},
                {"WXLOGIN_LOG_LEVEL", "warn"},
                {"WXLOGIN_SHUTDOWN_GRACE_MS", "2000"}});
    for (auto const& [k, v] : overrides) env[k] = v;
    return app::load_config(std::nullopt, env, /*dev=*/true);
}

std::string sqlite_path(app::Config const& config) {
    auto const* sqlite = std::get_if<store::SqliteConfig>(&config.database);
    if (!sqlite) throw std::runtime_error("this TestApp's database is not SQLite");
    return sqlite->path;
}

}  // namespace

// system_clock_ is constructed before clock_ and app_ (declaration order), so binding it here is safe.
TestApp::TestApp(app::Environment const& overrides) : TestApp(overrides, system_clock_) {}

TestApp::TestApp(app::Environment const& overrides, Clock const& clock)
    : config_(make_config(start_stack(), overrides)), clock_(clock), app_(std::make_unique<app::App>(config_, clock_)) {
    app_->start();
}

app::Environment TestApp::start_stack() {
    if (test_stack() == TestStack::sqlite)
        return {{"WXLOGIN_DATABASE_URL", "sqlite://" + (dir_.path() / "wx.db").string()}};
    mariadb_ = std::make_unique<MariadbDatabase>();
    redis_ = std::make_unique<RedisServer>();
    return {{"WXLOGIN_DATABASE_URL", mariadb_->url()},
            {"WXLOGIN_REDIS_URL", "redis://127.0.0.1:" + std::to_string(redis_->port())}};
}

void TestApp::exec_sql(std::string const& sql) {
    if (std::holds_alternative<store::MysqlConfig>(config_.database)) {
        if (!mariadb_) throw std::runtime_error("exec_sql: a MySQL database this TestApp did not create");
        mariadb_->exec(sql);
        return;
    }
    sqlite3* db = nullptr;
    auto const path = sqlite_path(config_);
    int rc = sqlite3_open(path.c_str(), &db);
    char* err = nullptr;
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, &err);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string const why = err ? err : (db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_free(err);
    sqlite3_close(db);
    if (rc != SQLITE_OK) throw std::runtime_error("SQLite refused `" + sql + "`: " + why);
}

std::int64_t TestApp::query_int(std::string const& sql) {
    if (std::holds_alternative<store::MysqlConfig>(config_.database)) {
        if (!mariadb_) throw std::runtime_error("query_int: a MySQL database this TestApp did not create");
        auto rows = mariadb_->query(sql);
        if (rows.empty() || rows[0].empty() || !rows[0][0]) return -1;
        return std::stoll(*rows[0][0]);
    }
    sqlite3* db = nullptr;
    auto const path = sqlite_path(config_);
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    std::int64_t const n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    std::string const why = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw std::runtime_error("SQLite refused `" + sql + "`: " + why);
    return n;
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
