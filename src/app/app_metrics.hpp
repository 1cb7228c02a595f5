#pragma once

#include <cstddef>
#include <vector>

#include "app/shared_state.hpp"
#include "auth/password_hasher.hpp"
#include "auth/rate_limiter.hpp"
#include "core/blocking_pool.hpp"
#include "http/server.hpp"
#include "obs/metrics.hpp"
#include "obs/process_metrics.hpp"
#include "store/backend.hpp"
#include "store/janitor.hpp"
#include "wechat/access_token_cache.hpp"
#include "wechat/circuit_breaker.hpp"
#include "wechat/metered_wechat.hpp"

namespace wx::app {

// Everything /metrics shows besides the HTTP metrics (which the router records) and the
// authentication events (which the APIs count): each read at scrape time from the figures the
// component keeps anyway, so none costs a request anything. The README lists them all.
// Thread safety: construct at start-up; the registry's scrapes may run on any thread.
class AppMetrics {
public:
    struct Sources {
        http::Server const& server;
        BlockingPool const& blocking;
        auth::PasswordHasher const& hasher;
        store::RevocationList const& revocations;
        store::UserCache const& users;
        store::Backend const& backend;
        store::Janitor const& janitor;
        std::size_t db_pool_size;  // WXLOGIN_DB_POOL_SIZE, shown beside the pool's figures
        SharedState const& shared;
        wechat::MeteredWeChat const& wechat;
        wechat::CircuitBreaker const& breaker;
        wechat::AccessTokenCache const& access_tokens;
        std::vector<auth::RateLimiter const*> rate_limits;
    };

    explicit AppMetrics(Sources sources);
    AppMetrics(AppMetrics const&) = delete;
    AppMetrics& operator=(AppMetrics const&) = delete;

    // Adds every collector, in a stable order.
    void register_with(obs::MetricsRegistry& registry) const;

private:
    std::vector<obs::CallbackMetric> metrics_;
    obs::Collector const& wechat_requests_;
    obs::Collector const& wechat_durations_;
    obs::ProcessMetrics process_;
};

}  // namespace wx::app
