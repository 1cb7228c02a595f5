#pragma once
// One wxlogin instance's Redis plumbing, as the App will own it: a blocking pool, a client and a
// started feed, over a test server. Seams built on it are declared after it, so they go first.

#include <chrono>

#include "core/blocking_pool.hpp"
#include "store/redis_client.hpp"
#include "store/redis_feed.hpp"
#include "support/redis_server.hpp"

namespace wx::test {

// Short waits, so that a test sees an outage and a recovery in milliseconds.
inline store::RedisOptions test_redis_options() {
    store::RedisOptions o;
    o.connect_timeout = std::chrono::milliseconds{200};
    o.command_timeout = std::chrono::milliseconds{500};
    o.retry_after = std::chrono::milliseconds{20};
    return o;
}

inline store::RedisFeedOptions test_feed_options() {
    store::RedisFeedOptions o;
    o.first_backoff = std::chrono::milliseconds{10};
    o.max_backoff = std::chrono::milliseconds{100};
    return o;
}

// Thread safety: as its parts.
struct RedisInstance {
    explicit RedisInstance(RedisServer const& server, store::RedisOptions options = test_redis_options())
        : client(server.config(), std::move(options), pool) {
        feed.start();
    }

    BlockingPool pool{"redis", 2, 256};
    store::RedisClient client;
    store::RedisFeed feed{client, test_feed_options()};
};

}  // namespace wx::test
