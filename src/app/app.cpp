#include "app/app.hpp"

#include <csignal>

#include <boost/asio/signal_set.hpp>

#include "obs/log.hpp"

namespace wx::app {

App::App(Config cfg)
    : cfg_(std::move(cfg)),
      io_(cfg_.io_threads),
      blocking_("blocking", cfg_.blocking_threads, cfg_.blocking_queue),
      live_connections_("wxlogin_http_connections", "Live client connections.",
                        [this] { return static_cast<double>(server_.live_connections()); }),
      blocking_in_flight_("wxlogin_blocking_in_flight", "Blocking calls queued or running on the pool.",
                          [this] { return static_cast<double>(blocking_.in_flight()); }),
      access_log_(http_metrics_),
      ops_(registry_, api::OpsApi::Probes{.draining = [this] { return server_.draining(); }, .database = {}, .redis = {}}),
      // Global pipeline, outermost first:
      //   access_log  sees every request (404/405 included) and times the whole answer;
      //   error_guard turns an escaped exception into 500 *inside* the log/metrics span.
      router_({&access_log_, &error_guard_}, &http_metrics_),
      server_(cfg_.server, router_, io_) {
    registry_.add(http_metrics_);
    registry_.add(live_connections_);
    registry_.add(blocking_in_flight_);
    add_routes();
}

App::~App() { shutdown(); }

void App::start() {
    server_.start();
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
        obs::log_warn("shutdown_grace_expired", {{"open_connections", static_cast<std::int64_t>(server_.live_connections())}});
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
    return signals;
}
}  // namespace

void block_shutdown_signals() {
    sigset_t signals = shutdown_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int App::run() {
    sigset_t signals = shutdown_signals();
    start();
    int received = 0;
    sigwait(&signals, &received);
    obs::log_info("shutdown_requested", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
    shutdown();
    return 0;
}

}  // namespace wx::app
