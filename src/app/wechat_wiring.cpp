// Wiring of the real WeChat client and of the simulator embedded by `serve --dev`.
#include "api/wechat_sim_api.hpp"
#include "app/embedded_simulator.hpp"
#include "app/late_bound_wechat.hpp"
#include "core/clock.hpp"
#include "wechat/client.hpp"
#include "wechat/simulator.hpp"

namespace wx::app {

std::unique_ptr<wechat::WeChatApi> make_wechat_client(std::string const& api_base, std::chrono::milliseconds timeout) {
    return std::make_unique<wechat::Client>(api_base, timeout);
}

std::vector<wechat::AppCredentials> wechat_credentials(Config const& cfg) {
    std::vector<wechat::AppCredentials> apps;
    for (auto const& a : cfg.wechat.apps) apps.push_back({a.app_id, a.secret});
    return apps;
}

struct EmbeddedSimulator::Parts {
    SystemClock clock;
    wechat::Simulator simulator;
    api::WeChatSimApi api;

    explicit Parts(std::vector<wechat::AppCredentials> apps) : simulator(clock, std::move(apps)), api(simulator) {}
};

EmbeddedSimulator::EmbeddedSimulator(Config const& cfg, http::Router& router) {
    parts_ = std::make_unique<Parts>(wechat_credentials(cfg));
    parts_->api.add_routes(router, "/wechat-sim");
}

EmbeddedSimulator::~EmbeddedSimulator() = default;

}  // namespace wx::app
