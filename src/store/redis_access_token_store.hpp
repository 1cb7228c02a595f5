#pragma once

#include <map>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "store/access_token_store.hpp"
#include "store/redis_client.hpp"

namespace wx::store {

// The AccessTokenStore every instance shares. Under the prefix:
//   wechat-token:APP_ID   "EXPIRES_AT REFRESH_AT TOKEN", expiring (PX) when the token does
//   wechat-claim:APP_ID   "UNTIL CLAIM" — the fetch claim, with a random claim token per claim,
//                         expiring (PX) after the hold
// discard() and release_fetch() are compare-and-delete scripts (never a blind DEL): a token or a
// claim someone else put there meanwhile survives. The claim is SET NX PX made a script so that it
// also lapses by the callers' clock (`now` + hold), as the seam's contract says.
//
// Failure mode: a miss falls through. While Redis cannot be reached, load() answers nullopt (the
// caller fetches from WeChat itself), claim_fetch() grants the claim, save() and discard() do
// nothing. The Redis client logs the outage once, not each call.
// Thread safety: all member functions may be called concurrently.
class RedisAccessTokenStore final : public AccessTokenStore {
public:
    // `clock` turns expiry times into Redis expiries; the callers' clock.
    RedisAccessTokenStore(RedisClient& redis, Clock const& clock);

    Task<std::optional<StoredAccessToken>> load(std::string app_id) override;
    Task<void> save(std::string app_id, StoredAccessToken token) override;
    Task<bool> discard(std::string app_id, std::string token) override;
    Task<bool> claim_fetch(std::string app_id, std::int64_t now, std::int64_t hold_seconds) override;
    Task<void> release_fetch(std::string app_id) override;

private:
    [[nodiscard]] std::string token_key(std::string_view app_id) const;
    [[nodiscard]] std::string claim_key(std::string_view app_id) const;

    RedisClient& redis_;
    Clock const& clock_;
    RedisScript const discard_;
    RedisScript const claim_;
    RedisScript const release_;
    std::mutex mutex_;
    std::map<std::string, std::string, std::less<>> claims_;  // app id -> the claim value we hold
};

}  // namespace wx::store
