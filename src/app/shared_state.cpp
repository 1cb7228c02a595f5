#include "app/shared_state.hpp"

#include <variant>

#include "api/user_json.hpp"
#include "store/in_process_access_token_store.hpp"
#include "store/in_process_attempt_counter.hpp"
#include "store/in_process_rate_counter.hpp"
#include "store/in_process_revocation_list.hpp"
#include "store/in_process_user_cache.hpp"
#include "store/redis_access_token_store.hpp"
#include "store/redis_attempt_counter.hpp"
#include "store/redis_rate_counter.hpp"
#include "store/redis_revocation_list.hpp"
#include "store/redis_user_cache.hpp"

namespace wx::app {

SharedState::SharedState(Config const& cfg, store::UserStore& users, BlockingPool& pool, Clock const& clock) {
    if (cfg.redis) {
        redis_ =
            std::make_unique<store::RedisClient>(*cfg.redis, store::RedisOptions{.prefix = cfg.redis_prefix}, pool);
        feed_ = std::make_unique<store::RedisFeed>(*redis_);
        revocations_ = std::make_unique<store::RedisRevocationList>(
            clock, *feed_, store::RedisRevocationListOptions{.vouch_window = kVouchWindow});
        users_ = std::make_unique<store::RedisUserCache>(users, &api::render_user_json, clock,
                                                         store::RedisUserCacheConfig{}, *redis_, *feed_);
        attempts_ = std::make_unique<store::RedisAttemptCounter>(*redis_);
        access_tokens_ = std::make_unique<store::RedisAccessTokenStore>(*redis_, clock);
        rates_ = std::make_unique<store::RedisRateCounter>(*redis_);
        return;
    }
    // One SQLite file serves one instance: nobody else can revoke, so the list always vouches.
    bool const alone = std::holds_alternative<store::SqliteConfig>(cfg.database);
    revocations_ =
        std::make_unique<store::InProcessRevocationList>(clock, alone ? std::chrono::milliseconds{0} : kVouchWindow);
    users_ =
        std::make_unique<store::InProcessUserCache>(users, &api::render_user_json, clock, store::UserCacheConfig{});
    attempts_ = std::make_unique<store::InProcessAttemptCounter>();
    access_tokens_ = std::make_unique<store::InProcessAccessTokenStore>();
    rates_ = std::make_unique<store::InProcessRateCounter>();
}

SharedState::~SharedState() { stop(); }

void SharedState::start() {
    if (feed_) feed_->start();
}

void SharedState::stop() {
    if (feed_) feed_->stop();
}

Task<std::string> SharedState::redis_status() {
    if (!redis_) co_return "disabled";
    bool const up = co_await redis_->ping();
    co_return up ? "ok" : "down";
}

}  // namespace wx::app
