#pragma once
// Where the database and Redis are, as typed values: parsed once from WXLOGIN_DATABASE_URL and
// WXLOGIN_REDIS_URL by the configuration and handed to the backends. Plain data and parsing, no I/O.
//
//   sqlite://PATH                                 PATH as written (sqlite:///abs/path, sqlite://relative.db)
//   mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE  port 3306 by default
//   redis://[:PASSWORD@]HOST[:PORT][/DB]          port 6379 and db 0 by default
//
// USER and PASSWORD are percent-decoded (write '@' as %40, ':' in a user name as %3A); the last
// '@' ends them, so a password may also contain a raw '@' or '/'. HOST is a name, an IPv4
// address or a bracketed IPv6 address. A failed parse answers a reason for a human that never
// contains the password (nor the URL, which carries it).

#include <boost/system/result.hpp>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace wx::store {

struct SqliteConfig {
    std::string path;
};

struct MysqlConfig {
    std::string user;
    std::string password;  // never logged, never in an error message
    std::string host;
    std::uint16_t port = 3306;
    std::string database;
};

using DatabaseConfig = std::variant<SqliteConfig, MysqlConfig>;

struct RedisConfig {
    std::string host;
    std::uint16_t port = 6379;
    std::string password;  // never logged, never in an error message; empty: no AUTH
    int db = 0;
};

// The error is a human reason without the password. (No throw_exception_from_error exists for
// std::string, so read a value with * or ->, not value().)
template <class T>
using ParseResult = boost::system::result<T, std::string>;

