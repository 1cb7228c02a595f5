#pragma once

#include "store/attempt_counter.hpp"
#include "store/in_process_attempt_counter.hpp"
#include "store/redis_client.hpp"

namespace wx::store {

// The AttemptCounter every instance shares: one Redis hash per key ("attempts:" + key under the
// prefix: failures, last failure, locked until), changed by one Lua script per operation so that
// concurrent charges on several instances count exactly and cannot pass a lock together, and expiring after the quiet
// period. The algorithm is the in-process one (free failures, doubling lockout up to the cap, the quiet period,
// take-back, clear); times are the callers' `now`.
//
// Fails open: while Redis cannot be reached, failures are counted in this instance alone (an
// InProcessAttemptCounter), and a lock earned there keeps holding after Redis returns (locked_for()
// answers the longer of the two, and charge() asks the local copy first). Redis is used again from the first call that
// reaches it; nothing needs restarting. Thread safety: all member functions may be called concurrently.
class RedisAttemptCounter final : public AttemptCounter {
public:
    explicit RedisAttemptCounter(RedisClient& redis, AttemptCounterConfig fallback = {});

    Task<std::int64_t> locked_for(std::string key, LockoutPolicy policy, std::int64_t now) override;
    Task<std::int64_t> charge(std::string key, LockoutPolicy policy, std::int64_t now) override;
    Task<void> take_back(std::string key, LockoutPolicy policy) override;
    Task<void> clear(std::string key) override;

    // The per-instance counter used while Redis is away (for tests and metrics).
    [[nodiscard]] InProcessAttemptCounter const& fallback() const { return fallback_; }

private:
    [[nodiscard]] std::string redis_key(std::string_view key) const;

    RedisClient& redis_;
    InProcessAttemptCounter fallback_;
    RedisScript const charge_;
    RedisScript const take_back_;
};

}  // namespace wx::store
