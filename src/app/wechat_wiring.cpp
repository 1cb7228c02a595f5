// Wiring of the real WeChat client.
#include "app/late_bound_wechat.hpp"
#include "wechat/client.hpp"

namespace wx::app {

std::unique_ptr<wechat::WeChatApi> make_wechat_client(std::string const& api_base, std::chrono::milliseconds timeout) {
    return std::make_unique<wechat::Client>(api_base, timeout);
}

std::vector<wechat::AppCredentials> wechat_credentials(Config const& cfg) {
    std::vector<wechat::AppCredentials> apps;
    for (auto const& a : cfg.wechat.apps) apps.push_back({a.app_id, a.secret});
    return apps;
}

}  // namespace wx::app