namespace detail {

// An error reason for any ParseResult<T>. Spelled out because the configs are aggregates, which
// C++20 lets a std::string construct, so a bare string would not be taken as the error.
struct Failure {
    std::string reason;
    template <class T>
    operator ParseResult<T>() && {  // NOLINT(google-explicit-constructor): used as `return Failure{...}`
        return {boost::system::in_place_error, std::move(reason)};
    }
};

// RFC 3986 percent-decoding; nullopt for a '%' not followed by two hex digits.
inline std::optional<std::string> percent_decode(std::string_view in) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return std::nullopt;
        int const hi = hex(in[i + 1]);
        int const lo = hex(in[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

// Digits only, within [min, max].
inline bool parse_number(std::string_view s, long long min, long long max, long long& out) {
    if (s.empty() || s.size() > 18) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size() && out >= min && out <= max;
}

struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};

// HOST[:PORT] with HOST a name, an IPv4 address or [IPv6]; `port` is kept when none is given.
inline ParseResult<HostPort> parse_host_port(std::string_view s, std::uint16_t port) {
    HostPort out{{}, port};
    std::string_view rest;
    if (!s.empty() && s.front() == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos) return detail::Failure{"an IPv6 host needs its closing ']'"};
        out.host = std::string{s.substr(1, close - 1)};
        rest = s.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return detail::Failure{"only :PORT may follow a bracketed IPv6 host"};
    } else {
        auto colon = s.find(':');
        out.host = std::string{s.substr(0, colon)};
        rest = colon == std::string_view::npos ? std::string_view{} : s.substr(colon);
    }
    if (out.host.empty()) return detail::Failure{"the host is missing"};
    for (char c : out.host)
        if (static_cast<unsigned char>(c) <= 0x20 || c == '%' || c == '@' || c == '/' || c == '?' || c == '#' ||
            c == '[' || c == ']')
            return detail::Failure{"the host has a character that is not allowed"};
    if (!rest.empty()) {
        long long n = 0;
        if (!parse_number(rest.substr(1), 1, 65535, n))
            return detail::Failure{"the port must be a number from 1 to 65535"};
        out.port = static_cast<std::uint16_t>(n);
    }
    return out;
}

inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace detail

[[nodiscard]] inline ParseResult<SqliteConfig> parse_sqlite_url(std::string_view url) {
    constexpr std::string_view kScheme = "sqlite://";
    if (!detail::starts_with(url, kScheme)) return detail::Failure{"must start with sqlite://"};
    if (url.size() == kScheme.size()) return detail::Failure{"sqlite:// needs a file path"};
    return SqliteConfig{std::string{url.substr(kScheme.size())}};
}

[[nodiscard]] inline ParseResult<MysqlConfig> parse_mysql_url(std::string_view url) {
    constexpr std::string_view kScheme = "mysql://";
    if (!detail::starts_with(url, kScheme)) return detail::Failure{"must start with mysql://"};
    std::string_view rest = url.substr(kScheme.size());
    auto at = rest.rfind('@');
    if (at == std::string_view::npos) return detail::Failure{"needs a user: mysql://USER:PASSWORD@HOST:PORT/DATABASE"};
    std::string_view userinfo = rest.substr(0, at);
    std::string_view location = rest.substr(at + 1);

    MysqlConfig out;
    auto colon = userinfo.find(':');
    auto user = detail::percent_decode(userinfo.substr(0, colon));
    if (!user) return detail::Failure{"the user name has a '%' that is not a %-escape (write % as %25)"};
    if (user->empty()) return detail::Failure{"the user name is empty"};
    out.user = std::move(*user);
    if (colon != std::string_view::npos) {
        auto password = detail::percent_decode(userinfo.substr(colon + 1));
        if (!password) return detail::Failure{"the password has a '%' that is not a %-escape (write % as %25)"};
        out.password = std::move(*password);
    }

    auto slash = location.find('/');
    if (slash == std::string_view::npos)
        return detail::Failure{"needs a database: mysql://USER:PASSWORD@HOST:PORT/DATABASE"};
    auto host = detail::parse_host_port(location.substr(0, slash), out.port);
    if (!host) return detail::Failure{host.error()};
    out.host = std::move(host->host);
    out.port = host->port;
    std::string_view database = location.substr(slash + 1);
    if (database.empty()) return detail::Failure{"the database name is empty"};
    if (database.find_first_of("/?#%") != std::string_view::npos)
        return detail::Failure{"the database name may not contain '/', '?', '#' or '%' (no query parameters)"};
    out.database = std::string{database};
    return out;
}

[[nodiscard]] inline ParseResult<DatabaseConfig> parse_database_url(std::string_view url) {
    if (detail::starts_with(url, "sqlite://")) {
        auto sqlite = parse_sqlite_url(url);
        if (!sqlite) return detail::Failure{sqlite.error()};
        return DatabaseConfig{std::move(*sqlite)};
    }
    if (detail::starts_with(url, "mysql://")) {
        auto mysql = parse_mysql_url(url);
        if (!mysql) return detail::Failure{mysql.error()};
        return DatabaseConfig{std::move(*mysql)};
    }
    return detail::Failure{"must start with sqlite:// or mysql://"};
}

[[nodiscard]] inline ParseResult<RedisConfig> parse_redis_url(std::string_view url) {
    constexpr std::string_view kScheme = "redis://";
    if (!detail::starts_with(url, kScheme)) return detail::Failure{"must start with redis://"};
    std::string_view rest = url.substr(kScheme.size());
    RedisConfig out;
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        if (userinfo.empty() || userinfo.front() != ':')
            return detail::Failure{"a user name is not supported: redis://:PASSWORD@HOST:PORT/DB"};
        auto password = detail::percent_decode(userinfo.substr(1));
        if (!password) return detail::Failure{"the password has a '%' that is not a %-escape (write % as %25)"};
        out.password = std::move(*password);
        rest = rest.substr(at + 1);
    }
    auto slash = rest.find('/');
    auto host = detail::parse_host_port(rest.substr(0, slash), out.port);
    if (!host) return detail::Failure{host.error()};
    out.host = std::move(host->host);
    out.port = host->port;
    if (slash != std::string_view::npos && slash + 1 < rest.size()) {
        long long db = 0;
        if (!detail::parse_number(rest.substr(slash + 1), 0, 1'000'000, db))
            return detail::Failure{"the database must be a number from 0 to 1000000"};
        out.db = static_cast<int>(db);
    }
    return out;
}

}  // namespace wx::store
