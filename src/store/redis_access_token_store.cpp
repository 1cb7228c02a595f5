#include "store/redis_access_token_store.hpp"

#include <algorithm>
#include <charconv>
#include <random>

namespace wx::store {
namespace {

// KEYS[1] the token key; ARGV the token that failed. Deletes only that token.
constexpr char const* kDiscard = R"lua(
local v = redis.call('GET', KEYS[1])
if v and string.match(v, '^%-?%d+ %-?%d+ (.*)$') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
)lua";

// KEYS[1] the claim key; ARGV now, the new claim "UNTIL CLAIM", the hold in milliseconds. A claim
// is taken when there is none (SET NX) or when the holder's UNTIL has passed by the caller's clock.
constexpr char const* kClaim = R"lua(
local v = redis.call('GET', KEYS[1])
if v then
  local held_until = tonumber(string.match(v, '^(%-?%d+) '))
  if held_until and held_until > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
)lua";

// KEYS[1] the claim key; ARGV our claim. Deletes it only while it is still ours.
constexpr char const* kRelease = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua";

std::string random_claim() {
    std::random_device rd;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(32, '0');
    for (char& c : out) c = kHex[rd() & 0xf];
    return out;
}

// "EXPIRES_AT REFRESH_AT TOKEN"
std::optional<StoredAccessToken> parse_token(std::string_view v) {
    StoredAccessToken t;
    auto take_number = [&v](std::int64_t& out) {
        auto const space = v.find(' ');
        if (space == std::string_view::npos) return false;
        auto [p, ec] = std::from_chars(v.data(), v.data() + space, out);
        if (ec != std::errc{} || p != v.data() + space) return false;
        v.remove_prefix(space + 1);
        return true;
    };
    if (!take_number(t.expires_at) || !take_number(t.refresh_at)) return std::nullopt;
    t.token = std::string{v};
    return t;
}

}  // namespace

RedisAccessTokenStore::RedisAccessTokenStore(RedisClient& redis, Clock const& clock)
    : redis_(redis), clock_(clock), discard_(kDiscard), claim_(kClaim), release_(kRelease) {}

std::string RedisAccessTokenStore::token_key(std::string_view app_id) const {
    return redis_.key("wechat-token:" + std::string{app_id});
}

std::string RedisAccessTokenStore::claim_key(std::string_view app_id) const {
    return redis_.key("wechat-claim:" + std::string{app_id});
}

Task<std::optional<StoredAccessToken>> RedisAccessTokenStore::load(std::string app_id) {
    std::vector<std::string> args{"GET", token_key(app_id)};
    auto r = co_await redis_.command(std::move(args));
    if (!r || !r->is_string()) co_return std::nullopt;
    co_return parse_token(r->str);
}

Task<void> RedisAccessTokenStore::save(std::string app_id, StoredAccessToken token) {
    std::int64_t const ttl = std::max<std::int64_t>(token.expires_at - clock_.now(), 1);
    std::string value = std::to_string(token.expires_at) + ' ' + std::to_string(token.refresh_at) + ' ' + token.token;
    std::vector<std::string> args{"SET", token_key(app_id), std::move(value), "PX", std::to_string(ttl * 1000)};
    (void)co_await redis_.command(std::move(args));
}

Task<bool> RedisAccessTokenStore::discard(std::string app_id, std::string token) {
    std::vector<std::string> keys{token_key(app_id)};
    std::vector<std::string> args{std::move(token)};
    auto r = co_await redis_.eval(discard_, std::move(keys), std::move(args));
    co_return r && r->is_integer() && r->integer == 1;
}

Task<bool> RedisAccessTokenStore::claim_fetch(std::string app_id, std::int64_t now, std::int64_t hold_seconds) {
    std::string claim = std::to_string(now + hold_seconds) + ' ' + random_claim();
    std::vector<std::string> keys{claim_key(app_id)};
    std::vector<std::string> args{std::to_string(now), claim,
                                  std::to_string(std::max<std::int64_t>(hold_seconds, 1) * 1000)};
    auto r = co_await redis_.eval(claim_, std::move(keys), std::move(args));
    if (!r) co_return true;  // fail open: fetching twice beats not fetching
    if (!r->is_integer() || r->integer != 1) co_return false;
    std::lock_guard lock{mutex_};
    claims_[std::move(app_id)] = std::move(claim);
    co_return true;
}

Task<void> RedisAccessTokenStore::release_fetch(std::string app_id) {
    std::string claim;
    {
        std::lock_guard lock{mutex_};
        auto it = claims_.find(app_id);
        if (it == claims_.end()) co_return;  // granted while Redis was away: nothing to release
        claim = std::move(it->second);
        claims_.erase(it);
    }
    std::vector<std::string> keys{claim_key(app_id)};
    std::vector<std::string> args{std::move(claim)};
    (void)co_await redis_.eval(release_, std::move(keys), std::move(args));
}

}  // namespace wx::store
