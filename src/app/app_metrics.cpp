#include "app/app_metrics.hpp"

#include <string>

namespace wx::app {
namespace {

using obs::CallbackMetric;
using Type = CallbackMetric::Type;

template <class Count>
double as_double(Count n) {
    return static_cast<double>(n);
}

}  // namespace

AppMetrics::AppMetrics(Sources src)
    : wechat_requests_(src.wechat.requests()), wechat_durations_(src.wechat.durations()) {
    auto add = [this](std::string name, std::string help, Type type, std::string label = {}) -> CallbackMetric& {
        return metrics_.emplace_back(std::move(name), std::move(help), type, std::move(label));
    };

    add("wxlogin_build_info", "Always 1; the version of this build is its label.", Type::gauge, "version")
        .sample(WX_VERSION, [] { return 1.0; });

    auto const& server = src.server;
    add("wxlogin_http_connections", "Live client connections.", Type::gauge).sample([&server] {
        return as_double(server.live_connections());
    });
    auto const& blocking = src.blocking;
    add("wxlogin_blocking_in_flight", "Blocking calls (database, Redis) queued or running on the pool.", Type::gauge)
        .sample([&blocking] { return as_double(blocking.in_flight()); });
    add("wxlogin_blocking_capacity", "Blocking calls the pool takes before it sheds load with 503.", Type::gauge)
        .sample([&blocking] { return as_double(blocking.capacity()); });
    add("wxlogin_blocking_rejected_total", "Blocking calls refused because the pool was full (503 overloaded).",
        Type::counter)
        .sample([&blocking] { return as_double(blocking.rejected()); });
    auto const& hashing = src.hasher.pool();
    add("wxlogin_password_hashes_in_flight", "Password hashes queued or running on the hashing pool.", Type::gauge)
        .sample([&hashing] { return as_double(hashing.in_flight()); });
    add("wxlogin_password_hashes_rejected_total", "Password hashes refused because the hashing pool was full.",
        Type::counter)
        .sample([&hashing] { return as_double(hashing.rejected()); });
    auto const& revocations = src.revocations;
    add("wxlogin_revoked_sessions", "Revoked sessions held in memory until their access tokens expire.", Type::gauge)
        .sample([&revocations] { return as_double(revocations.size()); });

    auto const& users = src.users;
    auto& janitor = src.janitor;
    add("wxlogin_janitor_rows_deleted_total", "Rows the janitor deleted, by table.", Type::counter, "table")
        .sample("sessions", [&janitor] { return as_double(janitor.sessions_deleted()); })
        .sample("refresh_tokens", [&janitor] { return as_double(janitor.refresh_tokens_deleted()); });
    auto& lookups = add("wxlogin_user_cache_lookups_total",
                        "User lookups of authenticated requests: hit (this process), shared_hit (Redis), miss "
                        "(loaded from the database).",
                        Type::counter, "result");
    lookups.sample("hit", [&users] { return as_double(users.stats().hits); });
    lookups.sample("shared_hit", [&users] { return as_double(users.stats().shared_hits); });
    lookups.sample("miss", [&users] { return as_double(users.stats().misses); });

    if (src.backend.pool_stats()) {  // MySQL: a connection pool
        auto const& backend = src.backend;
        auto& connections = add("wxlogin_db_pool_connections", "Database connections of this instance, by state.",
                                Type::gauge, "state");
        connections.sample("in_use", [&backend] { return as_double(backend.pool_stats()->in_use); });
        connections.sample("idle", [&backend] { return as_double(backend.pool_stats()->idle); });
        add("wxlogin_db_pool_max_connections", "WXLOGIN_DB_POOL_SIZE: the most connections the pool opens.",
            Type::gauge)
            .sample([size = src.db_pool_size] { return as_double(size); });
        add("wxlogin_db_pool_waiting", "Callers waiting for a free database connection.", Type::gauge)
            .sample([&backend] { return as_double(backend.pool_stats()->waiting); });
        add("wxlogin_db_pool_opened_total", "Database connections opened since the start.", Type::counter)
            .sample([&backend] { return as_double(backend.pool_stats()->opened); });
    }

    if (auto const* redis = src.shared.redis()) {
        add("wxlogin_redis_up", "0 from a failed Redis command until one succeeds again, else 1.", Type::gauge)
            .sample([redis] { return redis->state() == store::RedisClient::State::down ? 0.0 : 1.0; });
        add("wxlogin_redis_failures_total", "Redis commands that failed (unreachable, timed out, refused).",
            Type::counter)
            .sample([redis] { return as_double(redis->failures()); });
    }

    auto const& breaker = src.breaker;
    add("wxlogin_wechat_breaker_state", "The WeChat circuit breaker: 0 closed, 1 half-open, 2 open.", Type::gauge)
        .sample([&breaker] {
            switch (breaker.state()) {
                case wechat::CircuitBreaker::State::closed:
                    return 0.0;
                case wechat::CircuitBreaker::State::half_open:
                    return 1.0;
                case wechat::CircuitBreaker::State::open:
                    return 2.0;
            }
            return 0.0;
        });
    add("wxlogin_wechat_breaker_trips_total", "Times the WeChat circuit breaker opened.", Type::counter)
        .sample([&breaker] { return as_double(breaker.trips()); });
    add("wxlogin_wechat_breaker_refusals_total", "Calls the open breaker refused without calling WeChat.",
        Type::counter)
        .sample([&breaker] { return as_double(breaker.refusals()); });

    auto const& tokens = src.access_tokens;
    auto& fetches = add("wxlogin_wechat_access_token_fetches_total",
                        "Access-token refreshes: fetched from WeChat, failed, or shared (another instance's "
                        "fresh token used instead of a fetch).",
                        Type::counter, "outcome");
    fetches.sample("fetched", [&tokens] { return as_double(tokens.fetch_counts().fetched); });
    fetches.sample("failed", [&tokens] { return as_double(tokens.fetch_counts().failed); });
    fetches.sample("shared", [&tokens] { return as_double(tokens.fetch_counts().shared); });

    auto& limited =
        add("wxlogin_rate_limited_total", "Requests refused 429 rate_limited, by limit.", Type::counter, "limit");
    for (auto const* limit : src.rate_limits)
        limited.sample(limit->kind(), [limit] { return as_double(limit->refused()); });
}

void AppMetrics::register_with(obs::MetricsRegistry& registry) const {
    for (auto const& m : metrics_) registry.add(m);
    registry.add(wechat_requests_);
    registry.add(wechat_durations_);
    registry.add(process_);
}

}  // namespace wx::app
