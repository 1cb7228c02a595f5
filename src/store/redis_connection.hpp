#pragma once
// One hiredis connection (libhiredis 0.14.1: blocking, RESP2, no TLS), and the reply and error
// types the Redis layer hands out. hiredis types never leave redis_connection.cpp.

#include <boost/system/error_category.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/task.hpp"
#include "store/store_config.hpp"

struct redisContext;

namespace wx::store {

enum class RedisErrc {
    unavailable = 1,   // cannot connect, connection lost, timed out, or Redis not serving (LOADING, ...)
    overloaded,        // the blocking pool is full
    error_reply,       // Redis answered an error to this command
    unexpected_reply,  // a reply of a shape the caller does not expect
};

[[nodiscard]] boost::system::error_category const& redis_category() noexcept;
[[nodiscard]] inline error_code make_error_code(RedisErrc e) noexcept {
    return {static_cast<int>(e), redis_category()};
}

}  // namespace wx::store

template <>
struct boost::system::is_error_code_enum<wx::store::RedisErrc> : std::true_type {};

namespace wx::store {

// A RESP2 reply as plain data, so that it can cross from a pool thread to the caller.
struct RedisReply {
    enum class Type { nil, integer, string, status, error, array };
    Type type = Type::nil;
    long long integer = 0;
    std::string str;  // string, status, error
    std::vector<RedisReply> elements;

    [[nodiscard]] bool is_nil() const { return type == Type::nil; }
    [[nodiscard]] bool is_string() const { return type == Type::string; }
    [[nodiscard]] bool is_integer() const { return type == Type::integer; }
    [[nodiscard]] bool is_array() const { return type == Type::array; }
};

// How to reach Redis beyond its URL (WXLOGIN_REDIS_URL) and where our names live in it.
struct RedisOptions {
    // Every key and pub/sub channel starts with it (WXLOGIN_REDIS_PREFIX), so that several
    // deployments can share one Redis; pub/sub ignores the /db number, hence a prefix, not a db.
    std::string prefix = "wxlogin:";
    // Bounds on each blocking call, so that no call can hang on a dead or black-holed Redis. (The
    // host name is resolved by getaddrinfo, which these do not bound: prefer an address or a
    // local resolver.)
    std::chrono::milliseconds connect_timeout{500};
    std::chrono::milliseconds command_timeout{500};
    // Connections kept open between commands.
    std::size_t max_idle = 8;
    // After a connection failure, commands fail at once for this long instead of each waiting for
    // its own connect timeout; the first one after it reconnects.
    std::chrono::milliseconds retry_after{200};
};

// One blocking connection, authenticated and on its database. After an I/O error or a timeout
// it is broken() and must be thrown away (hiredis contexts cannot be reused after an error).
// Thread safety: none; one thread at a time.
class RedisConnection {
public:
    // Connects within options.connect_timeout, sets the command timeout and TCP keep-alive, then
    // AUTH (when config.password is set) and SELECT (when config.db is not 0). On failure `why`
    // receives a reason for the log, never the password.
    static result<std::unique_ptr<RedisConnection>> open(RedisConfig const& config,
                                                         RedisOptions const& options,
                                                         std::string* why = nullptr);
    RedisConnection(RedisConnection const&) = delete;
    RedisConnection& operator=(RedisConnection const&) = delete;
    ~RedisConnection();

    // One command (binary-safe arguments), one reply. An error reply is a reply, not an error:
    // the result fails only when the connection did (and then broken() is true).
    result<RedisReply> run(std::span<std::string const> args);

    // For a subscriber: queue and write a command without waiting for its reply,
    [[nodiscard]] result<void> send(std::span<std::string const> args);
    // read what the socket holds now (call when poll() says readable; never blocks then),
    [[nodiscard]] result<void> receive();
    // and take one complete reply out of what was read, if there is one.
    [[nodiscard]] result<std::optional<RedisReply>> next_reply();
    [[nodiscard]] int fd() const;

    [[nodiscard]] bool broken() const { return broken_; }
    // The hiredis reason of the failure that broke it.
    [[nodiscard]] std::string const& failure() const { return failure_; }
    // True when an idle connection has something to read: the server closed it (restart,
    // timeout) or sent what nobody asked for. Such a connection is thrown away before use.
    [[nodiscard]] bool closed_while_idle() const;

private:
    explicit RedisConnection(redisContext* context) : context_(context) {}
    error_code fail();

    redisContext* context_;
    bool broken_ = false;
    std::string failure_;
};

// Redis error replies that mean "not serving right now" rather than "bad command".
[[nodiscard]] bool is_unavailable_reply(std::string_view error) noexcept;

}  // namespace wx::store
