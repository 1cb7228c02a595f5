#pragma once
// Typed configuration: defaults in the structs, then the TOML file, then the environment (which
// wins), then --dev defaults, then validation. A bad value throws ConfigError naming the key.
// Every value is parsed here, once, into the type its component takes (a database URL into a
// store::DatabaseConfig, the trusted proxies into http::TrustedProxies, the data key into bytes).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "auth/data_cipher.hpp"
#include "http/middleware/forwarded_for.hpp"
#include "http/server.hpp"
#include "obs/log.hpp"
#include "store/janitor.hpp"
#include "store/mysql_pool_config.hpp"
#include "store/store_config.hpp"
#include "wechat/circuit_breaker.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::app {

struct ConfigError : std::runtime_error {
    ConfigError(std::string const& key, std::string const& reason) : std::runtime_error(key + ": " + reason) {}
};

// One mini-program: the WeChat layer's own credentials type, so no component converts it.
using WeChatAppConfig = wechat::AppCredentials;

struct WeChatConfig {
    std::vector<WeChatAppConfig> apps;  // apps.front() is the default app
    // WXLOGIN_WECHAT_APPID/SECRET while parsing; placed at the front of `apps` once all sources
    // are read, so neither source order nor TOML table order can pair one app's id with another's secret.
    WeChatAppConfig primary;
    std::string api_base = "https://api.weixin.qq.com";
    bool use_embedded_simulator = false;  // --dev without an explicit API base
    std::chrono::milliseconds timeout{3000};
    wechat::BreakerConfig breaker;
};

struct JwtConfig {
    std::string secret;  // HS256 key, >= 32 bytes; never logged
    std::string key_file;
    std::string issuer = "wxlogin";
    std::string audience;
    std::int64_t access_ttl = 3600;
    std::int64_t refresh_ttl = 2592000;
    std::int64_t leeway = 30;
};

// Argon2id cost and the hashing pool (auth::PasswordHasherConfig documents the measured defaults).
struct PasswordConfig {
    std::uint64_t opslimit = 2;
    std::size_t memlimit_kib = 32 * 1024;
    std::size_t threads = 0;  // 0: one per core
    std::size_t queue_per_thread = 4;
    std::uint32_t account_free_failures = 5;  // failed logins per account before lockouts start
    std::uint32_t address_free_failures = 20;
};

// Requests per minute per client address; 0 turns a limit off. Generous, because many users can
// share one address (NAT, carrier-grade NAT, office proxies): they stop floods, not people.
struct RateLimitConfig {
    std::int64_t wechat_login_per_minute = 1200;
    std::int64_t register_per_minute = 60;
};

struct Config {
    bool dev = false;
    std::vector<std::string> dev_defaults;  // what --dev filled in, announced at start
    http::ServerConfig server;
    std::size_t io_threads = 0;  // 0: one per core
    std::chrono::milliseconds shutdown_grace{10000};
    std::size_t blocking_threads = 4;
    std::size_t blocking_queue = 512;
    obs::LogFormat log_format = obs::LogFormat::text;
    obs::LogLevel log_level = obs::LogLevel::info;
    store::DatabaseConfig database = store::SqliteConfig{"wxlogin.db"};  // WXLOGIN_DATABASE_URL
    store::MysqlPoolConfig db_pool;                                      // WXLOGIN_DB_*; MySQL only
    std::optional<store::RedisConfig> redis;                             // WXLOGIN_REDIS_URL; unset: in-process stores
    // WXLOGIN_REDIS_PREFIX: store::RedisOptions::prefix, under which every key and channel lives.
    std::string redis_prefix = "wxlogin:";
    http::TrustedProxies trusted_proxies;  // X-Forwarded-For is believed only from these peers; none by default
    // The key for session_keys at rest (WXLOGIN_DATA_KEY, 64 hex chars); unset: HKDF of the JWT secret.
    std::optional<auth::DataKey> data_key;
    JwtConfig jwt;
    PasswordConfig password;
    RateLimitConfig rate_limits;
    WeChatConfig wechat;
    // WXLOGIN_JANITOR_*; access_grace_seconds is set from the JWT leeway by the App.
    store::JanitorConfig janitor;
    // WXLOGIN_CONSOLE: serve the web console at /console/. Unset: on under --dev, else off.
    std::optional<bool> console_setting;
    bool console = false;  // the outcome, decided once every source is read
};

using Environment = std::map<std::string, std::string>;

// Reads the process environment's WXLOGIN_* variables.
[[nodiscard]] Environment process_environment();

// Builds the configuration from an optional TOML file and the environment. Throws ConfigError.
[[nodiscard]] Config load_config(std::optional<std::string> const& toml_path, Environment const& env, bool dev);

// "host:port" or "[v6]:port" (host an IP address or localhost) into `out`; throws ConfigError
// naming `key` when it is not one.
void parse_listen_address(std::string const& key, std::string const& value, http::ServerConfig& out);

// The configuration keys with a one-line description each, for --help.
[[nodiscard]] std::string config_help();

}  // namespace wx::app
