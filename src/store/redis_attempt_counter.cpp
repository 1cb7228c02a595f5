#include "store/redis_attempt_counter.hpp"

#include <algorithm>
#include <charconv>

namespace wx::store {
namespace {

// KEYS[1] the key's hash; ARGV now, free failures, first lockout, max lockout, quiet period.
// The in-process charge, step for step (attempt_counter.hpp states the policy): while the key is
// locked, answers the seconds left and changes nothing; otherwise counts the failure and answers 0.
// One script, so that the check and the charge are one step for every instance. `d > 0` only
// guards the loop against a zero first lockout.
constexpr char const* kCharge = R"lua(
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local first = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local quiet = tonumber(ARGV[5])
local h = redis.call('HMGET', KEYS[1], 'n', 'last', 'until')
local n = tonumber(h[1]) or 0
local last = tonumber(h[2]) or now
local locked = tonumber(h[3]) or 0
if now - last >= quiet then
  n = 0
  locked = 0
end
if now < locked then return locked - now end
n = n + 1
if n >= free then
  local d = first
  local i = 0
  while i < n - free and d < cap and d > 0 do
    d = d * 2
    i = i + 1
  end
  if d > cap then d = cap end
  if now + d > locked then locked = now + d end
end
redis.call('HSET', KEYS[1], 'n', n, 'last', now, 'until', locked)
redis.call('EXPIRE', KEYS[1], quiet)
return 0
)lua";

// KEYS[1] the key's hash; ARGV free failures. One failure less; the lock goes when the count falls
// below the free failures (it was the taken-back attempt's). HSET keeps the key's expiry.
constexpr char const* kTakeBack = R"lua(
local n = tonumber(redis.call('HGET', KEYS[1], 'n'))
if not n then return 0 end
if n > 0 then n = n - 1 end
if n < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'n', n, 'until', 0)
else
  redis.call('HSET', KEYS[1], 'n', n)
end
return n
)lua";

std::optional<std::int64_t> as_int(RedisReply const& r) {
    if (!r.is_string()) return std::nullopt;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
    if (ec != std::errc{} || p != r.str.data() + r.str.size()) return std::nullopt;
    return v;
}

}  // namespace

RedisAttemptCounter::RedisAttemptCounter(RedisClient& redis, AttemptCounterConfig fallback)
    : redis_(redis), fallback_(fallback), charge_(kCharge), take_back_(kTakeBack) {}

std::string RedisAttemptCounter::redis_key(std::string_view key) const {
    std::string name = "attempts:";
    name.append(key);
    return redis_.key(name);
}

Task<std::int64_t> RedisAttemptCounter::locked_for(std::string key, LockoutPolicy policy, std::int64_t now) {
    std::int64_t const local = co_await fallback_.locked_for(key, policy, now);
    std::vector<std::string> args{"HMGET", redis_key(key), "last", "until"};
    auto r = co_await redis_.command(std::move(args));
    std::int64_t shared = 0;
    if (r && r->is_array() && r->elements.size() == 2) {
        auto const last = as_int(r->elements[0]);
        auto const until = as_int(r->elements[1]);
        if (last && until && now - *last < policy.quiet_period && now < *until) shared = *until - now;
    }
    co_return std::max(local, shared);
}

Task<std::int64_t> RedisAttemptCounter::charge(std::string key, LockoutPolicy policy, std::int64_t now) {
    // A lock earned here while Redis was away keeps holding after it returns.
    if (std::int64_t const local = co_await fallback_.locked_for(key, policy, now); local > 0) co_return local;
    std::vector<std::string> keys{redis_key(key)};
    std::vector<std::string> args{std::to_string(now), std::to_string(policy.free_failures),
                                  std::to_string(policy.first_lockout), std::to_string(policy.max_lockout),
                                  std::to_string(policy.quiet_period)};
    auto r = co_await redis_.eval(charge_, std::move(keys), std::move(args));
    if (r && r->is_integer()) co_return r->integer;
    co_return co_await fallback_.charge(std::move(key), policy, now);
}

Task<void> RedisAttemptCounter::take_back(std::string key, LockoutPolicy policy) {
    std::vector<std::string> keys{redis_key(key)};
    std::vector<std::string> args{std::to_string(policy.free_failures)};
    auto r = co_await redis_.eval(take_back_, std::move(keys), std::move(args));
    if (!r) co_await fallback_.take_back(std::move(key), policy);
}

Task<void> RedisAttemptCounter::clear(std::string key) {
    std::vector<std::string> args{"DEL", redis_key(key)};
    (void)co_await redis_.command(std::move(args));
    co_await fallback_.clear(std::move(key));  // a lock earned during an outage ends too
}

}  // namespace wx::store
