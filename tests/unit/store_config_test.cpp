// Database and Redis URLs into typed configs: every accepted form, the defaults, and refusals
// whose reasons never carry the password.
#include "store/store_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace wx::store {
namespace {

constexpr char const* kSecret = "Sup3rSecret";

// Why a database or Redis URL is refused; "" when it is accepted.
std::string refusal(std::string const& url) {
    if (url.rfind("redis", 0) == 0) {
        auto redis = parse_redis_url(url);
        return redis ? std::string{} : redis.error();
    }
    auto database = parse_database_url(url);
    return database ? std::string{} : database.error();
}

TEST(StoreConfig, SqliteUrlIsThePathAsWritten) {
    auto relative = parse_database_url("sqlite://wxlogin.db");
    ASSERT_TRUE(relative);
    ASSERT_TRUE(std::holds_alternative<SqliteConfig>(*relative));
    EXPECT_EQ(std::get<SqliteConfig>(*relative).path, "wxlogin.db");
    auto absolute = parse_sqlite_url("sqlite:///var/lib/wx login.db");
    ASSERT_TRUE(absolute);
    EXPECT_EQ(absolute->path, "/var/lib/wx login.db");
}

TEST(StoreConfig, MysqlUrlWithEveryPart) {
    auto parsed = parse_database_url("mysql://wx:pw@db.internal:3307/wxlogin");
    ASSERT_TRUE(parsed);
    auto const* mysql = std::get_if<MysqlConfig>(&*parsed);
    ASSERT_NE(mysql, nullptr);
    EXPECT_EQ(mysql->user, "wx");
    EXPECT_EQ(mysql->password, "pw");
    EXPECT_EQ(mysql->host, "db.internal");
    EXPECT_EQ(mysql->port, 3307);
    EXPECT_EQ(mysql->database, "wxlogin");
}

TEST(StoreConfig, MysqlDefaultsAndDecoding) {
    auto bare = parse_mysql_url("mysql://root@127.0.0.1/wx");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->user, "root");
    EXPECT_EQ(bare->password, "");
    EXPECT_EQ(bare->host, "127.0.0.1");
    EXPECT_EQ(bare->port, 3306);

    // Percent-escapes are decoded; the last '@' ends the password, so a raw '@' or '/' survives.
    auto encoded = parse_mysql_url("mysql://us%3Aer:p%40ss%25w:rd@[2001:db8::5]:33060/wx");
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->user, "us:er");
    EXPECT_EQ(encoded->password, "p@ss%w:rd");
    EXPECT_EQ(encoded->host, "2001:db8::5");
    EXPECT_EQ(encoded->port, 33060);
    auto raw = parse_mysql_url("mysql://u:a@b/c@db:3306/wx");
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->password, "a@b/c");
    EXPECT_EQ(raw->host, "db");
}

TEST(StoreConfig, RedisUrlForms) {
    auto full = parse_redis_url("redis://:p%40ss@cache.internal:6380/3");
    ASSERT_TRUE(full);
    EXPECT_EQ(full->host, "cache.internal");
    EXPECT_EQ(full->port, 6380);
    EXPECT_EQ(full->password, "p@ss");
    EXPECT_EQ(full->db, 3);
    auto bare = parse_redis_url("redis://127.0.0.1");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->host, "127.0.0.1");
    EXPECT_EQ(bare->port, 6379);
    EXPECT_EQ(bare->password, "");
    EXPECT_EQ(bare->db, 0);
    auto slash = parse_redis_url("redis://[::1]:7000/");
    ASSERT_TRUE(slash);
    EXPECT_EQ(slash->host, "::1");
    EXPECT_EQ(slash->port, 7000);
    EXPECT_EQ(slash->db, 0);
}

TEST(StoreConfig, BadDatabaseUrlsSayWhy) {
    struct Case {
        char const* url;
        char const* reason;
    };
    for (auto [url, reason] : {
             Case{"postgres://u:p@db/wx", "must start with sqlite:// or mysql://"},
             Case{"sqlite://", "sqlite:// needs a file path"},
             Case{"mysql://db:3306/wx", "needs a user"},
             Case{"mysql://:pw@db/wx", "the user name is empty"},
             Case{"mysql://u:pw@db:3306", "needs a database"},
             Case{"mysql://u:pw@db:3306/", "the database name is empty"},
             Case{"mysql://u:pw@db/wx?ssl=1", "no query parameters"},
             Case{"mysql://u:pw@:3306/wx", "the host is missing"},
             Case{"mysql://u:pw@db:0/wx", "the port must be a number from 1 to 65535"},
             Case{"mysql://u:pw@db:65536/wx", "the port must be a number from 1 to 65535"},
             Case{"mysql://u:pw@db:33o6/wx", "the port must be a number from 1 to 65535"},
             Case{"mysql://u:pw@[::1/wx", "closing ']'"},
             Case{"mysql://u:pw@::1/wx", "the host is missing"},
             Case{"mysql://u%zz:pw@db/wx", "the user name has a '%'"},
             Case{"mysql://u:pw%4@db/wx", "the password has a '%'"},
         }) {
        auto parsed = parse_database_url(url);
        ASSERT_FALSE(parsed) << url;
        EXPECT_NE(parsed.error().find(reason), std::string::npos) << url << " -> '" << parsed.error() << "'";
    }
}

TEST(StoreConfig, BadRedisUrlsSayWhy) {
    struct Case {
        char const* url;
        char const* reason;
    };
    for (auto [url, reason] : {
             Case{"rediss://cache:6379", "must start with redis://"},
             Case{"redis://", "the host is missing"},
             Case{"redis://user:pw@cache:6379", "a user name is not supported"},
             Case{"redis://cache:99999", "the port must be a number from 1 to 65535"},
             Case{"redis://cache:6379/zero", "the database must be a number"},
             Case{"redis://cache:6379/-1", "the database must be a number"},
             Case{"redis://:pw%g0@cache", "the password has a '%'"},
         }) {
        auto parsed = parse_redis_url(url);
        ASSERT_FALSE(parsed) << url;
        EXPECT_NE(parsed.error().find(reason), std::string::npos) << url << " -> '" << parsed.error() << "'";
    }
}

TEST(StoreConfig, NoErrorCarriesThePassword) {
    std::string const s = kSecret;
    for (std::string url : {"mysql://u:" + s + "@db:99999/wx", "mysql://u:" + s + "@db:3306", "mysql://u:" + s + "@/wx",
                            "mysql://u:" + s + "%@db/wx", "mysql://u:" + s + "@db/wx?x=1",
                            "mysql://u:" + s + "@db:x/wx", "redis://:" + s + "@cache:0", "redis://:" + s + "@cache/x",
                            "redis://admin:" + s + "@cache", "redis://:" + s + "%@cache", "redis://:" + s + "@"}) {
        std::string const reason = refusal(url);
        EXPECT_FALSE(reason.empty()) << url << " was accepted";
        EXPECT_EQ(reason.find("Sup3r"), std::string::npos) << url << " -> '" << reason << "'";
    }
}

}  // namespace
}  // namespace wx::store
