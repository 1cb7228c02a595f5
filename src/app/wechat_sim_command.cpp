// `wxlogin wechat-sim`: the WeChat simulator on its own listener, for local development and for
// tests that run wxlogin as a separate process.
#include <csignal>
#include <iostream>
#include <stdexcept>

#include "app/app.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/routes.hpp"
#include "core/io_pool.hpp"
#include "http/middleware/access_log.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"
#include "sim/simulator.hpp"
#include "sim/wechat_sim_api.hpp"

namespace wx::app {
namespace {

constexpr int kExitUsage = 2;
constexpr std::size_t kIoThreads = 1;
constexpr std::chrono::milliseconds kShutdownGrace{5000};

std::vector<wechat::AppCredentials> parse_apps(std::vector<std::string> const& specs) {
    std::vector<wechat::AppCredentials> apps;
    for (auto const& spec : specs) {
        auto colon = spec.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
            throw std::invalid_argument("--app must be APPID:SECRET");
        apps.push_back({spec.substr(0, colon), spec.substr(colon + 1)});
    }
    return apps;
}

}  // namespace

int run_wechat_sim(std::string const& listen, std::vector<std::string> const& app_specs, Clock const& clock) {
    http::ServerConfig server_cfg;
    std::vector<wechat::AppCredentials> apps;
    try {
        parse_listen_address("--listen", listen, server_cfg);
        apps = parse_apps(app_specs);
    } catch (std::exception const& e) {
        std::cerr << "wxlogin wechat-sim: " << e.what() << "\n";
        return kExitUsage;
    }
    obs::init_logging(obs::LogFormat::text, obs::LogLevel::info);

    // Declaration order is construction order; the server is destroyed first.
    std::size_t const app_count = apps.size();
    sim::Simulator simulator{clock, std::move(apps)};
    sim::WeChatSimApi sim_api{simulator};
    IoPool io{kIoThreads};
    obs::HttpMetrics metrics;
    http::AccessLog access_log{metrics};
    http::ErrorGuard error_guard;
    // Same order as App: the access log sees everything, the guard turns a bug into a logged 500.
    http::Router router{{&access_log, &error_guard}, &metrics};
    add_wechat_sim_routes(router, sim_api, "");
    http::Server server{server_cfg, router, io};

    server.start();
    io.start();
    obs::log_info("wechat_sim_listening", {{"address", server_cfg.host},
                                           {"port", static_cast<std::int64_t>(server.port())},
                                           {"apps", static_cast<std::int64_t>(app_count)},
                                           {"default_app_id", simulator.default_app_id()}});

    wait_for_shutdown_signal();
    server.begin_drain();
    server.wait_drained(kShutdownGrace);
    io.stop();
    obs::log_info("stopped");
    obs::flush_logs();
    return 0;
}

}  // namespace wx::app
