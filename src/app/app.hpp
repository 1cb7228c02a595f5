#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "api/account_api.hpp"
#include "api/admin_api.hpp"
#include "api/audit.hpp"
#include "api/auth_api.hpp"
#include "api/jwks_api.hpp"
#include "api/ops_api.hpp"
#include "api/password_api.hpp"
#include "api/password_check.hpp"
#include "api/require_auth.hpp"
#include "api/require_role.hpp"
#include "api/sessions_api.hpp"
#include "api/token_issuer.hpp"
#include "api/user_wechat_api.hpp"
#include "api/users_api.hpp"
#include "app/app_metrics.hpp"
#include "app/config.hpp"
#include "app/late_bound_wechat.hpp"
#include "app/shared_state.hpp"
#include "auth/data_cipher.hpp"
#include "auth/jwt.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password_hasher.hpp"
#include "auth/rate_limiter.hpp"
#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "core/io_pool.hpp"
#include "http/middleware/access_log.hpp"
#include "http/middleware/forwarded_for.hpp"
#include "http/middleware/parse_query.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "obs/metrics.hpp"
#include "sim/simulator.hpp"
#include "sim/wechat_sim_api.hpp"
#include "store/account_lifecycle.hpp"
#include "store/backend.hpp"
#include "store/change_feed.hpp"
#include "store/change_log.hpp"
#include "store/janitor.hpp"
#include "store/session_store.hpp"
#include "store/user_store.hpp"
#include "store/wechat_identity_store.hpp"

namespace wx::app {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread it starts later, so
// that only App::run()'s sigwait() receives them. Call first thing in main, before any thread exists.
void block_shutdown_signals();
// Waits for SIGTERM or SIGINT (blocked by block_shutdown_signals), logs it, returns it. Each
// SIGHUP meanwhile calls `on_hangup` (when given; otherwise it is ignored) and the wait goes on.
int wait_for_shutdown_signal(std::function<void()> const& on_hangup = {});

// The composition root: owns every component in dependency order (members are constructed top to
// bottom and destroyed bottom to top, so the server stops before what it uses).
// Thread safety: start()/shutdown() from one controlling thread.
class App {
public:
    // `clock` is the wall clock for tokens, sessions, lockouts and the embedded simulator's codes
    // and access tokens (main passes its SystemClock, tests a TestClock to move time). It must
    // outlive the App.
    App(Config cfg, Clock const& clock);
    App(App const&) = delete;
    App& operator=(App const&) = delete;
    ~App();

    // Binds the listener and starts the I/O threads. Throws std::runtime_error on failure.
    void start();
    [[nodiscard]] std::uint16_t port() const { return server_.port(); }
    // SIGHUP: HTTPS re-reads its certificate and key (http::Server::reload_tls). True when taken.
    bool reload_tls() { return server_.reload_tls(); }
    // Readiness turns 503, the listener closes, requests in flight finish (up to the grace
    // period), then every thread stops. Idempotent.
    void shutdown();
    // start(), then block until SIGTERM or SIGINT, then shutdown(). Returns the exit status.
    int run();

    [[nodiscard]] Config const& config() const { return cfg_; }
    // For tests: counts the Argon2id runs, so that each login path can be shown to pay one.
    [[nodiscard]] auth::PasswordHasher const& password_hasher() const { return hasher_; }
    // For tests: one janitor run now, rather than on its timer.
    [[nodiscard]] store::Janitor& janitor() { return janitor_; }

private:
    void add_routes();
    [[nodiscard]] std::vector<http::Middleware const*> global_middleware() const;
    void restore_revocations();
    Task<bool> database_ready();

    Config cfg_;
    Clock const& clock_;
    IoPool io_;
    BlockingPool blocking_;
    std::unique_ptr<store::Backend> backend_;
    store::UserStore accounts_;
    store::WeChatIdentityStore identities_;
    store::SessionStore sessions_;
    store::AccountLifecycle lifecycle_;
    // The shared-state seams, in this process or in Redis as configured (see SharedState).
    SharedState shared_;
    store::RevocationList& revocations_;
    store::UserCache& users_;
    store::ChangeLog change_log_;
    store::ChangeFeed change_feed_;
    store::Janitor janitor_;
    auth::DataCipher cipher_;
    auth::JwtCodec jwt_;
    api::TokenIssuer issuer_;
    auth::PasswordHasher hasher_;
    auth::LoginThrottle throttle_;
    auth::RateLimiter wechat_login_limit_;
    auth::RateLimiter register_limit_;
    LateBoundWeChat wechat_;
    wechat::MeteredWeChat metered_wechat_;  // counts and times what reaches WeChat
    wechat::CircuitBreaker breaker_;
    wechat::BreakerWeChat guarded_wechat_;  // what everything but the late binding uses
    wechat::AccessTokenCache access_tokens_;
    obs::MetricsRegistry registry_;
    obs::HttpMetrics http_metrics_;
    obs::CounterFamily auth_events_;
    api::Audit audit_;
    api::PasswordCheck password_check_;
    http::ForwardedFor forwarded_for_;
    http::AccessLog access_log_;
    http::ErrorGuard error_guard_;
    api::RequireAuth require_auth_;
    api::RequireRole require_admin_{"admin"};
    http::ParseQuery parse_query_;
    api::OpsApi ops_;
    api::AuthApi auth_api_;
    api::PasswordApi password_api_;
    api::UsersApi users_api_;
    api::SessionsApi sessions_api_;
    api::JwksApi jwks_api_;
    api::UserWeChatApi user_wechat_api_;
    api::AccountApi account_api_;
    api::AdminApi admin_api_;
    // serve --dev: the WeChat simulator on this very server (routes.cpp mounts it), its apps the
    // configured ones, so a newcomer can log in with two curl calls. Null otherwise.
    std::unique_ptr<sim::Simulator> simulator_;
    std::unique_ptr<sim::WeChatSimApi> simulator_api_;
    http::Router router_;
    http::Server server_;
    AppMetrics metrics_;  // the rest of /metrics, read from the components above
    std::atomic<bool> stopped_{false};
};

}  // namespace wx::app
