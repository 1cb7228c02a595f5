#include "app/config.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <toml.hpp>

#include "http/middleware/forwarded_for.hpp"
#include "http/percent_decoding.hpp"

extern char** environ;

namespace wx::app {
namespace {

// A key's value is read by its kind. Text keys take a string: a TOML string, or the environment's
// text. Integer keys take a TOML integer, or decimal digits in a string: the environment has
// nothing else, and a TOML file may quote them too (files written before values were typed keep
// working). Any other TOML type is a ConfigError naming the key.
using TextSetter = void (*)(Config&, std::string const& key, std::string const& value);
using IntegerSetter = void (*)(Config&, std::int64_t value);

struct Key {
    std::string_view name;  // environment name; the TOML key is the same without WXLOGIN_, lower case
    std::string_view help;
    TextSetter set_text = nullptr;        // a text key, or
    IntegerSetter set_integer = nullptr;  // an integer key within [min, max]
    std::int64_t min = 0;
    std::int64_t max = 0;
};

constexpr Key text_key(std::string_view name, std::string_view help, TextSetter set) { return Key{name, help, set}; }

constexpr Key integer_key(
    std::string_view name, std::string_view help, std::int64_t min, std::int64_t max, IntegerSetter set) {
    return Key{name, help, nullptr, set, min, max};
}

std::int64_t in_range(std::string const& key, std::int64_t v, std::int64_t min, std::int64_t max) {
    if (v < min || v > max)
        throw ConfigError(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return v;
}

std::int64_t parse_int(std::string const& key, std::string const& v, std::int64_t min, std::int64_t max) {
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || p != v.data() + v.size())
        throw ConfigError(key, "must be a whole number, got '" + v + "'");
    return in_range(key, out, min, max);
}

std::chrono::milliseconds ms(std::int64_t v) { return std::chrono::milliseconds{v}; }

bool starts_with(std::string const& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

void parse_listen_address(std::string const& key, std::string const& v, http::ServerConfig& out) {
    auto colon = v.rfind(':');
    if (colon == std::string::npos || colon == 0) throw ConfigError(key, "must be HOST:PORT, got '" + v + "'");
    std::string host = v.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "localhost") host = "127.0.0.1";
    error_code ec;
    asio::ip::make_address(host, ec);
    if (ec) throw ConfigError(key, "host must be an IP address (or localhost), got '" + host + "'");
    out.host = host;
    out.port = static_cast<std::uint16_t>(parse_int(key, v.substr(colon + 1), 0, 65535));
}

namespace {

// Printable ASCII without blanks: it is part of every key, and an operator greps for it.
std::string parse_redis_prefix(std::string const& key, std::string const& v) {
    bool const printable = std::all_of(v.begin(), v.end(), [](char ch) { return ch > ' ' && ch < 0x7f; });
    if (v.empty() || v.size() > 64 || !printable)
        throw ConfigError(key, "must be 1 to 64 printable characters without spaces");
    return v;
}

// 64 hex characters into the 32 bytes they spell; nothing else is a key.
auth::DataKey parse_data_key(std::string const& key, std::string const& v) {
    auth::DataKey bytes{};
    std::size_t len = 0;
    char const* end = nullptr;
    bool const decoded = v.size() == 2 * bytes.size() &&
                         sodium_hex2bin(bytes.data(), bytes.size(), v.data(), v.size(), nullptr, &len, &end) == 0 &&
                         len == bytes.size() && end == v.data() + v.size();
    if (!decoded) throw ConfigError(key, "must be 64 hexadecimal characters (32 bytes)");
    return bytes;
}

constexpr std::pair<std::string_view, obs::LogLevel> kLogLevels[] = {{"debug", obs::LogLevel::debug},
                                                                     {"info", obs::LogLevel::info},
                                                                     {"warn", obs::LogLevel::warn},
                                                                     {"error", obs::LogLevel::error},
                                                                     {"off", obs::LogLevel::off}};

// Every key, in --help's order.
constexpr Key kKeys[] = {
    text_key("WXLOGIN_LISTEN",
             "address:port to serve on (127.0.0.1:8080)",
             [](Config& c, std::string const& key, std::string const& v) { parse_listen_address(key, v, c.server); }),
    text_key("WXLOGIN_DATABASE_URL",
             "sqlite://PATH or mysql://user:pass@host:port/db (sqlite://wxlogin.db)",
             [](Config& c, std::string const& key, std::string const& v) {
                 auto parsed = store::parse_database_url(v);
                 if (!parsed) throw ConfigError(key, parsed.error());
                 c.database = std::move(*parsed);
             }),
    integer_key("WXLOGIN_DB_POOL_SIZE",
                "MySQL: connections per instance, in use or idle (10)",
                1,
                1000,
                [](Config& c, std::int64_t v) { c.db_pool.max_size = static_cast<std::size_t>(v); }),
    integer_key("WXLOGIN_DB_POOL_TIMEOUT_MS",
                "MySQL: wait for a free connection before 503 unavailable, ms (3000)",
                1,
                600000,
                [](Config& c, std::int64_t v) { c.db_pool.connection_timeout = ms(v); }),
    integer_key("WXLOGIN_DB_IDLE_TIMEOUT_MS",
                "MySQL: an idle connection is closed after, ms (600000)",
                1000,
                86400000,
                [](Config& c, std::int64_t v) { c.db_pool.idle_timeout = ms(v); }),
    integer_key("WXLOGIN_DB_MAX_LIFETIME_MS",
                "MySQL: any connection is closed after, ms (1800000)",
                1000,
                86400000,
                [](Config& c, std::int64_t v) { c.db_pool.max_lifetime = ms(v); }),
    integer_key("WXLOGIN_DB_QUERY_TIMEOUT_MS",
                "MySQL: row-lock wait per statement, whole seconds, before 503; socket timeouts 2 s more (5000)",
                1000,
                600000,
                [](Config& c, std::int64_t v) { c.db_pool.query_timeout = ms(v); }),
    text_key("WXLOGIN_REDIS_URL",
             "redis://[:pass@]host:port[/db]; unset = in-process stores",
             [](Config& c, std::string const& key, std::string const& v) {
                 if (v.empty()) {
                     c.redis.reset();
                     return;
                 }
                 auto parsed = store::parse_redis_url(v);
                 if (!parsed) throw ConfigError(key, parsed.error());
                 c.redis = std::move(*parsed);
             }),
    text_key(
        "WXLOGIN_REDIS_PREFIX",
        "prefix of every Redis key and pub/sub channel (wxlogin:)",
        [](Config& c, std::string const& key, std::string const& v) { c.redis_prefix = parse_redis_prefix(key, v); }),
    text_key("WXLOGIN_JWT_SECRET",
             "HS256 secret, at least 32 bytes (required unless --dev or a key file)",
             [](Config& c, std::string const&, std::string const& v) { c.jwt.secret = v; }),
    text_key("WXLOGIN_JWT_KEY_FILE",
             "Ed25519 private key PEM; switches to EdDSA + JWKS",
             [](Config& c, std::string const&, std::string const& v) { c.jwt.key_file = v; }),
    text_key("WXLOGIN_JWT_ISSUER",
             "token iss (wxlogin)",
             [](Config& c, std::string const& key, std::string const& v) {
                 if (v.empty()) throw ConfigError(key, "must not be empty");
                 c.jwt.issuer = v;
             }),
    text_key("WXLOGIN_JWT_AUDIENCE",
             "token aud (unset)",
             [](Config& c, std::string const&, std::string const& v) { c.jwt.audience = v; }),
    integer_key("WXLOGIN_JWT_LEEWAY",
                "seconds of clock skew tolerated for iat/nbf/exp (30)",
                0,
                300,
                [](Config& c, std::int64_t v) { c.jwt.leeway = v; }),
    integer_key("WXLOGIN_ACCESS_TTL",
                "access token lifetime, seconds (3600)",
                60,
                86400,
                [](Config& c, std::int64_t v) { c.jwt.access_ttl = v; }),
    integer_key("WXLOGIN_REFRESH_TTL",
                "refresh token absolute lifetime, seconds (2592000)",
                300,
                31536000,
                [](Config& c, std::int64_t v) { c.jwt.refresh_ttl = v; }),
    text_key("WXLOGIN_WECHAT_APPID",
             "the mini-program's appid (required unless --dev)",
             [](Config& c, std::string const&, std::string const& v) { c.wechat.primary.app_id = v; }),
    text_key("WXLOGIN_WECHAT_SECRET",
             "the mini-program's AppSecret (required unless --dev)",
             [](Config& c, std::string const&, std::string const& v) { c.wechat.primary.secret = v; }),
    text_key("WXLOGIN_WECHAT_API_BASE",
             "WeChat API root (https://api.weixin.qq.com)",
             [](Config& c, std::string const& key, std::string const& v) {
                 if (!starts_with(v, "https://") && !starts_with(v, "http://"))
                     throw ConfigError(key, "must be an http:// or https:// URL");
                 c.wechat.api_base = v;
                 while (c.wechat.api_base.size() > 8 && c.wechat.api_base.back() == '/') c.wechat.api_base.pop_back();
             }),
    integer_key("WXLOGIN_WECHAT_TIMEOUT_MS",
                "deadline per WeChat call, ms (3000)",
                100,
                60000,
                [](Config& c, std::int64_t v) { c.wechat.timeout = ms(v); }),
    integer_key("WXLOGIN_RATE_WECHAT_LOGIN",
                "WeChat logins per minute per client address before 429 rate_limited; 0 = no limit (1200)",
                0,
                1000000,
                [](Config& c, std::int64_t v) { c.rate_limits.wechat_login_per_minute = v; }),
    integer_key("WXLOGIN_RATE_REGISTER",
                "registrations per minute per client address before 429 rate_limited; 0 = no limit (60)",
                0,
                1000000,
                [](Config& c, std::int64_t v) { c.rate_limits.register_per_minute = v; }),
    integer_key("WXLOGIN_WECHAT_BREAKER_MIN_CALLS",
                "WeChat calls in the window before the circuit breaker may open (20)",
                1,
                100000,
                [](Config& c, std::int64_t v) { c.wechat.breaker.min_calls = static_cast<std::uint32_t>(v); }),
    integer_key("WXLOGIN_WECHAT_BREAKER_FAILURE_PERCENT",
                "share of failed WeChat calls in the window that opens the breaker, % (50)",
                1,
                100,
                [](Config& c, std::int64_t v) { c.wechat.breaker.failure_percent = static_cast<std::uint32_t>(v); }),
    integer_key("WXLOGIN_WECHAT_BREAKER_WINDOW_SECONDS",
                "the breaker's window, seconds (10)",
                1,
                60,
                [](Config& c, std::int64_t v) { c.wechat.breaker.window_seconds = v; }),
    integer_key("WXLOGIN_WECHAT_BREAKER_OPEN_SECONDS",
                "how long an open breaker refuses WeChat calls before one probe, seconds (10)",
                1,
                3600,
                [](Config& c, std::int64_t v) { c.wechat.breaker.open_seconds = v; }),
    text_key("WXLOGIN_TLS_CERT",
             "certificate chain PEM; serve HTTPS (with WXLOGIN_TLS_KEY)",
             [](Config& c, std::string const&, std::string const& v) { c.server.tls_cert_file = v; }),
    text_key("WXLOGIN_TLS_KEY",
             "private key PEM for WXLOGIN_TLS_CERT",
             [](Config& c, std::string const&, std::string const& v) { c.server.tls_key_file = v; }),
    text_key("WXLOGIN_LOG_FORMAT",
             "text or json (text)",
             [](Config& c, std::string const& key, std::string const& v) {
                 if (v == "text")
                     c.log_format = obs::LogFormat::text;
                 else if (v == "json")
                     c.log_format = obs::LogFormat::json;
                 else
                     throw ConfigError(key, "must be text or json, got '" + v + "'");
             }),
    text_key("WXLOGIN_LOG_LEVEL",
             "debug, info, warn, error or off (info; warn drops the access log)",
             [](Config& c, std::string const& key, std::string const& v) {
                 for (auto const& [name, level] : kLogLevels) {
                     if (v != name) continue;
                     c.log_level = level;
                     return;
                 }
                 throw ConfigError(key, "must be debug, info, warn, error or off");
             }),
    integer_key("WXLOGIN_IO_THREADS",
                "I/O threads (one per core)",
                1,
                256,
                [](Config& c, std::int64_t v) { c.io_threads = static_cast<std::size_t>(v); }),
    integer_key("WXLOGIN_BLOCKING_THREADS",
                "threads for database and other blocking calls (4)",
                1,
                256,
                [](Config& c, std::int64_t v) { c.blocking_threads = static_cast<std::size_t>(v); }),
    integer_key("WXLOGIN_BLOCKING_QUEUE",
                "blocking calls queued or running before 503 overloaded (512)",
                1,
                1000000,
                [](Config& c, std::int64_t v) { c.blocking_queue = static_cast<std::size_t>(v); }),
    integer_key("WXLOGIN_MAX_CONNECTIONS",
                "live connections before new ones get 503 (10000)",
                1,
                1000000,
                [](Config& c, std::int64_t v) { c.server.max_connections = static_cast<std::size_t>(v); }),
    integer_key("WXLOGIN_IDLE_TIMEOUT_MS",
                "keep-alive idle time before a connection closes, ms (60000)",
                100,
                3600000,
                [](Config& c, std::int64_t v) { c.server.idle_timeout = ms(v); }),
    integer_key("WXLOGIN_READ_TIMEOUT_MS",
                "time to receive a whole request once it started, ms (10000)",
                100,
                600000,
                [](Config& c, std::int64_t v) { c.server.read_timeout = ms(v); }),
    integer_key("WXLOGIN_WRITE_TIMEOUT_MS",
                "time to send a response, ms (10000)",
                100,
                600000,
                [](Config& c, std::int64_t v) { c.server.write_timeout = ms(v); }),
    integer_key("WXLOGIN_SHUTDOWN_GRACE_MS",
                "how long requests in flight may finish after SIGTERM, ms (10000)",
                0,
                600000,
                [](Config& c, std::int64_t v) { c.shutdown_grace = ms(v); }),
    integer_key("WXLOGIN_JANITOR_INTERVAL",
                "seconds between the janitor's runs, which delete sessions nothing can use (300)",
                1,
                86400,
                [](Config& c, std::int64_t v) { c.janitor.every = std::chrono::seconds{v}; }),
    integer_key("WXLOGIN_JANITOR_BATCH",
                "sessions the janitor deletes per transaction (500)",
                1,
                10000,
                [](Config& c, std::int64_t v) { c.janitor.batch = v; }),
    integer_key("WXLOGIN_JANITOR_MARGIN",
                "seconds a session is kept past its refresh expiry before the janitor deletes it (86400)",
                0,
                31536000,
                [](Config& c, std::int64_t v) { c.janitor.margin_seconds = v; }),
    integer_key("WXLOGIN_PASSWORD_OPSLIMIT",
                "Argon2id passes per password hash (2; at least 2)",
                2,
                64,
                [](Config& c, std::int64_t v) { c.password.opslimit = static_cast<std::uint64_t>(v); }),
    integer_key("WXLOGIN_PASSWORD_MEMLIMIT_KIB",
                "Argon2id memory per hash, KiB (32768; at least 19456 = OWASP's 19 MiB)",
                19456,
                4 * 1024 * 1024,
                [](Config& c, std::int64_t v) { c.password.memlimit_kib = static_cast<std::size_t>(v); }),
    integer_key("WXLOGIN_PASSWORD_THREADS",
                "threads hashing passwords (one per core)",
                1,
                256,
                [](Config& c, std::int64_t v) { c.password.threads = static_cast<std::size_t>(v); }),
    integer_key("WXLOGIN_PASSWORD_QUEUE",
                "password hashes queued or running per thread before 503 overloaded (4)",
                1,
                1024,
                [](Config& c, std::int64_t v) { c.password.queue_per_thread = static_cast<std::size_t>(v); }),
    integer_key("WXLOGIN_LOGIN_FREE_FAILURES",
                "failed password logins per account before lockouts start (5)",
                1,
                1000,
                [](Config& c, std::int64_t v) { c.password.account_free_failures = static_cast<std::uint32_t>(v); }),
    integer_key("WXLOGIN_LOGIN_ADDRESS_FREE_FAILURES",
                "failed password logins per client address before lockouts (20)",
                1,
                100000,
                [](Config& c, std::int64_t v) { c.password.address_free_failures = static_cast<std::uint32_t>(v); }),
    text_key("WXLOGIN_TRUSTED_PROXIES",
             "comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed (none)",
             [](Config& c, std::string const& key, std::string const& v) {
                 auto parsed = http::TrustedProxies::parse(v);
                 if (!parsed) throw ConfigError(key, parsed.error());
                 c.trusted_proxies = std::move(*parsed);
             }),
    text_key("WXLOGIN_CONSOLE",
             "on or off: the web console at /console/ (off; on under --dev)",
             [](Config& c, std::string const& key, std::string const& v) {
                 if (v == "on")
                     c.console_setting = true;
                 else if (v == "off")
                     c.console_setting = false;
                 else
                     throw ConfigError(key, "must be on or off, got '" + v + "'");
             }),
    text_key("WXLOGIN_DATA_KEY",
             "64 hex chars: key for session_keys at rest (derived from the JWT secret)",
             [](Config& c, std::string const& key, std::string const& v) { c.data_key = parse_data_key(key, v); }),
};

Key const* find_key(std::string_view env_name) {
    for (auto const& k : kKeys)
        if (k.name == env_name) return &k;
    return nullptr;
}

// The environment's text (or a quoted TOML value) for `k`.
void set_from_text(Key const& k, Config& c, std::string const& key, std::string const& text) {
    if (k.set_text)
        k.set_text(c, key, text);
    else
        k.set_integer(c, parse_int(key, text, k.min, k.max));
}

std::string_view toml_type(toml::value const& v) {
    switch (v.type()) {
        case toml::value_t::boolean:
            return "a boolean";
        case toml::value_t::integer:
            return "an integer";
        case toml::value_t::floating:
            return "a floating-point number";
        case toml::value_t::string:
            return "a string";
        case toml::value_t::array:
            return "an array";
        case toml::value_t::table:
            return "a table";
        default:
            return "a date or time";
    }
}

std::string toml_string(toml::value const& v, std::string const& key) {
    if (!v.is_string()) throw ConfigError(key, "must be a string, got " + std::string{toml_type(v)});
    return v.as_string().str;
}

void set_from_toml(Key const& k, Config& c, std::string const& key, toml::value const& v) {
    if (k.set_integer && v.is_integer())
        k.set_integer(c, in_range(key, v.as_integer(), k.min, k.max));
    else if (k.set_integer && !v.is_string())
        throw ConfigError(key, "must be an integer, got " + std::string{toml_type(v)});
    else
        set_from_text(k, c, key, toml_string(v, key));
}

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    randombytes_buf(buf.data(), buf.size());
    std::string out(bytes * 2, '0');
    sodium_bin2hex(out.data(), out.size() + 1, buf.data(), buf.size());
    return out;
}

void apply_toml(Config& c, std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("--config", "cannot read " + path);
    std::string const text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (in.bad()) throw ConfigError("--config", "cannot read " + path);
    // TOML files are UTF-8 (TOML 1.0). Checked here because toml11 3.7.1 reads out of bounds while
    // reporting invalid UTF-8 inside a string (found by tests/fuzz/config; the input is
    // tests/fuzz/corpus/config/toml11_invalid_utf8_in_literal_string).
    if (!http::is_valid_utf8(text)) throw ConfigError("--config", "not valid TOML: " + path + " is not UTF-8");
    toml::value root;
    try {
        std::istringstream stream{text};
        root = toml::parse(stream, path);
    } catch (std::exception const& e) {
        throw ConfigError("--config", std::string{"not valid TOML: "} + e.what());
    }
    for (auto const& [name, value] : root.as_table()) {
        if (name == "wechat_apps") continue;  // below, after every scalar key
        std::string env_name = "WXLOGIN_";
        for (char ch : name) env_name += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        Key const* k = find_key(env_name);
        if (!k) throw ConfigError(name, "unknown configuration key in " + path);
        set_from_toml(*k, c, name, value);
    }
    for (auto const& [name, value] : root.as_table()) {
        if (name == "wechat_apps") {
            if (!value.is_array()) throw ConfigError("wechat_apps", "must be an array of tables");
            for (auto const& app : value.as_array()) {
                if (!app.is_table()) throw ConfigError("wechat_apps", "must be an array of tables");
                WeChatAppConfig a;
                for (auto const& [k, v] : app.as_table()) {
                    if (k == "app_id")
                        a.app_id = toml_string(v, "wechat_apps.app_id");
                    else if (k == "secret")
                        a.secret = toml_string(v, "wechat_apps.secret");
                    else
                        throw ConfigError("wechat_apps." + k, "unknown key (app_id and secret are known)");
                }
                c.wechat.apps.push_back(std::move(a));
            }
        }
    }
}

void fill_dev_defaults(Config& c) {
    if (c.jwt.secret.empty() && c.jwt.key_file.empty()) {
        c.jwt.secret = random_hex(32);
        c.dev_defaults.push_back("WXLOGIN_JWT_SECRET: a random secret (tokens die with this process)");
    }
    if (!c.jwt.key_file.empty() && !c.data_key) {
        c.data_key.emplace();
        randombytes_buf(c.data_key->data(), c.data_key->size());
        c.dev_defaults.push_back("WXLOGIN_DATA_KEY: a random key (stored session_keys die with this process)");
    }
    bool const listed_apps = !c.wechat.apps.empty();
    auto& app = c.wechat.primary;
    bool const explicit_base = c.wechat.api_base != "https://api.weixin.qq.com";
    if (app.app_id.empty() && !listed_apps) {
        app.app_id = "wxdev0000000000001";
        c.dev_defaults.push_back("WXLOGIN_WECHAT_APPID: wxdev0000000000001");
    }
    if (!app.app_id.empty() && app.secret.empty()) {
        app.secret = random_hex(16);
        c.dev_defaults.push_back("WXLOGIN_WECHAT_SECRET: a random secret");
    }
    if (!explicit_base) {
        c.wechat.use_embedded_simulator = true;
        c.dev_defaults.push_back("WXLOGIN_WECHAT_API_BASE: the built-in WeChat simulator (/wechat-sim on this server)");
    }
}

// The primary app (WXLOGIN_WECHAT_APPID/SECRET) goes first; [[wechat_apps]] follow in file order.
void merge_primary_app(Config& c) {
    auto& p = c.wechat.primary;
    if (p.app_id.empty() && p.secret.empty()) return;
    if (p.app_id.empty()) throw ConfigError("WXLOGIN_WECHAT_APPID", "is required when WXLOGIN_WECHAT_SECRET is set");
    c.wechat.apps.insert(c.wechat.apps.begin(), p);
    p = {};
}

void validate(Config& c) {
    if (c.jwt.key_file.empty()) {
        if (c.jwt.secret.empty())
            throw ConfigError("WXLOGIN_JWT_SECRET", "is required (or WXLOGIN_JWT_KEY_FILE, or serve --dev)");
        if (c.jwt.secret.size() < 32)
            throw ConfigError("WXLOGIN_JWT_SECRET",
                              "must be at least 32 bytes, got " + std::to_string(c.jwt.secret.size()));
    } else {
        std::ifstream probe(c.jwt.key_file);
        if (!probe) throw ConfigError("WXLOGIN_JWT_KEY_FILE", "cannot read " + c.jwt.key_file);
        // The data key cannot come from a key that rotates: stored session_keys would stop opening.
        if (!c.data_key)
            throw ConfigError("WXLOGIN_DATA_KEY",
                              "is required with WXLOGIN_JWT_KEY_FILE (64 hex chars, e.g. "
                              "`openssl rand -hex 32`), or serve --dev");
    }
    if (c.wechat.apps.empty() || c.wechat.apps.front().app_id.empty())
        throw ConfigError("WXLOGIN_WECHAT_APPID", "is required (or serve --dev)");
    for (std::size_t i = 0; i < c.wechat.apps.size(); ++i) {
        auto const& a = c.wechat.apps[i];
        std::string key = i == 0 ? "WXLOGIN_WECHAT_SECRET" : "wechat_apps[" + std::to_string(i) + "].secret";
        if (a.app_id.empty()) throw ConfigError("wechat_apps[" + std::to_string(i) + "].app_id", "is required");
        if (a.app_id.size() > 64) throw ConfigError("wechat_apps.app_id", "is longer than 64 characters");
        if (a.secret.empty()) throw ConfigError(key, "is required (or serve --dev)");
        for (std::size_t j = 0; j < i; ++j)
            if (c.wechat.apps[j].app_id == a.app_id) throw ConfigError("wechat_apps", "lists " + a.app_id + " twice");
    }
    if (c.server.tls_cert_file.empty() != c.server.tls_key_file.empty())
        throw ConfigError(c.server.tls_cert_file.empty() ? "WXLOGIN_TLS_CERT" : "WXLOGIN_TLS_KEY",
                          "WXLOGIN_TLS_CERT and WXLOGIN_TLS_KEY go together");
    for (auto const& [key, file] :
         {std::pair{"WXLOGIN_TLS_CERT", c.server.tls_cert_file}, std::pair{"WXLOGIN_TLS_KEY", c.server.tls_key_file}}) {
        if (file.empty()) continue;
        std::ifstream probe(file);
        if (!probe) throw ConfigError(key, "cannot read " + file);
    }
    if (c.io_threads == 0) c.io_threads = std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

Environment process_environment() {
    Environment env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view kv{*e};
        auto eq = kv.find('=');
        if (eq == std::string_view::npos) continue;
        if (kv.substr(0, 8) == "WXLOGIN_") env.emplace(std::string{kv.substr(0, eq)}, std::string{kv.substr(eq + 1)});
    }
    return env;
}

Config load_config(std::optional<std::string> const& toml_path, Environment const& env, bool dev) {
    Config c;
    c.dev = dev;
    if (toml_path) apply_toml(c, *toml_path);
    for (auto const& [name, value] : env) {
        if (Key const* k = find_key(name)) set_from_text(*k, c, name, value);
    }
    if (dev) fill_dev_defaults(c);
    c.console = c.console_setting.value_or(dev);
    merge_primary_app(c);
    validate(c);
    return c;
}

std::string config_help() {
    std::string out =
        "Configuration (environment; a --config TOML file may set the same keys in lower case\n"
        "without the WXLOGIN_ prefix, and [[wechat_apps]] tables for more apps):\n";
    for (auto const& k : kKeys) {
        out += "  ";
        out += k.name;
        out += std::string(k.name.size() < 28 ? 28 - k.name.size() : 1, ' ');
        out += k.help;
        out += '\n';
    }
    return out;
}

}  // namespace wx::app
