// Configuration: defaults, environment, TOML file, precedence, --dev, and errors naming the key.
#include "app/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <variant>

#include "support/temp_dir.hpp"
#include "support/test_app.hpp"

namespace wx::app {
namespace {

using test::TempDir;

// The smallest environment that passes validation without --dev.
Environment production_env() {
    return {{"WXLOGIN_JWT_SECRET", std::string(32, 's')},
            {"WXLOGIN_WECHAT_APPID", "wx1234567890abcdef"},
            {"WXLOGIN_WECHAT_SECRET", "0123456789abcdef0123456789abcdef"}};
}

Environment with(Environment env, std::string const& key, std::string const& value) {
    env[key] = value;
    return env;
}

store::SqliteConfig sqlite_of(Config const& c) {
    EXPECT_TRUE(std::holds_alternative<store::SqliteConfig>(c.database));
    auto const* sqlite = std::get_if<store::SqliteConfig>(&c.database);
    return sqlite ? *sqlite : store::SqliteConfig{};
}

// Runs load_config and returns the ConfigError's message, or "" when it did not throw.
std::string config_error(std::optional<std::string> const& toml, Environment const& env, bool dev) {
    try {
        (void)load_config(toml, env, dev);
    } catch (ConfigError const& e) {
        return e.what();
    }
    return {};
}

class ConfigTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { test::init_test_process(); }  // libsodium for --dev secrets
    TempDir dir_{"wxlogin-config"};
};

TEST_F(ConfigTest, DefaultsMatchTheDocumentation) {
    Config c = load_config(std::nullopt, production_env(), false);
    EXPECT_FALSE(c.dev);
    EXPECT_EQ(c.server.host, "127.0.0.1");
    EXPECT_EQ(c.server.port, 8080);
    EXPECT_EQ(c.server.max_body_bytes, 64u * 1024u);
    EXPECT_TRUE(c.server.tls_cert_file.empty());
    EXPECT_EQ(sqlite_of(c).path, "wxlogin.db");
    EXPECT_FALSE(c.redis.has_value());
    EXPECT_TRUE(c.trusted_proxies.empty());
    EXPECT_FALSE(c.data_key.has_value());
    EXPECT_EQ(c.jwt.issuer, "wxlogin");
    EXPECT_TRUE(c.jwt.audience.empty());
    EXPECT_TRUE(c.jwt.key_file.empty());
    EXPECT_EQ(c.jwt.access_ttl, 3600);
    EXPECT_EQ(c.jwt.refresh_ttl, 2592000);
    EXPECT_EQ(c.wechat.api_base, "https://api.weixin.qq.com");
    EXPECT_EQ(c.wechat.timeout, std::chrono::milliseconds(3000));
    EXPECT_FALSE(c.wechat.use_embedded_simulator);
    ASSERT_EQ(c.wechat.apps.size(), 1u);
    EXPECT_EQ(c.wechat.apps[0].app_id, "wx1234567890abcdef");
    EXPECT_EQ(c.log_format, obs::LogFormat::text);
    EXPECT_GE(c.io_threads, 1u);  // 0 means "one per core" and is resolved here
    EXPECT_TRUE(c.dev_defaults.empty());
}

TEST_F(ConfigTest, EnvironmentOverridesDefaults) {
    Environment env = production_env();
    env["WXLOGIN_LISTEN"] = "0.0.0.0:9000";
    env["WXLOGIN_DATABASE_URL"] = "mysql://u:p@db:3306/wx";
    env["WXLOGIN_REDIS_URL"] = "redis://:pw@cache:6379/2";
    env["WXLOGIN_JWT_ISSUER"] = "issuer-x";
    env["WXLOGIN_JWT_AUDIENCE"] = "aud-y";
    env["WXLOGIN_ACCESS_TTL"] = "600";
    env["WXLOGIN_REFRESH_TTL"] = "86400";
    env["WXLOGIN_WECHAT_API_BASE"] = "http://127.0.0.1:9090/";
    env["WXLOGIN_WECHAT_TIMEOUT_MS"] = "1500";
    env["WXLOGIN_LOG_FORMAT"] = "json";
    env["WXLOGIN_IO_THREADS"] = "3";
    env["WXLOGIN_SHUTDOWN_GRACE_MS"] = "2500";
    Config c = load_config(std::nullopt, env, false);
    EXPECT_EQ(c.server.host, "0.0.0.0");
    EXPECT_EQ(c.server.port, 9000);
    auto const* mysql = std::get_if<store::MysqlConfig>(&c.database);
    ASSERT_NE(mysql, nullptr);
    EXPECT_EQ(mysql->user, "u");
    EXPECT_EQ(mysql->password, "p");
    EXPECT_EQ(mysql->host, "db");
    EXPECT_EQ(mysql->port, 3306);
    EXPECT_EQ(mysql->database, "wx");
    ASSERT_TRUE(c.redis.has_value());
    EXPECT_EQ(c.redis->host, "cache");
    EXPECT_EQ(c.redis->port, 6379);
    EXPECT_EQ(c.redis->password, "pw");
    EXPECT_EQ(c.redis->db, 2);
    EXPECT_EQ(c.jwt.issuer, "issuer-x");
    EXPECT_EQ(c.jwt.audience, "aud-y");
    EXPECT_EQ(c.jwt.access_ttl, 600);
    EXPECT_EQ(c.jwt.refresh_ttl, 86400);
    EXPECT_EQ(c.wechat.api_base, "http://127.0.0.1:9090");  // trailing slash trimmed
    EXPECT_EQ(c.wechat.timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(c.log_format, obs::LogFormat::json);
    EXPECT_EQ(c.io_threads, 3u);
    EXPECT_EQ(c.shutdown_grace, std::chrono::milliseconds(2500));
}

TEST_F(ConfigTest, ListenAcceptsLocalhostAndBracketedIpv6) {
    EXPECT_EQ(load_config(std::nullopt, with(production_env(), "WXLOGIN_LISTEN", "localhost:1234"), false).server.host,
              "127.0.0.1");
    Config c = load_config(std::nullopt, with(production_env(), "WXLOGIN_LISTEN", "[::1]:8443"), false);
    EXPECT_EQ(c.server.host, "::1");
    EXPECT_EQ(c.server.port, 8443);
}

TEST_F(ConfigTest, UnrelatedEnvironmentVariablesAreIgnored) {
    Config c = load_config(std::nullopt, with(production_env(), "WXLOGIN_NOT_A_KEY", "whatever"), false);
    EXPECT_EQ(c.server.port, 8080);
}

TEST_F(ConfigTest, TomlFileSetsKeysAndWeChatApps) {
    auto path = dir_.write("wxlogin.toml", R"(
listen = "127.0.0.1:7000"
database_url = "sqlite:///var/lib/wx.db"
jwt_secret = "0123456789abcdef0123456789abcdef-toml"
jwt_issuer = "toml-issuer"
access_ttl = 900
log_format = "json"

[[wechat_apps]]
app_id = "wxaaaaaaaaaaaaaaaa"
secret = "secret-a"

[[wechat_apps]]
app_id = "wxbbbbbbbbbbbbbbbb"
secret = "secret-b"
)");
    Config c = load_config(path.string(), {}, false);
    EXPECT_EQ(c.server.port, 7000);
    EXPECT_EQ(sqlite_of(c).path, "/var/lib/wx.db");
    EXPECT_EQ(c.jwt.secret, "0123456789abcdef0123456789abcdef-toml");
    EXPECT_EQ(c.jwt.issuer, "toml-issuer");
    EXPECT_EQ(c.jwt.access_ttl, 900);
    EXPECT_EQ(c.log_format, obs::LogFormat::json);
    ASSERT_EQ(c.wechat.apps.size(), 2u);
    EXPECT_EQ(c.wechat.apps[0].app_id, "wxaaaaaaaaaaaaaaaa");
    EXPECT_EQ(c.wechat.apps[0].secret, "secret-a");
    EXPECT_EQ(c.wechat.apps[1].app_id, "wxbbbbbbbbbbbbbbbb");
    EXPECT_EQ(c.wechat.apps[1].secret, "secret-b");
}

TEST_F(ConfigTest, EnvironmentWinsOverToml) {
    auto path = dir_.write("wxlogin.toml", R"(
listen = "127.0.0.1:7000"
jwt_issuer = "toml-issuer"
log_format = "json"
)");
    Environment env = production_env();
    env["WXLOGIN_LISTEN"] = "127.0.0.1:7001";
    env["WXLOGIN_LOG_FORMAT"] = "text";
    Config c = load_config(path.string(), env, false);
    EXPECT_EQ(c.server.port, 7001);
    EXPECT_EQ(c.log_format, obs::LogFormat::text);
    EXPECT_EQ(c.jwt.issuer, "toml-issuer");  // not in the environment: the file's value stays
}

TEST_F(ConfigTest, TomlWeChatAppIdAndAppsCombineDeterministically) {
    // Setting the default app with wechat_appid/wechat_secret and listing more apps must give the
    // default app first, whatever order the TOML table is iterated in. The extra keys make the
    // table big enough that libstdc++'s hash order visits wechat_apps first.
    auto path = dir_.write("wxlogin.toml", R"(
jwt_secret = "0123456789abcdef0123456789abcdef"
wechat_appid = "wxdefault000000000"
wechat_secret = "secret-default"
jwt_issuer = "a"
access_ttl = 900
log_format = "json"
listen = "127.0.0.1:1"
redis_url = ""
jwt_audience = "x"
io_threads = 2
blocking_threads = 2
refresh_ttl = 3600
idle_timeout_ms = 1000
read_timeout_ms = 1000
write_timeout_ms = 1000

[[wechat_apps]]
app_id = "wxsecond0000000000"
secret = "secret-second"
)");
    Config c = load_config(path.string(), {}, false);
    ASSERT_EQ(c.wechat.apps.size(), 2u);
    EXPECT_EQ(c.wechat.apps[0].app_id, "wxdefault000000000");
    EXPECT_EQ(c.wechat.apps[0].secret, "secret-default");
    EXPECT_EQ(c.wechat.apps[1].app_id, "wxsecond0000000000");
    EXPECT_EQ(c.wechat.apps[1].secret, "secret-second");
}

TEST_F(ConfigTest, EnvironmentAppIdDoesNotBorrowAnotherAppsSecret) {
    // WXLOGIN_WECHAT_APPID without WXLOGIN_WECHAT_SECRET, over a TOML file listing other apps, must
    // not pair the environment's appid with the first TOML app's secret.
    auto path = dir_.write("wxlogin.toml", R"(
jwt_secret = "0123456789abcdef0123456789abcdef"
[[wechat_apps]]
app_id = "wxaaaaaaaaaaaaaaaa"
secret = "secret-a"
)");
    try {
        Config c = load_config(path.string(), {{"WXLOGIN_WECHAT_APPID", "wxenv0000000000000"}}, false);
        for (auto const& a : c.wechat.apps)
            EXPECT_FALSE(a.app_id == "wxenv0000000000000" && a.secret == "secret-a") << "credentials mixed up";
        bool const toml_app_kept = std::any_of(c.wechat.apps.begin(), c.wechat.apps.end(),
                                               [](auto const& a) { return a.app_id == "wxaaaaaaaaaaaaaaaa"; });
        EXPECT_TRUE(toml_app_kept);
    } catch (ConfigError const& e) {
        SUCCEED() << "rejected, also acceptable: " << e.what();
    }
}

TEST_F(ConfigTest, BadListenNamesTheKey) {
    for (std::string bad : {"nonsense", "127.0.0.1", ":8080", "example.com:80", "127.0.0.1:http", "127.0.0.1:-1"}) {
        auto msg = config_error(std::nullopt, with(production_env(), "WXLOGIN_LISTEN", bad), false);
        EXPECT_NE(msg.find("WXLOGIN_LISTEN"), std::string::npos) << bad << " -> " << msg;
    }
}

TEST_F(ConfigTest, PortOutOfRangeNamesTheKey) {
    auto msg = config_error(std::nullopt, with(production_env(), "WXLOGIN_LISTEN", "127.0.0.1:70000"), false);
    EXPECT_NE(msg.find("WXLOGIN_LISTEN"), std::string::npos) << msg;
    EXPECT_NE(msg.find("65535"), std::string::npos) << msg;
}

TEST_F(ConfigTest, ShortJwtSecretNamesTheKey) {
    auto msg = config_error(std::nullopt, with(production_env(), "WXLOGIN_JWT_SECRET", std::string(31, 'x')), false);
    EXPECT_NE(msg.find("WXLOGIN_JWT_SECRET"), std::string::npos) << msg;
    EXPECT_NE(msg.find("32"), std::string::npos) << msg;
    // A short secret is an error in --dev too: --dev fills only what is missing.
    auto dev_msg = config_error(std::nullopt, {{"WXLOGIN_JWT_SECRET", "short"}}, true);
    EXPECT_NE(dev_msg.find("WXLOGIN_JWT_SECRET"), std::string::npos) << dev_msg;
}

TEST_F(ConfigTest, MissingJwtSecretWithoutDevNamesTheKey) {
    Environment env = production_env();
    env.erase("WXLOGIN_JWT_SECRET");
    auto msg = config_error(std::nullopt, env, false);
    EXPECT_NE(msg.find("WXLOGIN_JWT_SECRET"), std::string::npos) << msg;
}

TEST_F(ConfigTest, UnknownTomlKeyIsNamed) {
    auto path = dir_.write("bad.toml", "jwt_secret = \"0123456789abcdef0123456789abcdef\"\nlisten_adress = \"x\"\n");
    auto msg = config_error(path.string(), production_env(), false);
    EXPECT_NE(msg.find("listen_adress"), std::string::npos) << msg;
}

TEST_F(ConfigTest, UnknownKeyInsideWeChatAppsIsNamed) {
    auto path = dir_.write("bad.toml", "[[wechat_apps]]\napp_id = \"wx1\"\nsecert = \"x\"\n");
    auto msg = config_error(path.string(), production_env(), false);
    EXPECT_NE(msg.find("secert"), std::string::npos) << msg;
}

// toml11 3.7.1 read out of bounds on invalid UTF-8 inside a string (tests/fuzz/config found it with
// this input, now in tests/fuzz/corpus/config/): the file is refused before toml11 sees it.
TEST_F(ConfigTest, TomlThatIsNotUtf8IsAConfigError) {
    auto path = dir_.write("latin1.toml", "'\xff'");
    auto msg = config_error(path.string(), production_env(), false);
    EXPECT_NE(msg.find("not UTF-8"), std::string::npos) << msg;
    auto in_value = dir_.write("latin1-value.toml", "jwt_issuer = \"caf\xe9\"\n");
    msg = config_error(in_value.string(), production_env(), false);
    EXPECT_NE(msg.find("not UTF-8"), std::string::npos) << msg;
}

TEST_F(ConfigTest, InvalidTomlAndMissingFileAreConfigErrors) {
    auto path = dir_.write("broken.toml", "listen = \n[[[\n");
    EXPECT_NE(config_error(path.string(), production_env(), false), "");
    EXPECT_NE(config_error((dir_.path() / "absent.toml").string(), production_env(), false), "");
}

TEST_F(ConfigTest, BadTomlValueNamesTheTomlKey) {
    auto path = dir_.write("bad.toml", "log_format = \"yaml\"\n");
    auto msg = config_error(path.string(), production_env(), false);
    EXPECT_NE(msg.find("log_format"), std::string::npos) << msg;
}

TEST_F(ConfigTest, BadLogFormatNamesTheKey) {
    auto msg = config_error(std::nullopt, with(production_env(), "WXLOGIN_LOG_FORMAT", "xml"), false);
    EXPECT_NE(msg.find("WXLOGIN_LOG_FORMAT"), std::string::npos) << msg;
}

TEST_F(ConfigTest, TlsCertWithoutKeyNamesBothKeys) {
    auto cert = dir_.write("cert.pem", "not really a certificate");
    auto msg = config_error(std::nullopt, with(production_env(), "WXLOGIN_TLS_CERT", cert.string()), false);
    EXPECT_NE(msg.find("WXLOGIN_TLS_KEY"), std::string::npos) << msg;
    EXPECT_NE(msg.find("WXLOGIN_TLS_CERT"), std::string::npos) << msg;
}

TEST_F(ConfigTest, TlsKeyWithoutCertNamesBothKeys) {
    auto key = dir_.write("key.pem", "not really a key");
    auto msg = config_error(std::nullopt, with(production_env(), "WXLOGIN_TLS_KEY", key.string()), false);
    EXPECT_NE(msg.find("WXLOGIN_TLS_CERT"), std::string::npos) << msg;
}

TEST_F(ConfigTest, UnreadableTlsFilesAreNamed) {
    Environment env = production_env();
    env["WXLOGIN_TLS_CERT"] = (dir_.path() / "missing-cert.pem").string();
    env["WXLOGIN_TLS_KEY"] = (dir_.path() / "missing-key.pem").string();
    auto msg = config_error(std::nullopt, env, false);
    EXPECT_NE(msg.find("WXLOGIN_TLS_CERT"), std::string::npos) << msg;
}

TEST_F(ConfigTest, MissingAppIdWithoutDevNamesTheKey) {
    Environment env = production_env();
    env.erase("WXLOGIN_WECHAT_APPID");
    auto msg = config_error(std::nullopt, env, false);
    EXPECT_NE(msg.find("WXLOGIN_WECHAT_APPID"), std::string::npos) << msg;
}

TEST_F(ConfigTest, MissingWeChatSecretWithoutDevNamesTheKey) {
    Environment env = production_env();
    env.erase("WXLOGIN_WECHAT_SECRET");
    auto msg = config_error(std::nullopt, env, false);
    EXPECT_NE(msg.find("WXLOGIN_WECHAT_SECRET"), std::string::npos) << msg;
}

TEST_F(ConfigTest, OtherBadValuesNameTheirKeys) {
    struct Case {
        char const* key;
        char const* value;
    };
    for (auto [key, value] :
         {Case{"WXLOGIN_DATABASE_URL", "postgres://x"}, Case{"WXLOGIN_DATABASE_URL", "sqlite://"},
          Case{"WXLOGIN_REDIS_URL", "http://cache"}, Case{"WXLOGIN_ACCESS_TTL", "10"}, Case{"WXLOGIN_ACCESS_TTL", "1h"},
          Case{"WXLOGIN_REFRESH_TTL", "-5"}, Case{"WXLOGIN_WECHAT_API_BASE", "ftp://x"},
          Case{"WXLOGIN_WECHAT_TIMEOUT_MS", "0"}, Case{"WXLOGIN_JWT_ISSUER", ""}, Case{"WXLOGIN_LOG_LEVEL", "verbose"},
          Case{"WXLOGIN_IO_THREADS", "0"}, Case{"WXLOGIN_DATA_KEY", "abc"}, Case{"WXLOGIN_SHUTDOWN_GRACE_MS", "soon"},
          Case{"WXLOGIN_JWT_KEY_FILE", "/nonexistent/key.pem"}}) {
        auto msg = config_error(std::nullopt, with(production_env(), key, value), false);
        EXPECT_NE(msg.find(key), std::string::npos) << key << "=" << value << " -> '" << msg << "'";
    }
}

TEST_F(ConfigTest, DevFillsSecretAndAppIdAndUsesTheEmbeddedSimulator) {
    Config c = load_config(std::nullopt, {}, true);
    EXPECT_TRUE(c.dev);
    EXPECT_GE(c.jwt.secret.size(), 32u);
    ASSERT_FALSE(c.wechat.apps.empty());
    EXPECT_FALSE(c.wechat.apps[0].app_id.empty());
    EXPECT_FALSE(c.wechat.apps[0].secret.empty());
    EXPECT_TRUE(c.wechat.use_embedded_simulator);
    EXPECT_FALSE(c.dev_defaults.empty());  // announced loudly at start
}

TEST_F(ConfigTest, DevSecretsAreRandomPerLoad) {
    Config a = load_config(std::nullopt, {}, true);
    Config b = load_config(std::nullopt, {}, true);
    EXPECT_NE(a.jwt.secret, b.jwt.secret);
}

TEST_F(ConfigTest, DevKeepsWhatIsGiven) {
    Environment env = production_env();
    env["WXLOGIN_WECHAT_API_BASE"] = "http://127.0.0.1:9090";
    Config c = load_config(std::nullopt, env, true);
    EXPECT_EQ(c.jwt.secret, std::string(32, 's'));
    EXPECT_EQ(c.wechat.apps[0].app_id, "wx1234567890abcdef");
    EXPECT_FALSE(c.wechat.use_embedded_simulator);  // an explicit API base is used as given
    EXPECT_EQ(c.wechat.api_base, "http://127.0.0.1:9090");
}

TEST_F(ConfigTest, KeyFileNeedsADataKeyOutsideDev) {
    auto key = dir_.path() / "key.pem";
    std::ofstream(key) << "placeholder: the file is parsed when the App starts";
    Environment env = production_env();
    env.erase("WXLOGIN_JWT_SECRET");
    env["WXLOGIN_JWT_KEY_FILE"] = key.string();
    EXPECT_NE(config_error(std::nullopt, env, false).find("WXLOGIN_DATA_KEY"), std::string::npos);
    env["WXLOGIN_DATA_KEY"] = std::string(64, 'a');
    EXPECT_EQ(config_error(std::nullopt, env, false), "");
    Environment dev{{"WXLOGIN_JWT_KEY_FILE", key.string()}};
    Config c = load_config(std::nullopt, dev, true);
    EXPECT_TRUE(c.data_key.has_value());  // a random one, announced as a dev default
    EXPECT_TRUE(c.jwt.secret.empty());
}

TEST_F(ConfigTest, PasswordAndProxySettingsAreChecked) {
    Config c = load_config(std::nullopt,
                           with(with(production_env(), "WXLOGIN_PASSWORD_MEMLIMIT_KIB", "65536"),
                                "WXLOGIN_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
                           false);
    EXPECT_EQ(c.password.memlimit_kib, 65536u);
    EXPECT_TRUE(c.trusted_proxies.contains("10.20.30.40"));
    EXPECT_TRUE(c.trusted_proxies.contains("::1"));
    EXPECT_FALSE(c.trusted_proxies.contains("192.168.1.1"));
    EXPECT_NE(config_error(std::nullopt, with(production_env(), "WXLOGIN_PASSWORD_MEMLIMIT_KIB", "1024"), false)
                  .find("WXLOGIN_PASSWORD_MEMLIMIT_KIB"),
              std::string::npos);  // below OWASP's 19 MiB
    EXPECT_NE(config_error(std::nullopt, with(production_env(), "WXLOGIN_PASSWORD_OPSLIMIT", "1"), false), "");
    EXPECT_NE(config_error(std::nullopt, with(production_env(), "WXLOGIN_TRUSTED_PROXIES", "proxy.internal"), false)
                  .find("WXLOGIN_TRUSTED_PROXIES"),
              std::string::npos);
}

// --- values are read by their TOML type ---

TEST_F(ConfigTest, TomlIntegersAreIntegersAndQuotedDigitsStillCount) {
    auto path = dir_.write("typed.toml", R"(
jwt_secret = "0123456789abcdef0123456789abcdef"
io_threads = 3
idle_timeout_ms = 1500
password_memlimit_kib = 65536
refresh_ttl = "86400"
)");
    Config c = load_config(path.string(), production_env(), false);
    EXPECT_EQ(c.io_threads, 3u);
    EXPECT_EQ(c.server.idle_timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(c.password.memlimit_kib, 65536u);
    EXPECT_EQ(c.jwt.refresh_ttl, 86400);  // a string of digits, as the environment gives it
}

TEST_F(ConfigTest, WrongTomlTypeNamesTheKeyAndTheType) {
    struct Case {
        char const* toml;
        char const* key;
        char const* expected;
    };
    for (auto [toml, key, expected] : {
             Case{"access_ttl = true\n", "access_ttl", "must be an integer, got a boolean"},
             Case{"access_ttl = 1.5\n", "access_ttl", "must be an integer, got a floating-point number"},
             Case{"access_ttl = [900]\n", "access_ttl", "must be an integer, got an array"},
             Case{"access_ttl = \"15m\"\n", "access_ttl", "must be a whole number"},
             Case{"jwt_issuer = 42\n", "jwt_issuer", "must be a string, got an integer"},
             Case{"listen = 8080\n", "listen", "must be a string, got an integer"},
             Case{"log_level = false\n", "log_level", "must be a string, got a boolean"},
             Case{"database_url = 1\n", "database_url", "must be a string, got an integer"},
             Case{"trusted_proxies = [\"10.0.0.1\"]\n", "trusted_proxies", "must be a string, got an array"},
             Case{"[[wechat_apps]]\napp_id = 7\nsecret = \"s\"\n", "wechat_apps.app_id",
                  "must be a string, got an integer"},
         }) {
        auto path = dir_.write("typed.toml", toml);
        auto msg = config_error(path.string(), production_env(), false);
        EXPECT_NE(msg.find(key), std::string::npos) << toml << " -> '" << msg << "'";
        EXPECT_NE(msg.find(expected), std::string::npos) << toml << " -> '" << msg << "'";
    }
}

TEST_F(ConfigTest, TomlIntegerOutOfRangeNamesTheKeyAndTheRange) {
    auto path = dir_.write("typed.toml", "io_threads = 0\n");
    auto msg = config_error(path.string(), production_env(), false);
    EXPECT_EQ(msg, "io_threads: must be between 1 and 256");
}

// --- URLs, proxies and the data key are parsed here, once, into what their components take ---

TEST_F(ConfigTest, DatabaseAndRedisUrlsBecomeTypedConfigs) {
    Environment env = production_env();
    env["WXLOGIN_DATABASE_URL"] = "mysql://app%40corp:p%3Ass@[::1]:3307/wx";
    env["WXLOGIN_REDIS_URL"] = "redis://cache";
    Config c = load_config(std::nullopt, env, false);
    auto const* mysql = std::get_if<store::MysqlConfig>(&c.database);
    ASSERT_NE(mysql, nullptr);
    EXPECT_EQ(mysql->user, "app@corp");
    EXPECT_EQ(mysql->password, "p:ss");
    EXPECT_EQ(mysql->host, "::1");
    EXPECT_EQ(mysql->port, 3307);
    ASSERT_TRUE(c.redis.has_value());
    EXPECT_EQ(c.redis->host, "cache");
    EXPECT_EQ(c.redis->port, 6379);
    EXPECT_EQ(c.redis->db, 0);
    EXPECT_FALSE(load_config(std::nullopt, with(env, "WXLOGIN_REDIS_URL", ""), false).redis.has_value());
}

TEST_F(ConfigTest, RedisPrefixDefaultsAndIsChecked) {
    EXPECT_EQ(load_config(std::nullopt, production_env(), false).redis_prefix, "wxlogin:");
    EXPECT_EQ(load_config(std::nullopt, with(production_env(), "WXLOGIN_REDIS_PREFIX", "shop-b:"), false).redis_prefix,
              "shop-b:");
    for (char const* bad : {"", "has space", "tab\t", "\x7f"}) {
        auto msg = config_error(std::nullopt, with(production_env(), "WXLOGIN_REDIS_PREFIX", bad), false);
        EXPECT_NE(msg.find("WXLOGIN_REDIS_PREFIX"), std::string::npos) << "'" << bad << "' -> '" << msg << "'";
    }
    auto too_long =
        config_error(std::nullopt, with(production_env(), "WXLOGIN_REDIS_PREFIX", std::string(65, 'p')), false);
    EXPECT_NE(too_long.find("WXLOGIN_REDIS_PREFIX"), std::string::npos) << too_long;
}

TEST_F(ConfigTest, BadUrlsNameTheKeyButNeverThePassword) {
    struct Case {
        char const* key;
        char const* value;
    };
    for (auto [key, value] : {Case{"WXLOGIN_DATABASE_URL", "mysql://u:hunter2secret@db:99999/wx"},
                              Case{"WXLOGIN_DATABASE_URL", "mysql://u:hunter2secret@db:3306"},
                              Case{"WXLOGIN_DATABASE_URL", "mysql://u:hunter2secret%zz@db/wx"},
                              Case{"WXLOGIN_REDIS_URL", "redis://:hunter2secret@cache:0"},
                              Case{"WXLOGIN_REDIS_URL", "redis://admin:hunter2secret@cache:6379"}}) {
        auto msg = config_error(std::nullopt, with(production_env(), key, value), false);
        EXPECT_NE(msg.find(key), std::string::npos) << value << " -> '" << msg << "'";
        EXPECT_EQ(msg.find("hunter2"), std::string::npos) << value << " -> '" << msg << "'";
    }
}

TEST_F(ConfigTest, MysqlPoolSettingsHaveTheirDefaultsAndRanges) {
    Config defaults = load_config(std::nullopt, production_env(), false);
    EXPECT_EQ(defaults.db_pool.max_size, 10u);
    EXPECT_EQ(defaults.db_pool.connection_timeout, std::chrono::milliseconds(3000));
    EXPECT_EQ(defaults.db_pool.idle_timeout, std::chrono::milliseconds(600000));
    EXPECT_EQ(defaults.db_pool.max_lifetime, std::chrono::milliseconds(1800000));
    EXPECT_EQ(defaults.db_pool.query_timeout, std::chrono::milliseconds(5000));

    Environment env = production_env();
    env["WXLOGIN_DB_POOL_SIZE"] = "25";
    env["WXLOGIN_DB_POOL_TIMEOUT_MS"] = "500";
    env["WXLOGIN_DB_IDLE_TIMEOUT_MS"] = "60000";
    env["WXLOGIN_DB_MAX_LIFETIME_MS"] = "120000";
    env["WXLOGIN_DB_QUERY_TIMEOUT_MS"] = "2000";
    Config c = load_config(std::nullopt, env, false);
    EXPECT_EQ(c.db_pool.max_size, 25u);
    EXPECT_EQ(c.db_pool.connection_timeout, std::chrono::milliseconds(500));
    EXPECT_EQ(c.db_pool.idle_timeout, std::chrono::milliseconds(60000));
    EXPECT_EQ(c.db_pool.max_lifetime, std::chrono::milliseconds(120000));
    EXPECT_EQ(c.db_pool.query_timeout, std::chrono::milliseconds(2000));

    EXPECT_EQ(config_error(std::nullopt, with(production_env(), "WXLOGIN_DB_POOL_SIZE", "0"), false),
              "WXLOGIN_DB_POOL_SIZE: must be between 1 and 1000");
    EXPECT_EQ(config_error(std::nullopt, with(production_env(), "WXLOGIN_DB_QUERY_TIMEOUT_MS", "10"), false),
              "WXLOGIN_DB_QUERY_TIMEOUT_MS: must be between 1000 and 600000");
}

TEST_F(ConfigTest, DataKeyIsDecodedIntoItsBytes) {
    std::string hex;
    for (int i = 0; i < 32; ++i) hex += (i % 2 ? "AB" : "0f");  // both cases of hex digits
    Config c = load_config(std::nullopt, with(production_env(), "WXLOGIN_DATA_KEY", hex), false);
    ASSERT_TRUE(c.data_key.has_value());
    EXPECT_EQ((*c.data_key)[0], 0x0f);
    EXPECT_EQ((*c.data_key)[1], 0xab);
    EXPECT_EQ((*c.data_key)[31], 0xab);
    for (std::string bad : {std::string(63, 'a'), std::string(66, 'a'), "zz" + std::string(62, 'a'),
                            std::string(62, 'a') + " a", std::string(32, 'a') + ":" + std::string(31, 'a')}) {
        auto msg = config_error(std::nullopt, with(production_env(), "WXLOGIN_DATA_KEY", bad), false);
        EXPECT_NE(msg.find("WXLOGIN_DATA_KEY"), std::string::npos) << "'" << bad << "' -> '" << msg << "'";
    }
}

}  // namespace
}  // namespace wx::app
