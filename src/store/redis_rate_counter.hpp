#pragma once

#include <string>

#include "store/in_process_rate_counter.hpp"
#include "store/rate_counter.hpp"
#include "store/redis_client.hpp"

namespace wx::store {

// The RateCounter of an instance among several: one Redis key per key and window
// (`rate:KEY:WINDOW_START`), INCR and its expiry in one script, so every instance counts into the
// same window. Fails open: while Redis is unreachable each instance counts alone.
// Thread safety: all member functions may be called concurrently.
class RedisRateCounter final : public RateCounter {
public:
    explicit RedisRateCounter(RedisClient& redis);

    Task<WindowCount> hit(std::string key, std::int64_t window_seconds, std::int64_t now) override;

private:
    RedisClient& redis_;
    RedisScript incr_;
    InProcessRateCounter fallback_;
};

}  // namespace wx::store
