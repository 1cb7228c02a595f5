#include "store/redis_rate_counter.hpp"

#include <algorithm>
#include <vector>

namespace wx::store {
namespace {

// KEYS[1] the window's key; ARGV[1] the window's length in seconds. The count so far; the first
// hit of a window sets its expiry, so a window's key lives no longer than the window.
constexpr char const* kIncrement = R"lua(
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
)lua";

}  // namespace

RedisRateCounter::RedisRateCounter(RedisClient& redis) : redis_(redis), incr_(kIncrement) {}

Task<WindowCount> RedisRateCounter::hit(std::string key, std::int64_t window_seconds, std::int64_t now) {
    window_seconds = std::max<std::int64_t>(window_seconds, 1);
    std::int64_t const start = now - now % window_seconds;
    std::vector<std::string> keys{redis_.key("rate:" + key + ":" + std::to_string(start))};
    std::vector<std::string> args{std::to_string(window_seconds)};
    auto r = co_await redis_.eval(incr_, std::move(keys), std::move(args));
    if (!r || !r->is_integer()) co_return co_await fallback_.hit(std::move(key), window_seconds, now);
    co_return WindowCount{static_cast<std::int64_t>(r->integer), start + window_seconds - now};
}

}  // namespace wx::store
