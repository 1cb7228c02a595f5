#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/blocking_pool.hpp"
#include "core/task.hpp"
#include "store/idle_connections.hpp"
#include "store/redis_connection.hpp"
#include "store/store_config.hpp"

namespace wx::store {

// A Lua script and its SHA-1, for EVALSHA (EVAL when Redis answers NOSCRIPT, e.g. after it
// restarted empty: EVAL caches the script again).
class RedisScript {
public:
    explicit RedisScript(std::string text);
    [[nodiscard]] std::string const& text() const { return text_; }
    [[nodiscard]] std::string const& sha1() const { return sha1_; }

private:
    std::string text_;
    std::string sha1_;  // lower-case hex
};

// Redis as the shared-state seams use it: commands and scripts as Task<result<RedisReply>>, each
// run on the blocking pool (never on the caller's I/O thread) over a connection leased from a
// small pool. A connection that failed is thrown away and the next command reconnects; for
// RedisOptions::retry_after after a failure, commands fail at once so that an outage costs each
// caller nothing but the fallback, and after that one command at a time tries Redis again. Every key goes through
// key(), under the configured prefix. Outages are logged once when they start ("redis_unavailable") and once when they
// end. Thread safety: all member functions may be called concurrently.
class RedisClient {
public:
    enum class State { unknown, up, down };  // unknown: nothing tried yet

    // Connects lazily: constructing it never fails nor blocks.
    RedisClient(RedisConfig config, RedisOptions options, BlockingPool& pool);
    RedisClient(RedisClient const&) = delete;
    RedisClient& operator=(RedisClient const&) = delete;

    Task<result<RedisReply>> command(std::vector<std::string> args);
    Task<result<RedisReply>> eval(RedisScript const& script,
                                  std::vector<std::string> keys,
                                  std::vector<std::string> args);
    // A PING now, for /readyz: true when Redis answered.
    Task<bool> ping();

    // The name under the prefix.
    [[nodiscard]] std::string key(std::string_view name) const;
    // The outcome of the last command (for /readyz without a round trip, and metrics).
    [[nodiscard]] State state() const { return state_.load(std::memory_order_acquire); }
    [[nodiscard]] bool up() const { return state() == State::up; }
    // Connection-level failures so far (refused, lost, timed out), for metrics.
    [[nodiscard]] std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

    [[nodiscard]] RedisConfig const& config() const { return config_; }
    [[nodiscard]] RedisOptions const& options() const { return options_; }

    // The blocking calls behind command() and eval(), for code already on a blocking thread.
    result<RedisReply> command_now(std::vector<std::string> const& args);
    result<RedisReply> eval_now(RedisScript const* script,
                                std::vector<std::string> const& keys,
                                std::vector<std::string> const& args);

private:
    using Connections = IdleConnections<RedisConnection>;
    result<RedisReply> with_connection(std::vector<std::string>& args, RedisScript const* script);
    result<Connections::Lease> take_connection();
    result<std::unique_ptr<RedisConnection>> open();
    void succeeded();
    void failed(std::string_view why);

    RedisConfig config_;
    RedisOptions options_;
    BlockingPool& pool_;
    Connections connections_;
    std::atomic<State> state_{State::unknown};
    std::atomic<std::int64_t> retry_at_{0};  // steady_clock nanoseconds; before it, fail at once
    std::atomic<bool> probing_{false};       // a command is trying a Redis that was down
    std::atomic<std::uint64_t> failures_{0};
};

}  // namespace wx::store
