#pragma once

#include <memory>
#include <string>

#include "app/config.hpp"
#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/access_token_store.hpp"
#include "store/attempt_counter.hpp"
#include "store/rate_counter.hpp"
#include "store/redis_client.hpp"
#include "store/redis_feed.hpp"
#include "store/revocation_list.hpp"
#include "store/user_cache.hpp"
#include "store/user_store.hpp"

namespace wx::app {

// The state an instance shares with the others (DESIGN.md "Scale-out"), chosen by configuration
// alone — the code is the same for one instance and fifty:
//   - SQLite, no Redis: everything in this process (the SQLite file serves one instance);
//   - MySQL, no Redis: in-process counters and caches; revocations and user changes of the other
//     instances arrive through the database change log, and the revocation list fails closed
//     (503) when that channel has not caught up for kVouchWindow;
//   - Redis: the Redis implementations of every seam, with the change log as the safety net; the
//     revocation list fails closed only when neither channel vouches.
// Thread safety: the seams as documented by each; start()/stop() from the controlling thread.
class SharedState {
public:
    // How stale the channels may be before the revocation list stops vouching: the change feed
    // polls every 250 ms, a poll may take up to a query timeout; API.md promises 1 s.
    static constexpr std::chrono::milliseconds kVouchWindow{2000};

    SharedState(Config const& cfg, store::UserStore& users, BlockingPool& pool, Clock const& clock);
    SharedState(SharedState const&) = delete;
    SharedState& operator=(SharedState const&) = delete;
    ~SharedState();

    [[nodiscard]] store::RevocationList& revocations() { return *revocations_; }
    [[nodiscard]] store::UserCache& users() { return *users_; }
    [[nodiscard]] store::AttemptCounter& attempts() { return *attempts_; }
    [[nodiscard]] store::AccessTokenStore& access_tokens() { return *access_tokens_; }
    [[nodiscard]] store::RateCounter& rates() { return *rates_; }

    // The Redis subscriber thread, when there is Redis.
    void start();
    void stop();
    // For /readyz: "ok", "down" or "disabled".
    Task<std::string> redis_status();
    // The Redis client (for /metrics: whether its last command reached Redis), null without Redis.
    [[nodiscard]] store::RedisClient const* redis() const { return redis_.get(); }

private:
    std::unique_ptr<store::RedisClient> redis_;
    std::unique_ptr<store::RedisFeed> feed_;  // before the seams that listen to it
    std::unique_ptr<store::RevocationList> revocations_;
    std::unique_ptr<store::UserCache> users_;
    std::unique_ptr<store::AttemptCounter> attempts_;
    std::unique_ptr<store::AccessTokenStore> access_tokens_;
    std::unique_ptr<store::RateCounter> rates_;
};

}  // namespace wx::app
