#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/task.hpp"
#include "store/redis_client.hpp"

namespace wx::store {

// The channels of the feed, under the prefix: revoked sessions, and users whose cached copies
// must go. Both carry changes the database has already recorded.
inline constexpr std::string_view kRevocationChannel = "revocations";
inline constexpr std::string_view kUserChannel = "users";

struct RedisFeedOptions {
    // A subscribed connection is silent while nothing happens, so the subscriber PINGs it: a
    // connection that answers nothing for dead_after is given up and replaced.
    std::chrono::milliseconds ping_interval{500};
    std::chrono::milliseconds dead_after{1500};
    // Reconnection waits, doubling from the first to the cap while Redis stays away.
    std::chrono::milliseconds first_backoff{50};
    std::chrono::milliseconds max_backoff{1000};
};

// The fast channel between instances (DESIGN.md "Scale-out"): pub/sub on Redis, read by one
// subscriber thread with its own blocking connection (hiredis 0.14 has no Asio adapter), which
// hands every other instance's message to the listeners of its channel within milliseconds and
// reconnects by itself, with backoff, whenever the connection is lost.
//
// Pub/sub rather than a Stream: no memory in Redis, no trimming, no ids to keep; its weakness —
// a subscriber that is not connected misses what is published meanwhile, and nothing is replayed
// — is one the subscriber always knows about (it knows when it was not subscribed), and one the
// database change log covers: every message here repeats a change already committed there, which
// every instance polls. So a lost message costs propagation speed, never correctness; listeners
// hear of each (re)subscription, after which anything older may have been missed.
//
// Messages carry the publishing instance's id; an instance does not hear its own.
// Thread safety: all member functions may be called concurrently; listeners run on the
// subscriber thread, one at a time, and must be quick (they update in-memory state).
class RedisFeed {
public:
    struct Listener {
        std::function<void(std::string_view body)> message;
        // Subscribed (again): messages published before now may have been missed.
        std::function<void()> subscribed;
    };

    // Unregisters its listener when it ends, waiting for a call in progress to return.
    class Subscription {
    public:
        Subscription() = default;
        Subscription(Subscription&& other) noexcept;
        Subscription& operator=(Subscription&& other) noexcept;
        ~Subscription();

    private:
        friend class RedisFeed;
        Subscription(RedisFeed* feed, std::uint64_t id) : feed_(feed), id_(id) {}
        RedisFeed* feed_ = nullptr;
        std::uint64_t id_ = 0;
    };

    // Uses the client's configuration for its own connection and the client to publish.
    explicit RedisFeed(RedisClient& client, RedisFeedOptions options = {});
    RedisFeed(RedisFeed const&) = delete;
    RedisFeed& operator=(RedisFeed const&) = delete;
    ~RedisFeed();  // stop()

    // Starts the subscriber thread. Idempotent.
    void start();
    // Stops and joins it (within a connect timeout at worst). Idempotent.
    void stop();

    // `channel` is kRevocationChannel or kUserChannel (std::invalid_argument otherwise).
    [[nodiscard]] Subscription listen(std::string_view channel, Listener listener);
    // To every other instance; false when Redis did not take it (the caller's change stays in the
    // database change log, which is the record).
    Task<bool> publish(std::string_view channel, std::string body);

    // Since when the subscription has been live without interruption; nullopt while it is not.
    [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> connected_since() const;
    [[nodiscard]] bool connected() const { return connected_since().has_value(); }
    [[nodiscard]] std::string const& instance_id() const { return instance_id_; }
    // Messages from other instances handed to listeners so far (for metrics and tests).
    [[nodiscard]] std::uint64_t received() const { return received_.load(std::memory_order_relaxed); }
    // Subscriptions made so far, the first included (for metrics and tests).
    [[nodiscard]] std::uint64_t subscriptions() const { return subscriptions_.load(std::memory_order_relaxed); }

private:
    struct Entry {
        std::uint64_t id;
        std::string channel;
        Listener listener;
    };
    void unlisten(std::uint64_t id);
    void run();
    // Serves one connection until it fails or stop() is called.
    void serve(RedisConnection& conn);
    void handle(RedisReply const& reply, std::size_t& confirmed);
    void dispatch(std::string_view channel, std::string_view payload);
    void announce_subscribed();
    // Sleeps up to `d`, or less when stop() is called; false when it was.
    bool pause(std::chrono::milliseconds d);

    RedisClient& client_;
    RedisFeedOptions options_;
    std::string instance_id_;
    std::vector<std::string> channels_;  // full names, under the prefix

    std::mutex listeners_mutex_;
    std::vector<Entry> listeners_;
    std::uint64_t next_id_ = 1;

    std::atomic<std::int64_t> connected_since_{0};  // steady_clock nanoseconds; 0: not connected
    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> subscriptions_{0};
    std::atomic<bool> stopping_{false};
    int wake_fd_ = -1;  // eventfd: stop() wakes the subscriber's poll()
    std::mutex thread_mutex_;
    std::thread thread_;
};

}  // namespace wx::store
