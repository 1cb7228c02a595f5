#include "app/app.hpp"

#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

#include "api/user_json.hpp"
#include "app/database_factory.hpp"
#include "app/routes.hpp"
#include "core/sync_wait.hpp"
#include "obs/log.hpp"

namespace wx::app {

namespace {

// EdDSA with the key file's keys when one is configured, HS256 with the secret otherwise.
auth::JwtCodec make_jwt(JwtConfig const& jwt, Clock const& clock) {
    auth::JwtSettings settings{jwt.issuer, jwt.audience, jwt.leeway};
    if (!jwt.key_file.empty())
        return auth::JwtCodec{auth::Ed25519KeySet::load_file(jwt.key_file), std::move(settings), clock};
    return auth::JwtCodec{jwt.secret, std::move(settings), clock};
}

auth::PasswordHasherConfig hasher_config(PasswordConfig const& p) {
    return auth::PasswordHasherConfig{.opslimit = p.opslimit,
                                      .memlimit = p.memlimit_kib * 1024,
                                      .threads = p.threads,
                                      .capacity_per_thread = p.queue_per_thread};
}

auth::LoginThrottleConfig throttle_config(PasswordConfig const& p) {
    auth::LoginThrottleConfig t{};
    t.account.free_failures = p.account_free_failures;
    t.address.free_failures = p.address_free_failures;
    return t;
}

// The configured data key, or one derived from the JWT secret.
auth::DataCipher make_cipher(std::optional<auth::DataKey> const& data_key, std::string const& jwt_secret) {
    if (data_key) return auth::DataCipher{*data_key};
    return auth::DataCipher::derive(jwt_secret);
}

store::ChangeFeedConfig change_feed_config(Config const& cfg) {
    store::ChangeFeedConfig c;
    // An entry matters while an access token it could concern may still be presented.
    c.keep_seconds = cfg.jwt.access_ttl + cfg.jwt.leeway + 300;
    return c;
}

store::JanitorConfig janitor_config(Config const& cfg) {
    store::JanitorConfig c = cfg.janitor;
    c.access_grace_seconds = cfg.jwt.leeway;  // an expired token is accepted this long after exp
    return c;
}

// Names this process in the janitor's lease: random, so two instances never share a name.
std::string instance_name() {
    unsigned char bytes[8];
    randombytes_buf(bytes, sizeof bytes);
    char hex[2 * sizeof bytes + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
    return hex;
}

}  // namespace

App::App(Config cfg, Clock const& clock)
    : cfg_(std::move(cfg)),
      clock_(clock),
      io_(cfg_.io_threads),
      blocking_("blocking", cfg_.blocking_threads, cfg_.blocking_queue),
      backend_(open_backend(cfg_.database, cfg_.db_pool, blocking_, clock_)),
      accounts_(*backend_),
      identities_(*backend_),
      sessions_(*backend_),
      lifecycle_(*backend_),
      shared_(cfg_, accounts_, blocking_, clock_),
      revocations_(shared_.revocations()),
      users_(shared_.users()),
      change_log_(*backend_),
      change_feed_(change_log_, revocations_, users_, clock_, change_feed_config(cfg_)),
      janitor_(*backend_, clock_, janitor_config(cfg_), instance_name()),
      cipher_(make_cipher(cfg_.data_key, cfg_.jwt.secret)),
      jwt_(make_jwt(cfg_.jwt, clock_)),
      issuer_(jwt_, clock_, cfg_.jwt.access_ttl, cfg_.jwt.refresh_ttl),
      hasher_(hasher_config(cfg_.password)),
      throttle_(throttle_config(cfg_.password), shared_.attempts(), clock_),
      wechat_login_limit_("wechat_login", {cfg_.rate_limits.wechat_login_per_minute, 60}, shared_.rates(), clock_),
      register_limit_("register", {cfg_.rate_limits.register_per_minute, 60}, shared_.rates(), clock_),
      wechat_(make_wechat_client(cfg_.wechat)),
      metered_wechat_(wechat_),
      breaker_(cfg_.wechat.breaker, clock_),
      guarded_wechat_(metered_wechat_, breaker_),
      access_tokens_(guarded_wechat_, shared_.access_tokens(), clock_, wechat::AccessTokenCacheOptions{}),
      auth_events_("wxlogin_auth_events_total", "Security-relevant authentication events.", {"event"}),
      password_check_(api::PasswordCheck::Deps{hasher_, throttle_, audit_, auth_events_.with({"password_login_failed"}),
                                               auth_events_.with({"password_login_locked"})}),
      forwarded_for_(cfg_.trusted_proxies),
      access_log_(http_metrics_, {"/healthz", "/readyz"}),  // probes: their successes log at debug
      require_auth_(jwt_, revocations_, users_),
      ops_(registry_,
           api::OpsApi::Probes{.draining = [this] { return server_.draining(); },
                               .database = [this] { return database_ready(); },
                               .redis = [this] { return shared_.redis_status(); }}),
      auth_api_(api::AuthApi::Deps{guarded_wechat_, cfg_.wechat.apps, identities_, sessions_, users_, issuer_, cipher_,
                                   revocations_, wechat_login_limit_, clock_,
                                   auth_events_.with({"refresh_token_reused"}), audit_}),
      password_api_(api::PasswordApi::Deps{accounts_, sessions_, users_, issuer_, hasher_, throttle_, register_limit_,
                                           revocations_, clock_, auth_events_.with({"password_login_failed"}),
                                           auth_events_.with({"password_login_locked"}), password_check_, audit_}),
      users_api_(users_, accounts_, clock_),
      sessions_api_(sessions_, revocations_, audit_, clock_),
      jwks_api_(jwt_.jwks_json()),
      user_wechat_api_(api::UserWeChatApi::Deps{guarded_wechat_, access_tokens_, cfg_.wechat.apps, identities_,
                                                accounts_, users_, cipher_, clock_}),
      account_api_(api::AccountApi::Deps{accounts_, lifecycle_, guarded_wechat_, cfg_.wechat.apps, password_check_,
                                         revocations_, users_, audit_, clock_}),
      admin_api_(api::AdminApi::Deps{lifecycle_, sessions_, revocations_, users_, throttle_, audit_, clock_}),
      simulator_(cfg_.wechat.use_embedded_simulator ? std::make_unique<sim::Simulator>(clock_, cfg_.wechat.apps)
                                                    : nullptr),
      simulator_api_(simulator_ ? std::make_unique<sim::WeChatSimApi>(*simulator_) : nullptr),
      router_(global_middleware(), &http_metrics_),
      server_(cfg_.server, router_, io_),
      metrics_(AppMetrics::Sources{.server = server_,
                                   .blocking = blocking_,
                                   .hasher = hasher_,
                                   .revocations = revocations_,
                                   .users = users_,
                                   .backend = *backend_,
                                   .janitor = janitor_,
                                   .db_pool_size = cfg_.db_pool.max_size,
                                   .shared = shared_,
                                   .wechat = metered_wechat_,
                                   .breaker = breaker_,
                                   .access_tokens = access_tokens_,
                                   .rate_limits = {&wechat_login_limit_, &register_limit_}}) {
    registry_.add(http_metrics_);
    registry_.add(auth_events_);
    registry_.add(audit_.counters());
    metrics_.register_with(registry_);
    if (auto migrated = backend_->migrate(); !migrated)
        throw std::runtime_error("database migration failed: " + migrated.error().message());
    restore_revocations();
    add_routes();
}

App::~App() { shutdown(); }

// The global pipeline, outermost first:
//   forwarded_for (only with trusted proxies) puts the real client address into the context;
//   access_log    sees every request (404/405 included) and times the whole answer;
//   error_guard   turns an escaped exception into 500 *inside* the log/metrics span.
std::vector<http::Middleware const*> App::global_middleware() const {
    std::vector<http::Middleware const*> chain;
    if (!cfg_.trusted_proxies.empty()) chain.push_back(&forwarded_for_);
    chain.push_back(&access_log_);
    chain.push_back(&error_guard_);
    return chain;
}

// Sessions revoked before this start (by this or another process) stay revoked: the in-memory
// list is rebuilt from the database before the first request is served. The change feed's
// position is taken first, so a revocation committed meanwhile is in the table or after the
// position (or both: applying it twice is harmless), never in neither.
void App::restore_revocations() {
    if (auto positioned = sync_wait(change_feed_.start_from_now()); !positioned)
        throw std::runtime_error("reading the change log failed: " + positioned.error().message());
    auto sessions = sync_wait(sessions_.revoked_since(clock_.now()));
    if (!sessions) throw std::runtime_error("reading revoked sessions failed: " + sessions.error().message());
    revocations_.restore(*sessions);
    obs::log_info("revocations_restored", {{"sessions", static_cast<std::int64_t>(sessions->size())}});
}

Task<bool> App::database_ready() {
    auto pinged = co_await backend_->ping();
    co_return pinged.has_value();
}

void App::start() {
    server_.start();
    if (simulator_) {
        // The simulator lives on this very server, so its address is known only after the bind.
        std::string base =
            "http://" + cfg_.server.host + ":" + std::to_string(server_.port()) + std::string{kEmbeddedSimulatorPrefix};
        WeChatConfig simulated = cfg_.wechat;
        simulated.api_base = base;
        wechat_.bind(make_wechat_client(simulated));
        obs::log_warn("DEV MODE: WeChat simulator", {{"api_base", base}, {"mint_code", base + "/control/login-code"}});
    }
    // The database channel of revocations and user changes (see ChangeFeed), on one I/O thread:
    // each poll is one short coroutine whose query runs on the blocking pool.
    asio::co_spawn(io_.first(), change_feed_.run(), asio::detached);
    asio::co_spawn(io_.first(), janitor_.run(), asio::detached);
    shared_.start();
    io_.start();
    obs::log_info("listening", {{"address", cfg_.server.host},
                                {"port", static_cast<std::int64_t>(server_.port())},
                                {"tls", !cfg_.server.tls_cert_file.empty()},
                                {"io_threads", static_cast<std::int64_t>(io_.size())}});
}

void App::shutdown() {
    if (stopped_.exchange(true)) return;
    server_.begin_drain();
    bool drained = server_.wait_drained(cfg_.shutdown_grace);
    if (!drained)
        obs::log_warn("shutdown_grace_expired",
                      {{"open_connections", static_cast<std::int64_t>(server_.live_connections())}});
    change_feed_.stop();
    janitor_.stop();
    shared_.stop();
    io_.stop();
    blocking_.stop();
    obs::log_info("stopped");
    obs::flush_logs();
}

namespace {
sigset_t shutdown_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    return signals;
}
}  // namespace

void block_shutdown_signals() {
    sigset_t signals = shutdown_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int wait_for_shutdown_signal(std::function<void()> const& on_hangup) {
    sigset_t signals = shutdown_signals();
    for (;;) {
        int received = 0;
        sigwait(&signals, &received);
        if (received == SIGHUP) {
            obs::log_info("reload_requested", {{"signal", "SIGHUP"}});
            if (on_hangup) on_hangup();
            continue;
        }
        obs::log_info("shutdown_requested", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
        return received;
    }
}

int App::run() {
    start();
    wait_for_shutdown_signal([this] { (void)reload_tls(); });
    shutdown();
    return 0;
}

}  // namespace wx::app
